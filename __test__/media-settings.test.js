'use strict'
// The settings of media OpenRoom does not carry (lib/media-settings.js) and getSDKVersion():
// what can be read back reads back what was set, per instance; a bad argument throws a coded
// error naming it and changes nothing; and none of them emits anything.

const { TRTCCloud, TRTCAudioQuality, TRTCVideoStreamType } = require('..')
const { version } = require('../package.json')

const clouds = []
afterAll(() => {
  for (const cloud of clouds) cloud.destroy()
})

/** A TRTCCloud that records every event it emits. */
function recordedCloud() {
  const cloud = new TRTCCloud()
  clouds.push(cloud)
  const events = []
  const emit = cloud.emit.bind(cloud)
  cloud.emit = (...args) => {
    events.push(args)
    return emit(...args)
  }
  return { cloud, events }
}

/** The error `call` throws, as { code, message }; null when it returns. */
function thrown(call) {
  try {
    call()
  } catch (error) {
    return { code: error.code, message: error.message }
  }
  return null
}

/** Wait until nextTick and immediate callbacks (where events would be emitted) have run. */
const ticked = () => new Promise((resolve) => setImmediate(resolve))

test('getSDKVersion() is the package version', () => {
  const { cloud } = recordedCloud()
  expect(cloud.getSDKVersion()).toBe(version)
})

test('the capture and playout volumes read back what was set, 100 at first, per instance', () => {
  const { cloud } = recordedCloud()
  const other = recordedCloud().cloud
  expect([cloud.getAudioCaptureVolume(), cloud.getAudioPlayoutVolume()]).toEqual([100, 100])
  cloud.setAudioCaptureVolume(0)
  cloud.setAudioPlayoutVolume(150)
  expect([cloud.getAudioCaptureVolume(), cloud.getAudioPlayoutVolume()]).toEqual([0, 150])
  // setMicVolumeOnMixing is the capture volume's deprecated name.
  cloud.setMicVolumeOnMixing(42)
  expect(cloud.getAudioCaptureVolume()).toBe(42)
  expect([other.getAudioCaptureVolume(), other.getAudioPlayoutVolume()]).toEqual([100, 100])
  const sub = cloud.createSubCloud()
  expect(sub.getAudioCaptureVolume()).toBe(100)
})

test('a bad argument throws ERR_INVALID_ARG_VALUE naming it, and changes nothing', () => {
  const { cloud } = recordedCloud()
  cloud.setAudioCaptureVolume(60)
  const invalid = (message) => ({ code: 'ERR_INVALID_ARG_VALUE', message })
  expect(thrown(() => cloud.setAudioCaptureVolume(151))).toEqual(
    invalid('volume must be an integer from 0 to 150, got 151'),
  )
  expect(thrown(() => cloud.setAudioCaptureVolume('80'))).toEqual(
    invalid("volume must be an integer from 0 to 150, got '80'"),
  )
  expect(thrown(() => cloud.setMicVolumeOnMixing(-1))).toMatchObject(invalid(expect.any(String)))
  expect(cloud.getAudioCaptureVolume()).toBe(60)
  expect(thrown(() => cloud.setAudioPlayoutVolume(12.5))).toMatchObject(invalid(expect.any(String)))
  expect(cloud.getAudioPlayoutVolume()).toBe(100)

  expect(thrown(() => cloud.setDefaultStreamRecvMode(true))).toEqual(
    invalid('autoRecvVideo must be a boolean, got undefined'),
  )
  expect(thrown(() => cloud.muteRemoteAudio('', true))).toEqual(
    invalid("userId must be a non-empty string, got ''"),
  )
  expect(thrown(() => cloud.muteRemoteAudio('bob', 1))).toEqual(
    invalid('mute must be a boolean, got 1'),
  )
  expect(thrown(() => cloud.muteAllRemoteAudio(null))).toMatchObject(invalid(expect.any(String)))
  expect(thrown(() => cloud.setRemoteAudioVolume('bob', 200))).toMatchObject(
    invalid(expect.stringMatching(/^volume must be/)),
  )
  expect(thrown(() => cloud.muteRemoteVideoStream('bob', true, 3))).toEqual(
    invalid(
      'streamType must be a TRTCVideoStreamType (0 TRTCVideoStreamTypeBig, 1 TRTCVideoStreamTypeSmall, 2 TRTCVideoStreamTypeSub), got 3',
    ),
  )
  expect(thrown(() => cloud.muteAllRemoteVideoStreams('no'))).toMatchObject(
    invalid(expect.any(String)),
  )
  expect(thrown(() => cloud.enableAudioVolumeEvaluation(NaN))).toEqual(
    invalid('interval must be a number, got NaN'),
  )
  expect(thrown(() => cloud.setAudioQuality(0))).toEqual(
    invalid(
      'quality must be a TRTCAudioQuality (1 TRTCAudioQualitySpeech, 2 TRTCAudioQualityDefault, 3 TRTCAudioQualityMusic), got 0',
    ),
  )
})

test('the settings take both argument orders trtc-electron-sdk has had, and emit nothing', async () => {
  const { cloud, events } = recordedCloud()
  const { TRTCVideoStreamTypeSub } = TRTCVideoStreamType
  const calls = [
    () => cloud.setDefaultStreamRecvMode(false, true),
    () => cloud.muteRemoteAudio('bob', true),
    () => cloud.muteAllRemoteAudio(false),
    () => cloud.setRemoteAudioVolume('bob', 0),
    // 13's (userId, mute, streamType?) and the native (userId, streamType, mute).
    () => cloud.muteRemoteVideoStream('bob', true),
    () => cloud.muteRemoteVideoStream('bob', false, TRTCVideoStreamTypeSub),
    () => cloud.muteRemoteVideoStream('bob', TRTCVideoStreamTypeSub, true),
    () => cloud.muteAllRemoteVideoStreams(true),
    // 0 or less turns the reports off.
    () => cloud.enableAudioVolumeEvaluation(300),
    () => cloud.enableAudioVolumeEvaluation(0),
    () => cloud.setAudioQuality(TRTCAudioQuality.TRTCAudioQualityMusic),
  ]
  expect(calls.map(thrown)).toEqual(calls.map(() => null))
  await ticked()
  expect(events).toEqual([])
})
