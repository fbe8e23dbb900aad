// Types of lib/trtc-define.js: the rest of trtc-electron-sdk's trtc_define, with its names
// and values. Each enum maps its names to numbers and its numbers back to names.

export const TRTCVideoResolution: Readonly<{
  TRTCVideoResolution_120_120: 1
  TRTCVideoResolution_160_160: 3
  TRTCVideoResolution_270_270: 5
  TRTCVideoResolution_480_480: 7
  TRTCVideoResolution_160_120: 50
  TRTCVideoResolution_240_180: 52
  TRTCVideoResolution_280_210: 54
  TRTCVideoResolution_320_240: 56
  TRTCVideoResolution_400_300: 58
  TRTCVideoResolution_480_360: 60
  TRTCVideoResolution_640_480: 62
  TRTCVideoResolution_960_720: 64
  TRTCVideoResolution_160_90: 100
  TRTCVideoResolution_256_144: 102
  TRTCVideoResolution_320_180: 104
  TRTCVideoResolution_480_270: 106
  TRTCVideoResolution_640_360: 108
  TRTCVideoResolution_960_540: 110
  TRTCVideoResolution_1280_720: 112
  TRTCVideoResolution_1920_1080: 114
  TRTCVideoResolution_2560_1440: 116
  readonly [value: number]: string
}>
export type TRTCVideoResolution =
  | 1
  | 3
  | 5
  | 7
  | 50
  | 52
  | 54
  | 56
  | 58
  | 60
  | 62
  | 64
  | 100
  | 102
  | 104
  | 106
  | 108
  | 110
  | 112
  | 114
  | 116

export const TRTCVideoResolutionMode: Readonly<{
  TRTCVideoResolutionModeLandscape: 0
  TRTCVideoResolutionModePortrait: 1
  readonly [value: number]: string
}>
export type TRTCVideoResolutionMode = 0 | 1

export const TRTCQuality: Readonly<{
  TRTCQuality_Unknown: 0
  TRTCQuality_Excellent: 1
  TRTCQuality_Good: 2
  TRTCQuality_Poor: 3
  TRTCQuality_Bad: 4
  TRTCQuality_Vbad: 5
  TRTCQuality_Down: 6
  readonly [value: number]: string
}>
export type TRTCQuality = 0 | 1 | 2 | 3 | 4 | 5 | 6

export const TRTCVideoFillMode: Readonly<{
  TRTCVideoFillMode_Fill: 0
  TRTCVideoFillMode_Fit: 1
  readonly [value: number]: string
}>
export type TRTCVideoFillMode = 0 | 1

export const TRTCVideoRotation: Readonly<{
  TRTCVideoRotation0: 0
  TRTCVideoRotation90: 1
  TRTCVideoRotation180: 2
  TRTCVideoRotation270: 3
  readonly [value: number]: string
}>
export type TRTCVideoRotation = 0 | 1 | 2 | 3

export const TRTCBeautyStyle: Readonly<{
  TRTCBeautyStyleSmooth: 0
  TRTCBeautyStyleNature: 1
  readonly [value: number]: string
}>
export type TRTCBeautyStyle = 0 | 1

export const TRTCVideoPixelFormat: Readonly<{
  TRTCVideoPixelFormat_Unknown: 0
  TRTCVideoPixelFormat_I420: 1
  TRTCVideoPixelFormat_Texture_2D: 2
  TRTCVideoPixelFormat_BGRA32: 3
  TRTCVideoPixelFormat_RGBA32: 5
  TRTCVideoPixelFormat_H264: 6
  readonly [value: number]: string
}>
export type TRTCVideoPixelFormat = 0 | 1 | 2 | 3 | 5 | 6

export const TRTCVideoBufferType: Readonly<{
  TRTCVideoBufferType_Unknown: 0
  TRTCVideoBufferType_Buffer: 1
  TRTCVideoBufferType_Texture: 3
  readonly [value: number]: string
}>
export type TRTCVideoBufferType = 0 | 1 | 3

export const TRTCVideoMirrorType: Readonly<{
  TRTCVideoMirrorType_Auto: 0
  TRTCVideoMirrorType_Enable: 1
  TRTCVideoMirrorType_Disable: 2
  readonly [value: number]: string
}>
export type TRTCVideoMirrorType = 0 | 1 | 2

export const TRTCRecordType: Readonly<{
  TRTCRecordTypeAudio: 0
  TRTCRecordTypeVideo: 1
  TRTCRecordTypeBoth: 2
  readonly [value: number]: string
}>
export type TRTCRecordType = 0 | 1 | 2

