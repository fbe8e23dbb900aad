'use strict'
// The rest of trtc-electron-sdk's trtc_define: its enums and parameter classes, with the same
// names, values and constructor defaults, so code written against trtc-electron-sdk that builds
// these (a TRTCVideoEncParam for setVideoEncoderParam, a TRTCRenderParams …) runs unchanged.
// OpenRoom carries no audio or video: most of them are accepted by the calls that take them
// and change nothing (see docs/media.md). __test__/trtc-define.test.js compares
// every name, value and default with trtc-electron-sdk's own file.

/**
 * An enum as trtc-electron-sdk's TypeScript builds it: each name maps to its number, and each
 * number back to its name (TRTCVideoResolution[108] === 'TRTCVideoResolution_640_360').
 */
function trtcEnum(values) {
  const object = { ...values }
  for (const [name, value] of Object.entries(values)) object[value] = name
  return Object.freeze(object)
}

const TRTCVideoResolution = trtcEnum({
  TRTCVideoResolution_120_120: 1,
  TRTCVideoResolution_160_160: 3,
  TRTCVideoResolution_270_270: 5,
  TRTCVideoResolution_480_480: 7,
  TRTCVideoResolution_160_120: 50,
  TRTCVideoResolution_240_180: 52,
  TRTCVideoResolution_280_210: 54,
  TRTCVideoResolution_320_240: 56,
  TRTCVideoResolution_400_300: 58,
  TRTCVideoResolution_480_360: 60,
  TRTCVideoResolution_640_480: 62,
  TRTCVideoResolution_960_720: 64,
  TRTCVideoResolution_160_90: 100,
  TRTCVideoResolution_256_144: 102,
  TRTCVideoResolution_320_180: 104,
  TRTCVideoResolution_480_270: 106,
  TRTCVideoResolution_640_360: 108,
  TRTCVideoResolution_960_540: 110,
  TRTCVideoResolution_1280_720: 112,
  TRTCVideoResolution_1920_1080: 114,
  TRTCVideoResolution_2560_1440: 116,
})

const TRTCVideoResolutionMode = trtcEnum({
  TRTCVideoResolutionModeLandscape: 0,
  TRTCVideoResolutionModePortrait: 1,
})

const TRTCQuality = trtcEnum({
  TRTCQuality_Unknown: 0,
  TRTCQuality_Excellent: 1,
  TRTCQuality_Good: 2,
  TRTCQuality_Poor: 3,
  TRTCQuality_Bad: 4,
  TRTCQuality_Vbad: 5,
  TRTCQuality_Down: 6,
})

const TRTCVideoFillMode = trtcEnum({
  TRTCVideoFillMode_Fill: 0,
  TRTCVideoFillMode_Fit: 1,
})

const TRTCVideoRotation = trtcEnum({
  TRTCVideoRotation0: 0,
  TRTCVideoRotation90: 1,
  TRTCVideoRotation180: 2,
  TRTCVideoRotation270: 3,
})

const TRTCBeautyStyle = trtcEnum({
  TRTCBeautyStyleSmooth: 0,
  TRTCBeautyStyleNature: 1,
})

const TRTCVideoPixelFormat = trtcEnum({
  TRTCVideoPixelFormat_Unknown: 0,
  TRTCVideoPixelFormat_I420: 1,
  TRTCVideoPixelFormat_Texture_2D: 2,
  TRTCVideoPixelFormat_BGRA32: 3,
  TRTCVideoPixelFormat_RGBA32: 5,
  TRTCVideoPixelFormat_H264: 6,
})

const TRTCVideoBufferType = trtcEnum({
  TRTCVideoBufferType_Unknown: 0,
  TRTCVideoBufferType_Buffer: 1,
  TRTCVideoBufferType_Texture: 3,
})

const TRTCVideoMirrorType = trtcEnum({
  TRTCVideoMirrorType_Auto: 0,
  TRTCVideoMirrorType_Enable: 1,
  TRTCVideoMirrorType_Disable: 2,
})

const TRTCRecordType = trtcEnum({
  TRTCRecordTypeAudio: 0,
  TRTCRecordTypeVideo: 1,
  TRTCRecordTypeBoth: 2,
})

