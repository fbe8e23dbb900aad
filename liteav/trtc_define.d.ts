// The same names as trtc-electron-sdk's 'liteav/trtc_define', from the package's types.
import openroom = require('../index')

export import TRTCParams = openroom.TRTCParams
export import TRTCSwitchRoomParam = openroom.TRTCSwitchRoomParam
export import TRTCAppScene = openroom.TRTCAppScene
export import TRTCRoleType = openroom.TRTCRoleType
export import TXLiteAVError = openroom.TXLiteAVError
export import ExitRoomReason = openroom.ExitRoomReason
export import RemoteLeaveReason = openroom.RemoteLeaveReason
export import TXLiteAVWarning = openroom.TXLiteAVWarning
export import TRTCConnectionState = openroom.TRTCConnectionState
export import ConnectionChangeReason = openroom.ConnectionChangeReason
export import TRTCAudioQuality = openroom.TRTCAudioQuality
export import TRTCVideoStreamType = openroom.TRTCVideoStreamType

// The rest of trtc_define: its enums and parameter classes.
export * from '../lib/trtc-define'