export const TRTCQosControlMode: Readonly<{
  TRTCQosControlModeClient: 0
  TRTCQosControlModeServer: 1
  readonly [value: number]: string
}>
export type TRTCQosControlMode = 0 | 1

export const TRTCVideoQosPreference: Readonly<{
  TRTCVideoQosPreferenceSmooth: 1
  TRTCVideoQosPreferenceClear: 2
  readonly [value: number]: string
}>
export type TRTCVideoQosPreference = 1 | 2

export const TRTCAudioFrameFormat: Readonly<{
  TRTCAudioFrameFormatNone: 0
  TRTCAudioFrameFormatPCM: 1
  readonly [value: number]: string
}>
export type TRTCAudioFrameFormat = 0 | 1

export const TRTCScreenCaptureSourceType: Readonly<{
  TRTCScreenCaptureSourceTypeUnknown: -1
  TRTCScreenCaptureSourceTypeWindow: 0
  TRTCScreenCaptureSourceTypeScreen: 1
  TRTCScreenCaptureSourceTypeCustom: 2
  readonly [value: number]: string
}>
export type TRTCScreenCaptureSourceType = -1 | 0 | 1 | 2

export class TRTCImageBuffer {
  constructor(buffer?: ArrayBuffer)
  buffer: ArrayBuffer
  length: number
  width: number
  height: number
}

export class TRTCScreenCaptureSourceInfo {
  constructor(type?: number, sourceId?: string, sourceName?: string, thumbBGRA?: TRTCImageBuffer)
  type: number
  sourceId: string
  sourceName: string
  thumbBGRA: TRTCImageBuffer
  iconBGRA: TRTCImageBuffer
  isMinimizeWindow: boolean
  width: number
  height: number
  isMainScreen: boolean
}

export class TRTCScreenCaptureProperty {
  constructor(
    enableCaptureMouse?: boolean,
    enableHighLight?: boolean,
    enableHighPerformance?: boolean,
    highLightColor?: number,
    highLightWidth?: number,
    enableCaptureChildWindow?: boolean,
  )
  enableCaptureMouse: boolean
  enableHighLight: boolean
  enableHighPerformance: boolean
  highLightColor: number
  highLightWidth: number
  enableCaptureChildWindow: boolean
}

export class TRTCDeviceInfo {
  constructor(deviceId?: string, deviceName?: string, deviceProperties?: any)
  deviceId: string
  deviceName: string
  deviceProperties: any
}

export class TRTCVideoFrame {
  constructor(
    videoFormat?: number,
    bufferType?: number,
    data?: any,
    textureId?: number,
    length?: number,
    width?: number,
    height?: number,
    timestamp?: number,
    rotation?: number,
  )
  videoFormat: number
  bufferType: number
  data: any
  textureId: number
  length: number
  width: number
  height: number
  timestamp: number
  rotation: number
}

export class TRTCAudioFrame {
  constructor(
    audioFormat?: number,
    data?: any,
    length?: number,
    sampleRate?: number,
    channel?: number,
    timestamp?: number,
    extraData?: any,
    extraDataLength?: number,
  )
  audioFormat: number
  data: any
  length: number
  sampleRate: number
  channel: number
  timestamp: number
  extraData: any
  extraDataLength: number
}

export const TRTCLogLevel: Readonly<{
  TRTCLogLevelVerbose: 0
  TRTCLogLevelDebug: 1
  TRTCLogLevelInfo: 2
  TRTCLogLevelWarn: 3
  TRTCLogLevelError: 4
  TRTCLogLevelFatal: 5
  TRTCLogLevelNone: 6
  readonly [value: number]: string
}>
export type TRTCLogLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6

export const TRTCDeviceState: Readonly<{
  TRTCDeviceStateAdd: 0
  TRTCDeviceStateRemove: 1
  TRTCDeviceStateActive: 2
  TRTCDefaultDeviceChanged: 3
  readonly [value: number]: string
}>
export type TRTCDeviceState = 0 | 1 | 2 | 3

export const TRTCDeviceType: Readonly<{
  TRTCDeviceTypeUnknown: -1
  TRTCDeviceTypeMic: 0
  TRTCDeviceTypeSpeaker: 1
  TRTCDeviceTypeCamera: 2
  readonly [value: number]: string
}>
export type TRTCDeviceType = -1 | 0 | 1 | 2