const TRTCQosControlMode = trtcEnum({
  TRTCQosControlModeClient: 0,
  TRTCQosControlModeServer: 1,
})

const TRTCVideoQosPreference = trtcEnum({
  TRTCVideoQosPreferenceSmooth: 1,
  TRTCVideoQosPreferenceClear: 2,
})

const TRTCAudioFrameFormat = trtcEnum({
  TRTCAudioFrameFormatNone: 0,
  TRTCAudioFrameFormatPCM: 1,
})

const TRTCScreenCaptureSourceType = trtcEnum({
  TRTCScreenCaptureSourceTypeUnknown: -1,
  TRTCScreenCaptureSourceTypeWindow: 0,
  TRTCScreenCaptureSourceTypeScreen: 1,
  TRTCScreenCaptureSourceTypeCustom: 2,
})

const TRTCLogLevel = trtcEnum({
  TRTCLogLevelVerbose: 0,
  TRTCLogLevelDebug: 1,
  TRTCLogLevelInfo: 2,
  TRTCLogLevelWarn: 3,
  TRTCLogLevelError: 4,
  TRTCLogLevelFatal: 5,
  TRTCLogLevelNone: 6,
})

const TRTCDeviceState = trtcEnum({
  TRTCDeviceStateAdd: 0,
  TRTCDeviceStateRemove: 1,
  TRTCDeviceStateActive: 2,
  TRTCDefaultDeviceChanged: 3,
})

const TRTCDeviceType = trtcEnum({
  TRTCDeviceTypeUnknown: -1,
  TRTCDeviceTypeMic: 0,
  TRTCDeviceTypeSpeaker: 1,
  TRTCDeviceTypeCamera: 2,
})

const TRTCCameraCaptureMode = trtcEnum({
  TRTCCameraResolutionStrategyAuto: 0,
  TRTCCameraResolutionStrategyPerformance: 1,
  TRTCCameraResolutionStrategyHighQuality: 2,
  TRTCCameraCaptureManual: 3,
})

const TRTCVideoColorRange = trtcEnum({
  TRTCVideoColorRange_Auto: 0,
  TRTCVideoColorRange_Limited: 1,
  TRTCVideoColorRange_Full: 2,
})

const TRTCVideoColorSpace = trtcEnum({
  TRTCVideoColorSpace_Auto: 0,
  TRTCVideoColorSpace_BT601: 1,
  TRTCVideoColorSpace_BT709: 2,
})

const TRTCVideoEncodeComplexity = trtcEnum({
  TRTCVideoEncodeComplexity_Fastest: 0,
  TRTCVideoEncodeComplexity_Fast: 1,
  TRTCVideoEncodeComplexity_Medium: 2,
  TRTCVideoEncodeComplexity_Slow: 3,
  TRTCVideoEncodeComplexity_Slowest: 4,
})

const TRTCWaterMarkSrcType = trtcEnum({
  TRTCWaterMarkSrcTypeFile: 0,
  TRTCWaterMarkSrcTypeBGRA32: 1,
  TRTCWaterMarkSrcTypeRGBA32: 2,
})

const TRTCTranscodingConfigMode = trtcEnum({
  TRTCTranscodingConfigMode_Unknown: 0,
  TRTCTranscodingConfigMode_Manual: 1,
  TRTCTranscodingConfigMode_Template_PureAudio: 2,
  TRTCTranscodingConfigMode_Template_PresetLayout: 3,
  TRTCTranscodingConfigMode_Template_ScreenSharing: 4,
  TRTC_TranscodingConfigMode_Unknown: 5,
  TRTC_TranscodingConfigMode_Manual: 6,
  TRTC_TranscodingConfigMode_Template_PureAudio: 7,
  TRTC_TranscodingConfigMode_Template_PresetLayout: 8,
  TRTC_TranscodingConfigMode_Template_ScreenSharing: 9,
})

const TRTCMixInputType = trtcEnum({
  TRTCMixInputTypeUndefined: 0,
  TRTCMixInputTypeAudioVideo: 1,
  TRTCMixInputTypePureVideo: 2,
  TRTCMixInputTypePureAudio: 3,
  TRTCMixInputTypeWatermark: 4,
})

