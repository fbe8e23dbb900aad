'use strict'
// @openroom/trtc: trtc-electron-sdk's TRTCCloud room API, backed by a self-hosted room server.

const { TRTCCloud } = require('./lib/trtc-cloud.js')
const constants = require('./lib/constants.js')
const { startServer, RoomServer } = require('./lib/server.js')
const { RoomServiceClient } = require('./lib/room-service-client.js')
const {
  genUserSig,
  genPrivateMapKey,
  genPrivateMapKeyWithStringRoomID,
} = require('./lib/usersig.js')

// The default export is TRTCCloud, as in trtc-electron-sdk; everything is also named.
module.exports = TRTCCloud
module.exports.default = TRTCCloud
module.exports.TRTCCloud = TRTCCloud
module.exports.TRTCParams = constants.TRTCParams
module.exports.TRTCSwitchRoomParam = constants.TRTCSwitchRoomParam
module.exports.TRTCAppScene = constants.TRTCAppScene
module.exports.TRTCRoleType = constants.TRTCRoleType
module.exports.TRTCAudioQuality = constants.TRTCAudioQuality
module.exports.TRTCVideoStreamType = constants.TRTCVideoStreamType
module.exports.TXLiteAVError = constants.TXLiteAVError
module.exports.TXLiteAVWarning = constants.TXLiteAVWarning
module.exports.ExitRoomReason = constants.ExitRoomReason
module.exports.RemoteLeaveReason = constants.RemoteLeaveReason
module.exports.TRTCConnectionState = constants.TRTCConnectionState
module.exports.ConnectionChangeReason = constants.ConnectionChangeReason
// The rest of trtc-electron-sdk's trtc_define (its main module exports them too).
const { trtcEnum: _helper, ...trtcDefine } = require('./lib/trtc-define.js')
Object.assign(module.exports, trtcDefine)
module.exports.genUserSig = genUserSig
module.exports.genPrivateMapKey = genPrivateMapKey
module.exports.genPrivateMapKeyWithStringRoomID = genPrivateMapKeyWithStringRoomID
module.exports.startServer = startServer
module.exports.RoomServer = RoomServer
module.exports.RoomServiceClient = RoomServiceClient