export const TRTCCameraCaptureMode: Readonly<{
  TRTCCameraResolutionStrategyAuto: 0
  TRTCCameraResolutionStrategyPerformance: 1
  TRTCCameraResolutionStrategyHighQuality: 2
  TRTCCameraCaptureManual: 3
  readonly [value: number]: string
}>
export type TRTCCameraCaptureMode = 0 | 1 | 2 | 3

export const TRTCVideoColorRange: Readonly<{
  TRTCVideoColorRange_Auto: 0
  TRTCVideoColorRange_Limited: 1
  TRTCVideoColorRange_Full: 2
  readonly [value: number]: string
}>
export type TRTCVideoColorRange = 0 | 1 | 2

export const TRTCVideoColorSpace: Readonly<{
  TRTCVideoColorSpace_Auto: 0
  TRTCVideoColorSpace_BT601: 1
  TRTCVideoColorSpace_BT709: 2
  readonly [value: number]: string
}>
export type TRTCVideoColorSpace = 0 | 1 | 2

export const TRTCVideoEncodeComplexity: Readonly<{
  TRTCVideoEncodeComplexity_Fastest: 0
  TRTCVideoEncodeComplexity_Fast: 1
  TRTCVideoEncodeComplexity_Medium: 2
  TRTCVideoEncodeComplexity_Slow: 3
  TRTCVideoEncodeComplexity_Slowest: 4
  readonly [value: number]: string
}>
export type TRTCVideoEncodeComplexity = 0 | 1 | 2 | 3 | 4

export const TRTCWaterMarkSrcType: Readonly<{
  TRTCWaterMarkSrcTypeFile: 0
  TRTCWaterMarkSrcTypeBGRA32: 1
  TRTCWaterMarkSrcTypeRGBA32: 2
  readonly [value: number]: string
}>
export type TRTCWaterMarkSrcType = 0 | 1 | 2

export class TRTCVideoEncParam {
  constructor(
    videoResolution?: number,
    resMode?: number,
    videoFps?: number,
    videoBitrate?: number,
    minVideoBitrate?: number,
    enableAdjustRes?: boolean,
  )
  videoResolution: number
  resMode: number
  videoFps: number
  videoBitrate: number
  minVideoBitrate: number
  enableAdjustRes: boolean
  colorRange: number
  colorSpace: number
  complexity: number
}

export class TRTCRenderParams {
  constructor(rotation?: number, fillMode?: number, mirrorType?: number)
  rotation: number
  fillMode: number
  mirrorType: number
}

export class TRTCNetworkQosParam {
  constructor(preference?: number, controlMode?: number)
  preference: number
  controlMode: number
}

export class TRTCQualityInfo {
  constructor(userId?: string, quality?: number)
  userId: string
  quality: number
}

export class TRTCVolumeInfo {
  constructor(
    userId?: string,
    volume?: number,
    vad?: number,
    pitch?: number,
    spectrumData?: Float32Array,
  )
  userId: string
  volume: number
  vad: number
  pitch: number
  spectrumData: Float32Array
  spectrumDataLength: number
}

export class TRTCSpeedTestParams {
  constructor(
    sdkAppId?: number,
    userId?: string,
    userSig?: string,
    expectedUpBandwidth?: number,
    expectedDownBandwidth?: number,
  )
  sdkAppId: number
  userId: string
  userSig: string
  expectedUpBandwidth: number
  expectedDownBandwidth: number
}

export class TRTCSpeedTestResult {
  constructor(
    success?: boolean,
    errMsg?: string,
    ip?: string,
    quality?: number,
    upLostRate?: number,
    downLostRate?: number,
    rtt?: number,
    availableUpBandwidth?: number,
    availableDownBandwidth?: number,
    upJitter?: number,
    downJitter?: number,
  )
  success: boolean
  errMsg: string
  ip: string
  quality: number
  upLostRate: number
  downLostRate: number
  rtt: number
  availableUpBandwidth: number
  availableDownBandwidth: number
  upJitter: number
  downJitter: number
}

export class Rect {
  constructor(left?: number, top?: number, right?: number, bottom?: number)
  left: number
  top: number
  right: number
  bottom: number
}

export class TRTCMixUser {
  constructor(
    userId?: string,
    roomId?: string,
    rect?: any,
    zOrder?: number,
    pureAudio?: boolean,
    streamType?: number,
    inputType?: number,
    renderMode?: number,
    image?: string,
  )
  userId: string
  roomId: string
  rect: any
  zOrder: number
  pureAudio: boolean
  streamType: number
  inputType: number
  renderMode: number
  image: string
}