const TRTCAudioRecordingContent = trtcEnum({
  TRTCAudioRecordingContentAll: 0,
  TRTCAudioRecordingContentLocal: 1,
  TRTCAudioRecordingContentRemote: 2,
})

const TRTCPublishMode = trtcEnum({
  TRTCPublishModeUnknown: 0,
  TRTCPublishBigStreamToCdn: 1,
  TRTCPublishSubStreamToCdn: 2,
  TRTCPublishMixStreamToCdn: 3,
  TRTCPublishMixStreamToRoom: 4,
})

const TRTCVoiceReverbType = trtcEnum({
  TRTCLiveVoiceReverbType_0: 0,
  TRTCLiveVoiceReverbType_1: 1,
  TRTCLiveVoiceReverbType_2: 2,
  TRTCLiveVoiceReverbType_3: 3,
  TRTCLiveVoiceReverbType_4: 4,
  TRTCLiveVoiceReverbType_5: 5,
  TRTCLiveVoiceReverbType_6: 6,
  TRTCLiveVoiceReverbType_7: 7,
  TRTCLiveVoiceReverbType_8: 8,
  TRTCLiveVoiceReverbType_9: 9,
  TRTCLiveVoiceReverbType_10: 10,
  TRTCLiveVoiceReverbType_11: 11,
})

const TRTCVoiceChangerType = trtcEnum({
  TRTCLiveVoiceChangerType_0: 0,
  TRTCLiveVoiceChangerType_1: 1,
  TRTCLiveVoiceChangerType_2: 2,
  TRTCLiveVoiceChangerType_3: 3,
  TRTCLiveVoiceChangerType_4: 4,
  TRTCLiveVoiceChangerType_5: 5,
  TRTCLiveVoiceChangerType_6: 6,
  TRTCLiveVoiceChangerType_7: 7,
  TRTCLiveVoiceChangerType_8: 8,
  TRTCLiveVoiceChangerType_9: 9,
  TRTCLiveVoiceChangerType_10: 10,
  TRTCLiveVoiceChangerType_11: 11,
})

const TRTCPluginType = trtcEnum({
  TRTCPluginTypeUnknown: 0,
  TRTCPluginTypeVideoProcess: 1,
  TRTCPluginTypeMediaEncryptDecrypt: 2,
  TRTCPluginTypeAudioProcess: 3,
})

class TRTCImageBuffer {
  constructor(buffer = new ArrayBuffer(0), length = 0, width = 0, height = 0) {
    this.buffer = buffer
    this.length = length
    this.width = width
    this.height = height
  }
}

class TRTCScreenCaptureSourceInfo {
  constructor(
    type = -1,
    sourceId = '',
    sourceName = '',
    thumbBGRA = new TRTCImageBuffer(),
    iconBGRA = new TRTCImageBuffer(),
    isMinimizeWindow = false,
    width = 0,
    height = 0,
    isMainScreen = false,
  ) {
    this.type = type
    this.sourceId = sourceId
    this.sourceName = sourceName
    this.thumbBGRA = thumbBGRA
    this.iconBGRA = iconBGRA
    this.isMinimizeWindow = isMinimizeWindow
    this.width = width
    this.height = height
    this.isMainScreen = isMainScreen
  }
}

class TRTCScreenCaptureProperty {
  constructor(
    enableCaptureMouse = true,
    enableHighLight = true,
    enableHighPerformance = true,
    highLightColor = 0,
    highLightWidth = 0,
    enableCaptureChildWindow = false,
  ) {
    this.enableCaptureMouse = enableCaptureMouse
    this.enableHighLight = enableHighLight
    this.enableHighPerformance = enableHighPerformance
    this.highLightColor = highLightColor
    this.highLightWidth = highLightWidth
    this.enableCaptureChildWindow = enableCaptureChildWindow
  }
}

class TRTCDeviceInfo {
  constructor(deviceId = '', deviceName = '', deviceProperties) {
    this.deviceId = deviceId
    this.deviceName = deviceName
    this.deviceProperties = deviceProperties
  }
}

