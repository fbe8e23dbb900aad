'use strict'
// trtc-electron-sdk's settings for media OpenRoom does not carry: what to receive, how loud to
// capture and play, audio quality, volume reports. A ported app calls them, so they exist and
// check their arguments as TRTC documents them; each changes nothing else, because OpenRoom
// has no audio or video to apply them to. The two that TRTC can read back (capture and playout
// volume) are kept per instance and returned by their getters.

const { checkBoolean, checkEnum, checkInteger, checkNumber, checkText } = require('./arg-checks.js')
const { TRTCAudioQuality, TRTCVideoStreamType } = require('./constants.js')

/** TRTC's volume range: 0 silent, 100 as captured (the default), up to 150 amplified. */
const MAX_VOLUME = 150
const DEFAULT_VOLUME = 100

/** The volumes of each instance, made on first use (an instance that never sets one holds none). */
const volumes = new WeakMap()

function volumesOf(cloud) {
  let kept = volumes.get(cloud)
  if (kept === undefined) {
    kept = { capture: DEFAULT_VOLUME, playout: DEFAULT_VOLUME }
    volumes.set(cloud, kept)
  }
  return kept
}

/**
 * `[mute, streamType]` of muteRemoteVideoStream: trtc-electron-sdk 13's (userId, mute,
 * streamType?) or the native order (userId, streamType, mute) older releases took.
 */
function muteAndStreamType(muteOrStreamType, streamTypeOrMute) {
  const [mute, streamType = TRTCVideoStreamType.TRTCVideoStreamTypeBig] =
    typeof muteOrStreamType === 'boolean'
      ? [muteOrStreamType, streamTypeOrMute]
      : [streamTypeOrMute, muteOrStreamType]
  return [
    checkBoolean('mute', mute),
    checkEnum('streamType', streamType, TRTCVideoStreamType, 'TRTCVideoStreamType'),
  ]
}

const mediaSettings = {
  /** Whether to receive remote audio and video on entering (TRTC: call before enterRoom). */
  setDefaultStreamRecvMode(autoRecvAudio, autoRecvVideo) {
    checkBoolean('autoRecvAudio', autoRecvAudio)
    checkBoolean('autoRecvVideo', autoRecvVideo)
  },

  /** Stop (true) or resume receiving one member's audio. */
  muteRemoteAudio(userId, mute) {
    checkText('userId', userId)
    checkBoolean('mute', mute)
  },

  /** Stop (true) or resume receiving every member's audio. */
  muteAllRemoteAudio(mute) {
    checkBoolean('mute', mute)
  },

  /** Play one member's audio at `volume` (0–150, default 100). */
  setRemoteAudioVolume(userId, volume) {
    checkText('userId', userId)
    checkInteger('volume', volume, 0, MAX_VOLUME)
  },

  /** Stop (true) or resume receiving one member's video: (userId, mute, streamType?). */
  muteRemoteVideoStream(userId, muteOrStreamType, streamTypeOrMute) {
    checkText('userId', userId)
    muteAndStreamType(muteOrStreamType, streamTypeOrMute)
  },

  /** Stop (true) or resume receiving every member's video. */
  muteAllRemoteVideoStreams(mute) {
    checkBoolean('mute', mute)
  },

  /** The capture volume (0–150, default 100), returned by getAudioCaptureVolume(). */
  setAudioCaptureVolume(volume) {
    volumesOf(this).capture = checkInteger('volume', volume, 0, MAX_VOLUME)
  },

  getAudioCaptureVolume() {
    return volumesOf(this).capture
  },

  /** trtc-electron-sdk's deprecated name for setAudioCaptureVolume. */
  setMicVolumeOnMixing(volume) {
    this.setAudioCaptureVolume(volume)
  },

  /** The playout volume (0–150, default 100), returned by getAudioPlayoutVolume(). */
  setAudioPlayoutVolume(volume) {
    volumesOf(this).playout = checkInteger('volume', volume, 0, MAX_VOLUME)
  },

  getAudioPlayoutVolume() {
    return volumesOf(this).playout
  },

  /**
   * Volume reports every `interval` ms (0 or less: off). TRTC reports them with onUserVoiceVolume;
   * OpenRoom measures no audio, so that event never comes.
   */
  enableAudioVolumeEvaluation(interval) {
    checkNumber('interval', interval)
  },

  /** The audio quality startLocalAudio() uses when given none (a TRTCAudioQuality). */
  setAudioQuality(quality) {
    checkEnum('quality', quality, TRTCAudioQuality, 'TRTCAudioQuality')
  },
}

module.exports = { mediaSettings, MAX_VOLUME, DEFAULT_VOLUME }
