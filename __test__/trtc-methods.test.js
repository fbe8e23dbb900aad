'use strict'
// TRTCCloud against trtc-electron-sdk's own (trtc-sdk.js fetches it): every method it has
// exists here with the same name, and either works or throws ERR_NOT_SUPPORTED naming itself;
// every event it emits that OpenRoom never does is listed in docs/media.md. So a ported app
// changes its `require` line, and anything it uses that OpenRoom lacks fails loudly, with the
// documentation saying so.

const fs = require('node:fs')
const path = require('node:path')

const { TRTCCloud } = require('..')
const { UNSUPPORTED_GROUPS } = require('../lib/unsupported-methods.js')
const { FETCH_TIMEOUT_MS, trtcCloudEvents, trtcCloudMethods } = require('./trtc-sdk.js')
const { readmeList } = require('./readme.js')

const ROOT = path.join(__dirname, '..')

/**
 * The methods OpenRoom implements. A trtc-electron-sdk method must be here or in
 * lib/unsupported-methods.js, so a method a later release adds cannot slip through as neither.
 */
const IMPLEMENTED = {
  // Rooms (lib/trtc-cloud.js).
  room: [
    'createSubCloud',
    'destroy',
    'enterRoom',
    'exitRoom',
    'switchRoom',
    'switchRole',
    'sendCustomCmdMsg',
  ],
  // Publishing state (lib/trtc-cloud.js).
  publishing: [
    'startLocalPreview',
    'stopLocalPreview',
    'muteLocalVideo',
    'startLocalAudio',
    'stopLocalAudio',
    'muteLocalAudio',
  ],
  // Settings of media OpenRoom does not carry (lib/media-settings.js).
  mediaSettings: [
    'setDefaultStreamRecvMode',
    'muteRemoteAudio',
    'muteAllRemoteAudio',
    'setRemoteAudioVolume',
    'muteRemoteVideoStream',
    'muteAllRemoteVideoStreams',
    'setAudioCaptureVolume',
    'getAudioCaptureVolume',
    'setMicVolumeOnMixing',
    'setAudioPlayoutVolume',
    'getAudioPlayoutVolume',
    'enableAudioVolumeEvaluation',
    'setAudioQuality',
  ],
  // The log and the version (lib/log-settings.js).
  log: [
    'getSDKVersion',
    'setLogLevel',
    'setConsoleEnabled',
    'setLogCompressEnabled',
    'setLogDirPath',
    'setLogCallback',
    'log',
  ],
}
const IMPLEMENTED_STATICS = ['getTRTCShareInstance', 'destroyTRTCShareInstance']

const implemented = Object.values(IMPLEMENTED).flat()
const unsupported = UNSUPPORTED_GROUPS.flatMap((group) => group.methods)

let theirs

beforeAll(() => {
  theirs = trtcCloudMethods()
}, FETCH_TIMEOUT_MS)

const sorted = (names) => [...names].sort()

test('every TRTCCloud method of trtc-electron-sdk exists here under the same name', () => {
  expect(theirs.instance.length).toBeGreaterThan(150)
  const missing = theirs.instance.filter((name) => typeof TRTCCloud.prototype[name] !== 'function')
  const missingStatics = theirs.statics.filter((name) => typeof TRTCCloud[name] !== 'function')
  expect({ missing, missingStatics }).toEqual({ missing: [], missingStatics: [] })
})

test('each of their methods is implemented here or unsupported, never both, never neither', () => {
  expect(sorted(theirs.statics)).toEqual(sorted(IMPLEMENTED_STATICS))
  expect(implemented.filter((name) => unsupported.includes(name))).toEqual([])
  expect(sorted(theirs.instance)).toEqual(sorted([...implemented, ...unsupported]))
  // Each name once, so docs/media.md's list and the module's can be compared as sets.
  expect(new Set(unsupported).size).toBe(unsupported.length)
})