class TRTCVideoFrame {
  constructor(
    videoFormat = 0,
    bufferType = 0,
    data = null,
    textureId = 0,
    length = 0,
    width = 0,
    height = 0,
    timestamp = 0,
    rotation = 0,
  ) {
    this.videoFormat = videoFormat
    this.bufferType = bufferType
    this.data = data
    this.textureId = textureId
    this.length = length
    this.width = width
    this.height = height
    this.timestamp = timestamp
    this.rotation = rotation
  }
}

class TRTCAudioFrame {
  constructor(
    audioFormat = 0,
    data = null,
    length = 0,
    sampleRate = 48000,
    channel = 1,
    timestamp = 0,
    extraData = null,
    extraDataLength = 0,
  ) {
    this.audioFormat = audioFormat
    this.data = data
    this.length = length
    this.sampleRate = sampleRate
    this.channel = channel
    this.timestamp = timestamp
    this.extraData = extraData
    this.extraDataLength = extraDataLength
  }
}

class TRTCVideoEncParam {
  constructor(
    videoResolution = 108,
    resMode = 0,
    videoFps = 15,
    videoBitrate = 550,
    minVideoBitrate = 0,
    enableAdjustRes = false,
  ) {
    this.videoResolution = videoResolution
    this.resMode = resMode
    this.videoFps = videoFps
    this.videoBitrate = videoBitrate
    this.minVideoBitrate = minVideoBitrate
    this.enableAdjustRes = enableAdjustRes
    this.colorRange = 0
    this.colorSpace = 0
    this.complexity = 0
  }
}

class TRTCRenderParams {
  constructor(rotation = 0, fillMode = 1, mirrorType = 2) {
    this.rotation = rotation
    this.fillMode = fillMode
    this.mirrorType = mirrorType
  }
}

class TRTCNetworkQosParam {
  constructor(preference = 2, controlMode = 1) {
    this.preference = preference
    this.controlMode = controlMode
  }
}

class TRTCQualityInfo {
  constructor(userId = '', quality = 0) {
    this.userId = userId
    this.quality = quality
  }
}

class TRTCVolumeInfo {
  constructor(
    userId = '',
    volume = 0,
    vad = 0,
    pitch = 0,
    spectrumData = new Float32Array(0),
    spectrumDataLength = 0,
  ) {
    this.userId = userId
    this.volume = volume
    this.vad = vad
    this.pitch = pitch
    this.spectrumData = spectrumData
    this.spectrumDataLength = spectrumDataLength
  }
}

class TRTCSpeedTestParams {
  constructor(
    sdkAppId = 0,
    userId = '',
    userSig = '',
    expectedUpBandwidth = 0,
    expectedDownBandwidth = 0,
  ) {
    this.sdkAppId = sdkAppId
    this.userId = userId
    this.userSig = userSig
    this.expectedUpBandwidth = expectedUpBandwidth
    this.expectedDownBandwidth = expectedDownBandwidth
  }
}

class TRTCSpeedTestResult {
  constructor(
    success = false,
    errMsg = '',
    ip = '',
    quality = 0,
    upLostRate = 0,
    downLostRate = 0,
    rtt = 0,
    availableUpBandwidth = -1,
    availableDownBandwidth = -1,
    upJitter = -1,
    downJitter = -1,
  ) {
    this.success = success
    this.errMsg = errMsg
    this.ip = ip
    this.quality = quality
    this.upLostRate = upLostRate
    this.downLostRate = downLostRate
    this.rtt = rtt
    this.availableUpBandwidth = availableUpBandwidth
    this.availableDownBandwidth = availableDownBandwidth
    this.upJitter = upJitter
    this.downJitter = downJitter
  }
}

class Rect {
  constructor(left = 0, top = 0, right = 0, bottom = 0) {
    this.left = left
    this.top = top
    this.right = right
    this.bottom = bottom
  }
}

class TRTCMixUser {
  constructor(
    userId = '',
    roomId = '',
    rect = null,
    zOrder = 0,
    pureAudio = false,
    streamType = 0,
    inputType = 0,
    renderMode = 0,
    image = '',
  ) {
    this.userId = userId
    this.roomId = roomId
    this.rect = rect
    this.zOrder = zOrder
    this.pureAudio = pureAudio
    this.streamType = streamType
    this.inputType = inputType
    this.renderMode = renderMode
    this.image = image
  }
}

