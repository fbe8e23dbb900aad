'use strict'
// trtc-electron-sdk's own files, for the tests that hold OpenRoom to it. The package comes
// from the npm registry with `npm pack` (none of its scripts run, nothing of it is loaded but
// trtc_define.js, which needs nothing native) and is unpacked once into the system's temp
// directory, where the other test files and later runs find it.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

/** The trtc-electron-sdk release compared with. */
const TRTC_ELECTRON_SDK = 'trtc-electron-sdk@13.3.801'

/** How long fetching the package may take (a cold npm cache on a slow registry). */
const FETCH_TIMEOUT_MS = 120_000

/**
 * The unpacked package's directory. A fetch unpacks into a directory of its own and renames
 * it into place, so a test file running alongside never sees half a package.
 */
function packageDir() {
  const cached = path.join(os.tmpdir(), `openroom-${TRTC_ELECTRON_SDK.replace('@', '-')}`)
  const unpacked = path.join(cached, 'package')
  if (fs.existsSync(path.join(unpacked, 'package.json'))) return unpacked
  fs.mkdirSync(cached, { recursive: true })
  const work = fs.mkdtempSync(path.join(cached, 'fetch-'))
  try {
    const packed = spawnSync('npm', ['pack', TRTC_ELECTRON_SDK, '--pack-destination', work], {
      encoding: 'utf8',
      timeout: FETCH_TIMEOUT_MS,
    })
    if (packed.status !== 0) throw new Error(`npm pack ${TRTC_ELECTRON_SDK}: ${packed.stderr}`)
    const tarball = path.join(work, packed.stdout.trim().split('\n').pop())
    const untarred = spawnSync('tar', ['xzf', tarball, '-C', work], { encoding: 'utf8' })
    if (untarred.status !== 0) throw new Error(`tar: ${untarred.stderr}`)
    try {
      fs.renameSync(path.join(work, 'package'), unpacked)
    } catch (error) {
      // Another test file put its copy in place first: use that one.
      if (!fs.existsSync(path.join(unpacked, 'package.json'))) throw error
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
  return unpacked
}

/** The text of one of the package's files (its CRLF line ends made LF). */
function readSdkFile(relative) {
  return fs.readFileSync(path.join(packageDir(), relative), 'utf8').replace(/\r\n/g, '\n')
}

/** The body of `declare class TRTCCloud` in liteav/trtc.d.ts: the public API as typed. */
function trtcCloudDeclaration() {
  const types = readSdkFile('liteav/trtc.d.ts')
  const start = types.indexOf('declare class TRTCCloud ')
  const end = types.indexOf('\n}\n', start)
  if (start < 0 || end < 0) throw new Error('liteav/trtc.d.ts: declare class TRTCCloud not found')
  return types.slice(start, end)
}

/**
 * TRTCCloud's public methods, as trtc.d.ts declares them (its private members are declared
 * without a signature, so they do not match): `{ instance, statics }`, names in file order.
 */
function trtcCloudMethods() {
  const instance = []
  const statics = []
  for (const [, isStatic, name] of trtcCloudDeclaration().matchAll(
    /^ {4}(static )?([A-Za-z_$][\w$]*)(?:<[^>]*>)?\(/gm,
  )) {
    if (name === 'constructor') continue
    ;(isStatic ? statics : instance).push(name)
  }
  return { instance, statics }
}

/**
 * Every event name TRTCCloud emits: those its docs name (`@event TRTCCallback#name`) and those
 * its code fires, by literal (`this.fire('name'`) or through a constant (`const X = 'name'`,
 * then `this.fire(X`), misspellings included (it fires onScreenCaptureStoped beside
 * onScreenCaptureStopped).
 */
function trtcCloudEvents() {
  const source = readSdkFile('liteav/trtc.js')
  const documented = [...readSdkFile('liteav/trtc.d.ts').matchAll(/@event TRTCCallback#(\w+)/g)]
  const literals = [...source.matchAll(/this\.fire\('(\w+)'/g)]
  const constants = new Map(
    [...source.matchAll(/^const (\w+) = '(on\w+)';/gm)].map(([, name, value]) => [name, value]),
  )
  const viaConstants = [...source.matchAll(/this\.fire\(([A-Z_]+),/g)]
    .map(([, constant]) => constants.get(constant))
    .filter(Boolean)
  return [
    ...new Set([...documented, ...literals].map(([, name]) => name).concat(viaConstants)),
  ].sort()
}

/** liteav/trtc_define.js, loaded (it is plain JS with no dependencies). */
function trtcDefine() {
  return require(path.join(packageDir(), 'liteav', 'trtc_define.js'))
}

module.exports = {
  TRTC_ELECTRON_SDK,
  FETCH_TIMEOUT_MS,
  packageDir,
  readSdkFile,
  trtcCloudMethods,
  trtcCloudEvents,
  trtcDefine,
}