export const TRTCTranscodingConfigMode: Readonly<{
  TRTCTranscodingConfigMode_Unknown: 0
  TRTCTranscodingConfigMode_Manual: 1
  TRTCTranscodingConfigMode_Template_PureAudio: 2
  TRTCTranscodingConfigMode_Template_PresetLayout: 3
  TRTCTranscodingConfigMode_Template_ScreenSharing: 4
  TRTC_TranscodingConfigMode_Unknown: 5
  TRTC_TranscodingConfigMode_Manual: 6
  TRTC_TranscodingConfigMode_Template_PureAudio: 7
  TRTC_TranscodingConfigMode_Template_PresetLayout: 8
  TRTC_TranscodingConfigMode_Template_ScreenSharing: 9
  readonly [value: number]: string
}>
export type TRTCTranscodingConfigMode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9

export const TRTCMixInputType: Readonly<{
  TRTCMixInputTypeUndefined: 0
  TRTCMixInputTypeAudioVideo: 1
  TRTCMixInputTypePureVideo: 2
  TRTCMixInputTypePureAudio: 3
  TRTCMixInputTypeWatermark: 4
  readonly [value: number]: string
}>
export type TRTCMixInputType = 0 | 1 | 2 | 3 | 4

export const TRTCAudioRecordingContent: Readonly<{
  TRTCAudioRecordingContentAll: 0
  TRTCAudioRecordingContentLocal: 1
  TRTCAudioRecordingContentRemote: 2
  readonly [value: number]: string
}>
export type TRTCAudioRecordingContent = 0 | 1 | 2

export const TRTCPublishMode: Readonly<{
  TRTCPublishModeUnknown: 0
  TRTCPublishBigStreamToCdn: 1
  TRTCPublishSubStreamToCdn: 2
  TRTCPublishMixStreamToCdn: 3
  TRTCPublishMixStreamToRoom: 4
  readonly [value: number]: string
}>
export type TRTCPublishMode = 0 | 1 | 2 | 3 | 4

export const TRTCVoiceReverbType: Readonly<{
  TRTCLiveVoiceReverbType_0: 0
  TRTCLiveVoiceReverbType_1: 1
  TRTCLiveVoiceReverbType_2: 2
  TRTCLiveVoiceReverbType_3: 3
  TRTCLiveVoiceReverbType_4: 4
  TRTCLiveVoiceReverbType_5: 5
  TRTCLiveVoiceReverbType_6: 6
  TRTCLiveVoiceReverbType_7: 7
  TRTCLiveVoiceReverbType_8: 8
  TRTCLiveVoiceReverbType_9: 9
  TRTCLiveVoiceReverbType_10: 10
  TRTCLiveVoiceReverbType_11: 11
  readonly [value: number]: string
}>
export type TRTCVoiceReverbType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11

export const TRTCVoiceChangerType: Readonly<{
  TRTCLiveVoiceChangerType_0: 0
  TRTCLiveVoiceChangerType_1: 1
  TRTCLiveVoiceChangerType_2: 2
  TRTCLiveVoiceChangerType_3: 3
  TRTCLiveVoiceChangerType_4: 4
  TRTCLiveVoiceChangerType_5: 5
  TRTCLiveVoiceChangerType_6: 6
  TRTCLiveVoiceChangerType_7: 7
  TRTCLiveVoiceChangerType_8: 8
  TRTCLiveVoiceChangerType_9: 9
  TRTCLiveVoiceChangerType_10: 10
  TRTCLiveVoiceChangerType_11: 11
  readonly [value: number]: string
}>
export type TRTCVoiceChangerType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11

export const TRTCPluginType: Readonly<{
  TRTCPluginTypeUnknown: 0
  TRTCPluginTypeVideoProcess: 1
  TRTCPluginTypeMediaEncryptDecrypt: 2
  TRTCPluginTypeAudioProcess: 3
  readonly [value: number]: string
}>
export type TRTCPluginType = 0 | 1 | 2 | 3

