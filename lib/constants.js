'use strict'
// trtc-electron-sdk's constants, with its exact names and values.

const binding = require('./native-binding.js')
const { trtcEnum } = require('./trtc-define.js')

/** TRTCAppScene: what kind of room this is. */
const TRTCAppScene = trtcEnum({
  TRTCAppSceneVideoCall: 0,
  TRTCAppSceneLIVE: 1,
  TRTCAppSceneAudioCall: 2,
  TRTCAppSceneVoiceChatRoom: 3,
})

/** TRTCRoleType: anchors publish, audience members watch (LIVE and VoiceChatRoom scenes). */
const TRTCRoleType = trtcEnum({
  TRTCRoleAnchor: 20,
  TRTCRoleAudience: 21,
})

/** TRTCAudioQuality: startLocalAudio's argument (OpenRoom carries no audio; checked and kept). */
const TRTCAudioQuality = trtcEnum({
  TRTCAudioQualitySpeech: 1,
  TRTCAudioQualityDefault: 2,
  TRTCAudioQualityMusic: 3,
})

/** TRTCVideoStreamType: muteLocalVideo(streamType, mute) takes the big (camera) stream. */
const TRTCVideoStreamType = trtcEnum({
  TRTCVideoStreamTypeBig: 0,
  TRTCVideoStreamTypeSmall: 1,
  TRTCVideoStreamTypeSub: 2,
})

/** TXLiteAVError: error codes under their TRTC names; the values come from the Rust core. */
const TXLiteAVError = Object.freeze(binding.errorCodes())

/** OpenRoom's warning codes (onWarning): something asked for did not happen; the values come from the Rust core. */
const TXLiteAVWarning = Object.freeze(binding.warningCodes())

/** `{ name: value }` of the binding's `[{ name, value }]`, in its order, frozen. */
const table = (entries) => Object.freeze(Object.fromEntries(entries.map((e) => [e.name, e.value])))

/** `{ NAME: 'NAME' }` of `names`, frozen. */
const namedAsThemselves = (names) => Object.freeze(Object.fromEntries(names.map((n) => [n, n])))

/** The reasons of onExitRoom(reason); the values come from the Rust core. */
const ExitRoomReason = table(binding.exitReasons())

/** The reasons of onRemoteUserLeaveRoom(userId, reason); the values come from the Rust core. */
const RemoteLeaveReason = table(binding.leaveReasons())

/** getConnectionState() and the first argument of onConnectionStateChanged(state, reason). */
const TRTCConnectionState = namedAsThemselves(binding.connectionStates())

/** The second argument of onConnectionStateChanged(state, reason): why the state changed. */
const ConnectionChangeReason = namedAsThemselves(binding.connectionChangeReasons())

/**
 * enterRoom's parameters, with trtc-electron-sdk's constructor argument order and defaults.
 * privateMapKey is checked by the server (see docs/security.md, Room permissions); businessInfo, streamId
 * and userDefineRecordId are accepted and not used.
 */
class TRTCParams {
  constructor(
    sdkAppId = 0,
    userId = '',
    userSig = '',
    roomId = 0,
    strRoomId = '',
    role = TRTCRoleType.TRTCRoleAnchor,
    privateMapKey = null,
    businessInfo = null,
    streamId = null,
    userDefineRecordId = null,
  ) {
    this.sdkAppId = sdkAppId
    this.userId = userId
    this.userSig = userSig
    this.roomId = roomId
    this.strRoomId = strRoomId
    this.role = role
    this.privateMapKey = privateMapKey
    this.businessInfo = businessInfo
    this.streamId = streamId
    this.userDefineRecordId = userDefineRecordId
  }
}

/** switchRoom's parameters, with trtc-electron-sdk's constructor argument order. */
class TRTCSwitchRoomParam {
  constructor(roomId = 0, strRoomId = '', userSig = '', privateMapKey = '') {
    this.roomId = roomId
    this.strRoomId = strRoomId
    this.userSig = userSig
    this.privateMapKey = privateMapKey
  }
}

module.exports = {
  TRTCSwitchRoomParam,
  TRTCAppScene,
  TRTCRoleType,
  TRTCAudioQuality,
  TRTCVideoStreamType,
  TXLiteAVError,
  TXLiteAVWarning,
  ExitRoomReason,
  RemoteLeaveReason,
  TRTCConnectionState,
  ConnectionChangeReason,
  TRTCParams,
}