test('an unsupported method throws ERR_NOT_SUPPORTED naming itself, with or without arguments', () => {
  const cloud = new TRTCCloud()
  try {
    for (const name of unsupported) {
      for (const args of [[], ['user', true, 0]]) {
        let thrown
        try {
          cloud[name](...args)
        } catch (error) {
          thrown = error
        }
        expect([name, thrown?.code, thrown?.message]).toEqual([
          name,
          'ERR_NOT_SUPPORTED',
          expect.stringMatching(
            new RegExp(`^TRTCCloud\\.${name} is not supported: .+\\. See docs/media\\.md\\.$`),
          ),
        ])
      }
    }
  } finally {
    cloud.destroy()
  }
})

test('the implemented methods are real ones, not the ERR_NOT_SUPPORTED stub', () => {
  const cloud = new TRTCCloud()
  try {
    // Plausible arguments for the settings; the room calls are tested in their own files.
    const calls = {
      setDefaultStreamRecvMode: [true, false],
      muteRemoteAudio: ['bob', true],
      muteAllRemoteAudio: [false],
      setRemoteAudioVolume: ['bob', 60],
      muteRemoteVideoStream: ['bob', true, 0],
      muteAllRemoteVideoStreams: [true],
      setAudioCaptureVolume: [80],
      getAudioCaptureVolume: [],
      setMicVolumeOnMixing: [90],
      setAudioPlayoutVolume: [70],
      getAudioPlayoutVolume: [],
      enableAudioVolumeEvaluation: [300],
      setAudioQuality: [1],
      getSDKVersion: [],
      setLogCompressEnabled: [false],
      muteLocalVideo: [true, 0],
      muteLocalAudio: [true],
    }
    for (const [name, args] of Object.entries(calls)) {
      expect(() => cloud[name](...args)).not.toThrow()
    }
    for (const name of implemented)
      expect([name, unsupported.includes(name)]).toEqual([name, false])
  } finally {
    cloud.destroy()
  }
})

test('docs/media.md lists exactly the unsupported methods', () => {
  const listed = readmeList('unsupported-methods')
  expect({
    missingFromReadme: unsupported.filter((name) => !listed.includes(name)),
    notUnsupported: listed.filter((name) => !unsupported.includes(name)),
  }).toEqual({ missingFromReadme: [], notUnsupported: [] })
})

/**
 * The events OpenRoom emits, from the sources that emit them: the engine's event names
 * (crates/client/src/events.rs) and the JS layer's own emits (lib/).
 */
function emittedEvents() {
  const engine = fs.readFileSync(path.join(ROOT, 'crates/client/src/events.rs'), 'utf8')
  const names = [...engine.matchAll(/=> "(on\w+)"/g)].map(([, name]) => name)
  for (const file of fs.readdirSync(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.js'))) {
    const source = fs.readFileSync(path.join(ROOT, 'lib', file), 'utf8')
    names.push(...[...source.matchAll(/emit\('(on\w+)'/g)].map(([, name]) => name))
  }
  return new Set(names)
}

test("every trtc-electron-sdk event is emitted here under its name, or listed in docs/media.md's 'never emitted'", () => {
  const events = trtcCloudEvents()
  expect(events.length).toBeGreaterThan(50)
  const emitted = emittedEvents()
  // The engine's names were found: the room events are among them.
  expect([...emitted]).toEqual(expect.arrayContaining(['onEnterRoom', 'onExitRoom', 'onError']))
  const neverEmitted = readmeList('never-emitted-events')
  expect({
    notEmittedNorListed: events.filter((e) => !emitted.has(e) && !neverEmitted.includes(e)),
    listedButEmitted: neverEmitted.filter((e) => emitted.has(e)),
    listedButNotTheirs: neverEmitted.filter((e) => !events.includes(e)),
  }).toEqual({ notEmittedNorListed: [], listedButEmitted: [], listedButNotTheirs: [] })
}, 10_000)