export class TRTCTranscodingConfig {
  constructor(
    mode?: number,
    appId?: number,
    bizId?: number,
    videoWidth?: number,
    videoHeight?: number,
    videoBitrate?: number,
    videoFramerate?: number,
    videoGOP?: number,
    backgroundColor?: number,
    backgroundImage?: string,
    audioSampleRate?: number,
    audioBitrate?: number,
    audioChannels?: number,
    mixUsersArray?: any[],
    streamId?: string,
  )
  mode: number
  appId: number
  bizId: number
  videoWidth: number
  videoHeight: number
  videoBitrate: number
  videoFramerate: number
  videoGOP: number
  backgroundColor: number
  backgroundImage: string
  audioSampleRate: number
  audioBitrate: number
  audioChannels: number
  mixUsersArray: any[]
  streamId: string
}

export class TRTCPublishCDNParam {
  constructor(appId?: number, bizId?: number, url?: any, streamId?: any)
  appId: number
  bizId: number
  url: any
  streamId: any
}

export class TRTCAudioRecordingParams {
  constructor(filePath?: any, recordingContent?: number, maxDurationPerFile?: number)
  filePath: any
  recordingContent: number
  maxDurationPerFile: number
}

export class TRTCAudioEffectParam {
  constructor(
    effectId?: number,
    path?: string,
    loopCount?: number,
    publish?: boolean,
    volume?: number,
  )
  effectId: number
  path: string
  loopCount: number
  publish: boolean
  volume: number
}

export class TRTCLocalStatistics {
  constructor(
    width?: number,
    height?: number,
    frameRate?: number,
    videoBitrate?: number,
    audioSampleRate?: number,
    audioBitrate?: number,
    streamType?: number,
  )
  width: number
  height: number
  frameRate: number
  videoBitrate: number
  audioSampleRate: number
  audioBitrate: number
  streamType: number
}

export class TRTCRemoteStatistics {
  constructor(
    userId?: string,
    finalLoss?: number,
    width?: number,
    height?: number,
    frameRate?: number,
    videoBitrate?: number,
    audioSampleRate?: number,
    audioBitrate?: number,
    jitterBufferDelay?: number,
    audioTotalBlockTime?: number,
    audioBlockRate?: number,
    videoTotalBlockTime?: number,
    videoBlockRate?: number,
    streamType?: number,
    audioPacketLoss?: number,
    videoPacketLoss?: number,
    point2PointDelay?: number,
    remoteNetworkUplinkLoss?: number,
    remoteNetworkRTT?: number,
  )
  userId: string
  finalLoss: number
  width: number
  height: number
  frameRate: number
  videoBitrate: number
  audioSampleRate: number
  audioBitrate: number
  jitterBufferDelay: number
  audioTotalBlockTime: number
  audioBlockRate: number
  videoTotalBlockTime: number
  videoBlockRate: number
  streamType: number
  audioPacketLoss: number
  videoPacketLoss: number
  point2PointDelay: number
  remoteNetworkUplinkLoss: number
  remoteNetworkRTT: number
}

export class TRTCStatistics {
  constructor(
    upLoss?: number,
    downLoss?: number,
    appCpu?: number,
    systemCpu?: number,
    rtt?: number,
    receivedBytes?: number,
    sentBytes?: number,
    localStatisticsArray?: any[],
    localStatisticsArraySize?: number,
    remoteStatisticsArray?: any[],
    remoteStatisticsArraySize?: number,
    gatewayRtt?: number,
    appMemoryUsageInMB?: number,
    systemMemoryUsageInMB?: number,
    systemMemoryInMB?: number,
  )
  upLoss: number
  downLoss: number
  appCpu: number
  systemCpu: number
  rtt: number
  receivedBytes: number
  sentBytes: number
  localStatisticsArray: any[]
  localStatisticsArraySize: number
  remoteStatisticsArray: any[]
  remoteStatisticsArraySize: number
  gatewayRtt: number
  appMemoryUsageInMB: number
  systemMemoryUsageInMB: number
  systemMemoryInMB: number
}

export class AudioMusicParam {
  constructor(
    id?: number,
    path?: string,
    loopCount?: number,
    publish?: boolean,
    isShortFile?: boolean,
    startTimeMS?: number,
    endTimeMS?: number,
  )
  id: number
  path: string
  loopCount: number
  publish: boolean
  isShortFile: boolean
  startTimeMS: number
  endTimeMS: number
}

export class VideoBufferInfo {
  constructor(options?: {
    id: number
    userId: string
    width: number
    height: number
    streamType: number
    pixelFormat: number
  })
  id: number
  userId: string
  buffer: any
  streamType: number
  width: number
  height: number
  pixelFormat: number
  pixelLength: number
}