class TRTCTranscodingConfig {
  constructor(
    mode = 0,
    appId = 0,
    bizId = 0,
    videoWidth = 0,
    videoHeight = 0,
    videoBitrate = 0,
    videoFramerate = 15,
    videoGOP = 2,
    backgroundColor = 0,
    backgroundImage = '',
    audioSampleRate = 64,
    audioBitrate = 48000,
    audioChannels = 1,
    mixUsersArray = [],
    streamId = '',
  ) {
    this.mode = mode
    this.appId = appId
    this.bizId = bizId
    this.videoWidth = videoWidth
    this.videoHeight = videoHeight
    this.videoBitrate = videoBitrate
    this.videoFramerate = videoFramerate
    this.videoGOP = videoGOP
    this.backgroundColor = backgroundColor
    this.backgroundImage = backgroundImage
    this.audioSampleRate = audioSampleRate
    this.audioBitrate = audioBitrate
    this.audioChannels = audioChannels
    this.mixUsersArray = mixUsersArray
    this.streamId = streamId
  }
}

class TRTCPublishCDNParam {
  constructor(appId = 0, bizId = 0, url = null, streamId = null) {
    this.appId = appId
    this.bizId = bizId
    this.url = url
    this.streamId = streamId
  }
}

class TRTCAudioRecordingParams {
  constructor(filePath = null, recordingContent = 0, maxDurationPerFile = 0) {
    this.filePath = filePath
    this.recordingContent = recordingContent
    this.maxDurationPerFile = maxDurationPerFile
  }
}

class TRTCAudioEffectParam {
  constructor(effectId = 0, path = '', loopCount = 0, publish = false, volume = 100) {
    this.effectId = effectId
    this.path = path
    this.loopCount = loopCount
    this.publish = publish
    this.volume = volume
  }
}

class TRTCLocalStatistics {
  constructor(
    width = 0,
    height = 0,
    frameRate = 0,
    videoBitrate = 0,
    audioSampleRate = 0,
    audioBitrate = 0,
    streamType = 0,
  ) {
    this.width = width
    this.height = height
    this.frameRate = frameRate
    this.videoBitrate = videoBitrate
    this.audioSampleRate = audioSampleRate
    this.audioBitrate = audioBitrate
    this.streamType = streamType
  }
}

class TRTCRemoteStatistics {
  constructor(
    userId = '',
    finalLoss = 0,
    width = 0,
    height = 0,
    frameRate = 0,
    videoBitrate = 0,
    audioSampleRate = 0,
    audioBitrate = 0,
    jitterBufferDelay = 0,
    audioTotalBlockTime = 0,
    audioBlockRate = 0,
    videoTotalBlockTime = 0,
    videoBlockRate = 0,
    streamType = 0,
    audioPacketLoss = 0,
    videoPacketLoss = 0,
    point2PointDelay = 0,
    remoteNetworkUplinkLoss = 0,
    remoteNetworkRTT = 0,
  ) {
    this.userId = userId
    this.finalLoss = finalLoss
    this.width = width
    this.height = height
    this.frameRate = frameRate
    this.videoBitrate = videoBitrate
    this.audioSampleRate = audioSampleRate
    this.audioBitrate = audioBitrate
    this.jitterBufferDelay = jitterBufferDelay
    this.audioTotalBlockTime = audioTotalBlockTime
    this.audioBlockRate = audioBlockRate
    this.videoTotalBlockTime = videoTotalBlockTime
    this.videoBlockRate = videoBlockRate
    this.streamType = streamType
    this.audioPacketLoss = audioPacketLoss
    this.videoPacketLoss = videoPacketLoss
    this.point2PointDelay = point2PointDelay
    this.remoteNetworkUplinkLoss = remoteNetworkUplinkLoss
    this.remoteNetworkRTT = remoteNetworkRTT
  }
}

