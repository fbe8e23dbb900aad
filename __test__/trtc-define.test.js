'use strict'
// liteav/trtc_define against trtc-electron-sdk's own file: every enum and class it exports is
// here, with the same values and constructor defaults, so an app's `require` line is all that
// changes. The package comes from the npm registry, unpacked without running its scripts
// (trtc-sdk.js).

const ours = require('../liteav/trtc_define')
const openroom = require('..')
const { FETCH_TIMEOUT_MS, trtcDefine } = require('./trtc-sdk.js')

let theirs

beforeAll(() => {
  theirs = trtcDefine()
}, FETCH_TIMEOUT_MS)

/** The names of a class's constructor parameters, in order, read from its source. */
function parameters(cls) {
  const source = cls.toString()
  const start = source.indexOf('constructor(') + 'constructor('.length
  let depth = 1
  let end = start
  while (depth > 0) {
    if (source[end] === '(') depth++
    if (source[end] === ')') depth--
    end++
  }
  const list = source.slice(start, end - 1)
  const names = []
  let current = ''
  depth = 0
  for (const char of list) {
    if ('([{'.includes(char)) depth++
    if (')]}'.includes(char)) depth--
    if (char === ',' && depth === 0) {
      names.push(current)
      current = ''
    } else current += char
  }
  if (current.trim()) names.push(current)
  return names.map((part) => part.split('=')[0].trim())
}

test('every name trtc_define exports is exported here, and by the main module', () => {
  const missing = Object.keys(theirs).filter((name) => !(name in ours))
  expect(missing).toEqual([])
  expect(Object.keys(theirs).filter((name) => !(name in openroom))).toEqual([])
})

test('every enum has the same names and values, both ways', () => {
  const enums = Object.keys(theirs).filter((name) => typeof theirs[name] === 'object')
  expect(enums.length).toBeGreaterThan(30)
  for (const name of enums) expect([name, { ...ours[name] }]).toEqual([name, { ...theirs[name] }])
})

test('every class has the same constructor parameters, in order, and the same defaults', () => {
  const classes = Object.keys(theirs).filter((name) => typeof theirs[name] === 'function')
  expect(classes.length).toBeGreaterThan(20)
  for (const name of classes) {
    expect([name, new ours[name]()]).toEqual([name, new theirs[name]()])
    // Each parameter lands where theirs puts it.
    const args = parameters(theirs[name]).map((parameter, i) => `${parameter}-${i}`)
    if (name === 'VideoBufferInfo') continue
    expect([name, parameters(ours[name])]).toEqual([name, parameters(theirs[name])])
    expect([name, new ours[name](...args)]).toEqual([name, new theirs[name](...args)])
  }
  const options = { id: 3, userId: 'u', width: 4, height: 2, streamType: 0, pixelFormat: 2 }
  expect({ ...new ours.VideoBufferInfo(options), buffer: null }).toEqual({
    ...new theirs.VideoBufferInfo(options),
    buffer: null,
  })
  expect(new ours.VideoBufferInfo(options).buffer.byteLength).toBe(
    new theirs.VideoBufferInfo(options).buffer.byteLength,
  )
})
