'use strict'
// trtc-electron-sdk's TRTCCloud methods that OpenRoom does not have, by kind. Each exists (so
// a ported app fails where it uses one, with a message saying why, not with "is not a
// function") and throws ERR_NOT_SUPPORTED. docs/media.md lists the same methods
// (a test keeps the two equal).

const { codedError } = require('./errors.js')

/** Why a media method is missing: the reason most of these share. */
const NO_MEDIA = 'OpenRoom carries rooms and signaling, not media'

/** The unsupported methods, grouped as in trtc-electron-sdk's own TRTCCloud, each kind with its reason. */
const UNSUPPORTED_GROUPS = [
  {
    kind: 'Cross-room calls',
    reason: `${NO_MEDIA}: a cross-room call joins another room's anchors to this one's media`,
    methods: ['connectOtherRoom', 'disconnectOtherRoom'],
  },
  {
    kind: 'CDN publishing and stream mixing',
    reason: NO_MEDIA,
    methods: [
      'startPublishMediaStream',
      'updatePublishMediaStream',
      'stopPublishMediaStream',
      'startPublishing',
      'stopPublishing',
      'startPublishCDNStream',
      'stopPublishCDNStream',
      'setMixTranscodingConfig',
      'createLocalMediaTranscoder',
      'destroyLocalMediaTranscoder',
      'getMediaMixingManager',
      'getMediaMixingService',
    ],
  },
  {
    kind: 'Video rendering',
    reason: `${NO_MEDIA}; render the camera your app opens itself`,
    methods: [
      'getConfigObject',
      'setExternalRenderEnabled',
      'setCaptureLocalVideoEnabled',
      'updateLocalView',
      'startRemoteView',
      'stopRemoteView',
      'updateRemoteView',
      'stopAllRemoteView',
      'setLocalRenderParams',
      'setLocalViewFillMode',
      'setRemoteRenderParams',
      'setRemoteViewFillMode',
      'setLocalViewRotation',
      'setRemoteViewRotation',
      'setLocalViewMirror',
      'setRenderMode',
      'setEnableRenderFrame',
      'addLocalVideoRenderCallback',
      'removeLocalVideoRenderCallback',
      'setLocalVideoRenderCallback',
      'setRemoteVideoRenderCallback',
      'snapshotVideo',
    ],
  },
  {
    kind: 'Video capture and encoding',
    reason: NO_MEDIA,
    methods: [
      'setCameraCaptureParams',
      'setVideoMuteImage',
      'setVideoEncoderParam',
      'setNetworkQosParam',
      'setVideoEncoderRotation',
      'setVideoEncoderMirror',
      'enableSmallVideoStream',
      'setRemoteVideoStreamType',
      'setPriorRemoteVideoStreamType',
      'setBeautyStyle',
      'setWaterMark',
      'sendSEIMsg',
    ],
  },
  {
    kind: 'Recording',
    reason: NO_MEDIA,
    methods: [
      'startLocalRecording',
      'stopLocalRecording',
      'startAudioRecording',
      'stopAudioRecording',
    ],
  },
  {
    kind: 'Audio processing',
    reason: NO_MEDIA,
    methods: [
      'setRemoteAudioParallelParams',
      'enable3DSpatialAudioEffect',
      'updateSelf3DSpatialPosition',
      'updateRemote3DSpatialPosition',
      'set3DSpatialReceivingRange',
      'enableVoiceEarMonitor',
      'setVoiceEarMonitorVolume',
      'setVoiceCaptureVolume',
      'setVoicePitch',
      'setVoiceReverbType',
      'setVoiceChangerType',
    ],
  },
  {
    kind: 'Devices',
    reason: `${NO_MEDIA}; list and open devices in your app (navigator.mediaDevices) when onLocalDevicesChanged says so`,
    methods: [
      'getCameraDevicesList',
      'setCurrentCameraDevice',
      'getCurrentCameraDevice',
      'getMicDevicesList',
      'getCurrentMicDevice',
      'setCurrentMicDevice',
      'getCurrentMicDeviceVolume',
      'setCurrentMicDeviceVolume',
      'setCurrentMicDeviceMute',
      'getCurrentMicDeviceMute',
      'getSpeakerDevicesList',
      'getCurrentSpeakerDevice',
      'setCurrentSpeakerDevice',
      'getCurrentSpeakerVolume',
      'setCurrentSpeakerVolume',
      'setCurrentSpeakerDeviceMute',
      'getCurrentSpeakerDeviceMute',
      'enableFollowingDefaultAudioDevice',
    ],
  },
  {
    kind: 'Screen sharing and the sub stream',
    reason: NO_MEDIA,
    methods: [
      'startRemoteSubStreamView',
      'stopRemoteSubStreamView',
      'setRemoteSubStreamViewFillMode',
      'setRemoteSubStreamViewRotation',
      'getScreenCaptureSources',
      'selectScreenCaptureTarget',
      'startScreenCapture',
      'pauseScreenCapture',
      'resumeScreenCapture',
      'stopScreenCapture',
      'setSubStreamEncoderParam',
      'setSubStreamMixVolume',
      'addExcludedShareWindow',
      'removeExcludedShareWindow',
      'removeAllExcludedShareWindow',
      'addIncludedShareWindow',
      'removeIncludedShareWindow',
      'removeAllIncludedShareWindow',
    ],
  },
  {
    kind: 'Custom capture and raw audio',
    reason: NO_MEDIA,
    methods: [
      'enableCustomAudioCapture',
      'sendCustomAudioData',
      'enableMixExternalAudioFrame',
      'mixExternalAudioFrame',
      'setMixExternalAudioVolume',
      'generateCustomPTS',
      'setAudioFrameCallback',
    ],
  },
  {
    kind: 'Music, background music, sound effects and system audio',
    reason: NO_MEDIA,
    methods: [
      'playBGM',
      'stopBGM',
      'pauseBGM',
      'resumeBGM',
      'getBGMDuration',
      'setBGMPosition',
      'setBGMVolume',
      'setBGMPlayoutVolume',
      'setBGMPublishVolume',
      'startSystemAudioLoopback',
      'stopSystemAudioLoopback',
      'setSystemAudioLoopbackVolume',
      'setMusicObserver',
      'startPlayMusic',
      'stopPlayMusic',
      'pausePlayMusic',
      'resumePlayMusic',
      'getMusicCurrentPosInMS',
      'getMusicDurationInMS',
      'seekMusicToPosInTime',
      'setAllMusicVolume',
      'setMusicPlayoutVolume',
      'setMusicPublishVolume',
      'setMusicPitch',
      'playAudioEffect',
      'setAudioEffectVolume',
      'stopAudioEffect',
      'stopAllAudioEffects',
      'setAllAudioEffectsVolume',
      'pauseAudioEffect',
      'resumeAudioEffect',
    ],
  },
  {
    kind: 'Device and network tests',
    reason: `${NO_MEDIA}: there are no devices to test, and the speed test measures Tencent's media network`,
    methods: [
      'startSpeedTest',
      'stopSpeedTest',
      'startCameraDeviceTest',
      'stopCameraDeviceTest',
      'startMicDeviceTest',
      'stopMicDeviceTest',
      'startSpeakerDeviceTest',
      'stopSpeakerDeviceTest',
    ],
  },
  {
    kind: 'Media plugins and experimental APIs',
    reason: `${NO_MEDIA}; its plugins and experimental APIs work on the media`,
    methods: [
      'setPluginParams',
      'addPlugin',
      'removePlugin',
      'setPluginCallback',
      'initPluginManager',
      'destroyPluginManager',
      'getPluginList',
      'callExperimentalAPI',
    ],
  },
]

/** The error an unsupported method throws: it names the method and says where to read more. */
function notSupported(method, reason) {
  return codedError(
    'ERR_NOT_SUPPORTED',
    `TRTCCloud.${method} is not supported: ${reason}. See docs/media.md.`,
  )
}

/** `{ name: method }` for every unsupported method: each throws its ERR_NOT_SUPPORTED. */
function unsupportedMethods() {
  const methods = {}
  for (const { reason, methods: names } of UNSUPPORTED_GROUPS) {
    for (const name of names) {
      // A computed key gives the function its name, which shows in stack traces.
      methods[name] = {
        [name]() {
          throw notSupported(name, reason)
        },
      }[name]
    }
  }
  return methods
}

module.exports = { UNSUPPORTED_GROUPS, unsupportedMethods }
