// CommonJS TypeScript app: everything typed; each @ts-expect-error line must stay an error.
import TRTCCloud = require('@openroom/trtc')
import { TRTCParams, TRTCAppScene } from '@openroom/trtc/liteav/trtc_define'

async function main(): Promise<void> {
  const server: TRTCCloud.RoomServer = await TRTCCloud.startServer({ port: 0 })
  const cloud = TRTCCloud.getTRTCShareInstance({ serverUrl: server.url, enterTimeoutMs: 5000 })
  cloud.on('onEnterRoom', (result) => {
    const ms: number = result
    void ms
  })
  cloud.on('onRemoteUserLeaveRoom', (userId, reason) => {
    const who: string = userId
    const why: 0 | 1 | 2 | 3 = reason
    ;(void who, why)
  })
  cloud.prependOnceListener('onExitRoom', (reason: TRTCCloud.ExitRoomReason) => void reason)
  const sig = TRTCCloud.genUserSig(server.sdkAppId, server.secretKey, 'alice')
  const elapsed: number = await cloud.enterRoom(
    new TRTCParams(server.sdkAppId, 'alice', sig, 1),
    TRTCAppScene.TRTCAppSceneVideoCall,
  )
  await cloud.enterRoom({ sdkAppId: 1, userId: 'a', userSig: sig, strRoomId: 'lobby' }, 1)
  cloud.on('onSwitchRoom', (errCode, errMsg) => void [errCode + 1, errMsg.length])
  await cloud.switchRoom(new TRTCCloud.TRTCSwitchRoomParam(2))
  await cloud.switchRoom({ strRoomId: 'other' })
  try {
    await cloud.exitRoom()
  } catch (error) {
    const code = (error as TRTCCloud.OpenRoomError).code
    void code
  }
  const admin = new TRTCCloud.RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
  const described: TRTCCloud.RoomDescription = await admin.describeRoom(1)
  const members: string[] = described.members
  const page: TRTCCloud.RoomList = await admin.listRooms({ offset: 0, limit: 10 })
  ;(void members, page)
  const { requestId }: { requestId: string } = await admin.dismissRoom(1)
  ;(void elapsed, requestId)
  const code: -3320 = TRTCCloud.TXLiteAVError.ERR_USER_SIG_INVALID
  void code

  // @ts-expect-error: a misspelled event name
  cloud.on('onEnterRom', () => {})
  // @ts-expect-error: onRemoteUserLeaveRoom's userId is a string
  cloud.on('onRemoteUserLeaveRoom', (userId: number) => void userId)
  // @ts-expect-error: roomId is a number; string room ids go in strRoomId
  await cloud.enterRoom({ sdkAppId: 1, userId: 'a', userSig: sig, roomId: '1' })
  // @ts-expect-error: there is no scene 7
  await cloud.enterRoom(null, 7)
  // @ts-expect-error: the option is serverUrl
  new TRTCCloud({ serverURL: 'ws://127.0.0.1:7788' })

  const resilient = new TRTCCloud({
    reconnect: { allowReconnect: true, numberOfAttempts: 5, intervalMs: 200, maxIntervalMs: 2000 },
  })
  const state: TRTCCloud.TRTCConnectionState = resilient.getConnectionState()
  void state
  resilient.on('onConnectionStateChanged', (next, reason) => {
    const states: TRTCCloud.TRTCConnectionState[] = [next]
    const why: TRTCCloud.ConnectionChangeReason = reason
    ;(void states, why)
  })
  resilient.on('onTryToReconnect', (attempt: number) => void attempt)
  resilient.on('onConnectionRecovery', () => {})
  const sent: boolean = resilient.sendCustomCmdMsg(1, Buffer.from('x'), true, true)
  resilient.on(
    'onRecvCustomCmdMsg',
    (userId: string, cmdId: number, seq: number, message: string | Buffer) => {
      void [userId, cmdId, seq, typeof message === 'string' ? message : message.toString('hex')]
    },
  )
  resilient.on(
    'onWarning',
    (code) => void (code === TRTCCloud.TXLiteAVWarning.WARNING_CUSTOM_CMD_RATE_LIMITED),
  )
  void sent
  resilient.startLocalAudio(TRTCCloud.TRTCAudioQuality.TRTCAudioQualityMusic)
  resilient.startLocalPreview(null)
  resilient.muteLocalAudio(true)
  resilient.muteLocalVideo(TRTCCloud.TRTCVideoStreamType.TRTCVideoStreamTypeBig, true)
  resilient.muteLocalVideo(false)
  resilient.stopLocalAudio()
  resilient.stopLocalPreview()
  const switched: Promise<void> = resilient.switchRole(TRTCCloud.TRTCRoleType.TRTCRoleAudience)
  void switched.catch(() => {})
  resilient.on('onUserAudioAvailable', (userId: string, available: 0 | 1) => {
    void [userId, available === 1]
  })
  resilient.on('onUserVideoAvailable', (userId, available) => void [userId, available])
  resilient.on('onSwitchRole', (errCode: number, errMsg: string) => void [errCode, errMsg])
  resilient.on('onLocalDevicesChanged', (camera: boolean, microphone: boolean) => {
    void [camera, microphone]
  })
  const named = new TRTCCloud.TRTCParams(1, 'ann', sig, 7)
  named.userData = { name: 'Ann', avatar: null, tags: ['host'] }
  const remote: TRTCCloud.RemoteUser[] = resilient.getRemoteUsers()
  const shown: string[] = remote.map((m) =>
    typeof m.userData === 'string' ? m.userData : m.userId + (m.hasAudio ? ' (audio)' : ''),
  )
  void shown
  const updated: Promise<void> = resilient.setUserData({ name: 'Ann B.' })
  void updated.catch(() => {})
  resilient.on('onRemoteUserDataUpdated', (userId: string, userData) => void [userId, userData])
  // @ts-expect-error: member data is JSON, not a function
  named.userData = () => 'Ann'
  // @ts-expect-error: mute is a boolean
  resilient.muteLocalAudio(1)
  // @ts-expect-error: 22 is not a TRTCRoleType
  resilient.switchRole(22)
  // @ts-expect-error: data is a string or bytes
  resilient.sendCustomCmdMsg(1, 42)
  // @ts-expect-error: there is no 'RECONNECTED' state
  const wrong: TRTCCloud.TRTCConnectionState = 'RECONNECTED'
  void wrong
  const sub: TRTCCloud = resilient.createSubCloud()
  resilient.destroySubCloud(sub)
  // @ts-expect-error: the reconnect option is numberOfAttempts
  new TRTCCloud({ reconnect: { attempts: 3 } })
  await server.close()
}

void main
