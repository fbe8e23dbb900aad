// ES module TypeScript app: the default import constructs, named imports are typed.
import TRTCCloud, { TRTCParams, TRTCRoleType, startServer, genUserSig } from '@openroom/trtc'
import type { OpenRoomError, TRTCCloudEvents } from '@openroom/trtc'

const server = await startServer({ port: 0 })
const cloud = new TRTCCloud({ serverUrl: server.url })
const onExit: TRTCCloudEvents['onExitRoom'] = (reason) => void reason
cloud.once('onExitRoom', onExit)
const params = new TRTCParams(
  server.sdkAppId,
  'bob',
  genUserSig(server.sdkAppId, server.secretKey, 'bob'),
  2,
)
params.role = TRTCRoleType.TRTCRoleAudience
await cloud.enterRoom(params).catch((error: OpenRoomError) => error.code)
await cloud.exitRoom()
await server.close()

// @ts-expect-error: TRTCParams' role is 20 or 21
params.role = 22