class TRTCStatistics {
  constructor(
    upLoss = 0,
    downLoss = 0,
    appCpu = 0,
    systemCpu = 0,
    rtt = 0,
    receivedBytes = 0,
    sentBytes = 0,
    localStatisticsArray = [],
    localStatisticsArraySize = 0,
    remoteStatisticsArray = [],
    remoteStatisticsArraySize = 0,
    gatewayRtt = 0,
    appMemoryUsageInMB = 0,
    systemMemoryUsageInMB = 0,
    systemMemoryInMB = 0,
  ) {
    this.upLoss = upLoss
    this.downLoss = downLoss
    this.appCpu = appCpu
    this.systemCpu = systemCpu
    this.rtt = rtt
    this.receivedBytes = receivedBytes
    this.sentBytes = sentBytes
    this.localStatisticsArray = localStatisticsArray
    this.localStatisticsArraySize = localStatisticsArraySize
    this.remoteStatisticsArray = remoteStatisticsArray
    this.remoteStatisticsArraySize = remoteStatisticsArraySize
    this.gatewayRtt = gatewayRtt
    this.appMemoryUsageInMB = appMemoryUsageInMB
    this.systemMemoryUsageInMB = systemMemoryUsageInMB
    this.systemMemoryInMB = systemMemoryInMB
  }
}

class AudioMusicParam {
  constructor(
    id = 0,
    path = '',
    loopCount = 0,
    publish = true,
    isShortFile = false,
    startTimeMS = 0,
    endTimeMS = 0,
  ) {
    this.id = id
    this.path = path
    this.loopCount = loopCount
    this.publish = publish
    this.isShortFile = isShortFile
    this.startTimeMS = startTimeMS
    this.endTimeMS = endTimeMS
  }
}

/** A renderer's frame buffer description (trtc-electron-sdk's VideoBufferInfo). */
class VideoBufferInfo {
  constructor(options) {
    this.id = -1
    this.userId = ''
    this.buffer = null
    this.streamType = 0
    this.width = 0
    this.height = 0
    this.pixelFormat = TRTCVideoPixelFormat.TRTCVideoPixelFormat_I420
    this.pixelLength = 1.5
    if (options) {
      const { id, userId, width, height, streamType, pixelFormat } = options
      Object.assign(this, { id, userId, width, height, streamType, pixelFormat })
      // Four bytes a pixel but for I420's one and a half.
      this.pixelLength = pixelFormat === TRTCVideoPixelFormat.TRTCVideoPixelFormat_I420 ? 1.5 : 4
      this.buffer = new Uint8Array(width * height * this.pixelLength)
    }
  }
}

module.exports = {
  trtcEnum,
  TRTCVideoResolution,
  TRTCVideoResolutionMode,
  TRTCQuality,
  TRTCVideoFillMode,
  TRTCVideoRotation,
  TRTCBeautyStyle,
  TRTCVideoPixelFormat,
  TRTCVideoBufferType,
  TRTCVideoMirrorType,
  TRTCRecordType,
  TRTCQosControlMode,
  TRTCVideoQosPreference,
  TRTCAudioFrameFormat,
  TRTCScreenCaptureSourceType,
  TRTCImageBuffer,
  TRTCScreenCaptureSourceInfo,
  TRTCScreenCaptureProperty,
  TRTCDeviceInfo,
  TRTCVideoFrame,
  TRTCAudioFrame,
  TRTCLogLevel,
  TRTCDeviceState,
  TRTCDeviceType,
  TRTCCameraCaptureMode,
  TRTCVideoColorRange,
  TRTCVideoColorSpace,
  TRTCVideoEncodeComplexity,
  TRTCWaterMarkSrcType,
  TRTCVideoEncParam,
  TRTCRenderParams,
  TRTCNetworkQosParam,
  TRTCQualityInfo,
  TRTCVolumeInfo,
  TRTCSpeedTestParams,
  TRTCSpeedTestResult,
  Rect,
  TRTCMixUser,
  TRTCTranscodingConfigMode,
  TRTCMixInputType,
  TRTCAudioRecordingContent,
  TRTCPublishMode,
  TRTCVoiceReverbType,
  TRTCVoiceChangerType,
  TRTCPluginType,
  TRTCTranscodingConfig,
  TRTCPublishCDNParam,
  TRTCAudioRecordingParams,
  TRTCAudioEffectParam,
  TRTCLocalStatistics,
  TRTCRemoteStatistics,
  TRTCStatistics,
  AudioMusicParam,
  VideoBufferInfo,
}
