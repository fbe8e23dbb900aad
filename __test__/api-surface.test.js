'use strict'
// The package's surface matches trtc-electron-sdk's names, values and argument order.

const { spawnSync } = require('node:child_process')
const openroom = require('..')
const { TRTCCloud, TRTCParams, TRTCAppScene, TRTCRoleType, TXLiteAVError } = openroom
const { useServer, Member } = require('./helpers.js')

const ctx = useServer()

test('TRTCCloud is the default export and a named export, from require and from import', () => {
  expect(openroom).toBe(TRTCCloud)
  expect(openroom.default).toBe(TRTCCloud)
  // ESM apps (import TRTCCloud, { TRTCParams } from '@openroom/trtc'), checked in a real Node
  // process because jest's module sandbox does not load ES modules.
  const script = `
    import TRTCCloud, { TRTCCloud as Named, TRTCParams, startServer } from ${JSON.stringify(require.resolve('..'))}
    if (TRTCCloud !== Named || typeof TRTCParams !== 'function' || typeof startServer !== 'function') process.exit(1)
  `
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  expect({ status: esm.status, stderr: esm.stderr }).toEqual({ status: 0, stderr: '' })
  expect(new TRTCCloud()).toBeInstanceOf(require('node:events').EventEmitter)
})

/** An enum's names and values, without the number-to-name entries trtc-electron-sdk's enums have. */
const named = (values) => Object.fromEntries(Object.entries(values).filter(([k]) => isNaN(k)))

test("constants have trtc-electron-sdk's names and values", () => {
  expect(named(TRTCAppScene)).toEqual({
    TRTCAppSceneVideoCall: 0,
    TRTCAppSceneLIVE: 1,
    TRTCAppSceneAudioCall: 2,
    TRTCAppSceneVoiceChatRoom: 3,
  })
  // As trtc-electron-sdk's TypeScript enums: a number maps back to its name.
  expect(TRTCAppScene[1]).toBe('TRTCAppSceneLIVE')
  expect(named(TRTCRoleType)).toEqual({ TRTCRoleAnchor: 20, TRTCRoleAudience: 21 })
  expect(TXLiteAVError).toEqual({
    ERR_ROOM_ENTER_FAIL: -3301,
    ERR_ROOM_REQUEST_ENTER_ROOM_TIMEOUT: -3308,
    ERR_ENTER_ROOM_PARAM_NULL: -3316,
    ERR_SDK_APPID_INVALID: -3317,
    ERR_ROOM_ID_INVALID: -3318,
    ERR_USER_ID_INVALID: -3319,
    ERR_USER_SIG_INVALID: -3320,
    ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR: -100006,
    ERR_SERVER_CENTER_NO_PRIVILEDGE_CREATE_ROOM: -102010,
    ERR_SERVER_CENTER_NO_PRIVILEDGE_ENTER_ROOM: -102011,
    ERR_SERVER_CENTER_NO_PRIVILEDGE_PUSH_VIDEO: -102013,
    // OpenRoom's own, clear of TRTC's ranges:
    ERR_ROOM_FULL: -7001,
    ERR_SERVER_ROOM_LIMIT: -7002,
    ERR_SESSION_EXPIRED: -7003,
    ERR_RECONNECT_FAILED: -7004,
    ERR_ROOM_NOT_FOUND: -7005,
    ERR_CUSTOM_CMD_MISSED: -7006,
    ERR_ROLE_NOT_SUPPORTED: -7007,
    ERR_ROLE_INVALID: -7008,
    ERR_NOT_IN_ROOM: -7009,
    ERR_RATE_LIMITED: -7010,
    ERR_USER_DATA_INVALID: -7011,
    ERR_RESUME_REFUSED: -7012,
  })
  expect(named(openroom.TRTCAudioQuality)).toEqual({
    TRTCAudioQualitySpeech: 1,
    TRTCAudioQualityDefault: 2,
    TRTCAudioQualityMusic: 3,
  })
  expect(named(openroom.TRTCVideoStreamType)).toEqual({
    TRTCVideoStreamTypeBig: 0,
    TRTCVideoStreamTypeSmall: 1,
    TRTCVideoStreamTypeSub: 2,
  })
  // The reason and state tables come from the Rust core: the documented values, frozen.
  expect(Object.entries(openroom.ExitRoomReason)).toEqual([
    ['Exited', 0],
    ['Removed', 1],
    ['Dismissed', 2],
    ['Replaced', 3],
  ])
  expect(Object.entries(openroom.RemoteLeaveReason)).toEqual([
    ['Exited', 0],
    ['ConnectionLost', 1],
    ['Removed', 2],
    ['SwitchedToAudience', 3],
  ])
  expect(Object.keys(openroom.TRTCConnectionState)).toEqual([
    'DISCONNECTED',
    'CONNECTING',
    'CONNECTED',
    'RECONNECTING',
  ])
  expect(Object.values(openroom.ConnectionChangeReason)).toEqual([
    'ENTER_ROOM',
    'ENTERED',
    'ENTER_FAILED',
    'CONNECTION_LOST',
    'RESUMED',
    'REENTERED',
    'EXITED',
    'GAVE_UP',
  ])
  for (const table of [
    'ExitRoomReason',
    'RemoteLeaveReason',
    'TRTCConnectionState',
    'ConnectionChangeReason',
  ]) {
    expect(Object.isFrozen(openroom[table])).toBe(true)
  }
  expect(openroom.TXLiteAVWarning).toEqual({
    WARNING_CUSTOM_CMD_NOT_IN_ROOM: 7101,
    WARNING_CUSTOM_CMD_INVALID: 7102,
    WARNING_CUSTOM_CMD_TOO_LARGE: 7103,
    WARNING_CUSTOM_CMD_RATE_LIMITED: 7104,
    WARNING_CUSTOM_CMD_BANDWIDTH_LIMITED: 7105,
    WARNING_CUSTOM_CMD_AUDIENCE: 7106,
    WARNING_CUSTOM_CMD_SEND_BUFFER_FULL: 7107,
    WARNING_SERVER_FRAME_UNREADABLE: 7108,
    WARNING_CUSTOM_CMD_UNCONFIRMED: 7109,
  })
  expect(Object.isFrozen(TXLiteAVError)).toBe(true)
})

test("TRTCParams takes trtc-electron-sdk's constructor arguments in order, with its defaults", () => {
  expect({ ...new TRTCParams() }).toEqual({
    sdkAppId: 0,
    userId: '',
    userSig: '',
    roomId: 0,
    strRoomId: '',
    role: 20,
    privateMapKey: null,
    businessInfo: null,
    streamId: null,
    userDefineRecordId: null,
  })
  const p = new TRTCParams(1400000001, 'alice', 'sig', 7, 'seven', 21, 'pmk', 'biz', 's', 'r')
  expect([
    p.sdkAppId,
    p.userId,
    p.userSig,
    p.roomId,
    p.strRoomId,
    p.role,
    p.privateMapKey,
    p.businessInfo,
    p.streamId,
    p.userDefineRecordId,
  ]).toEqual([1400000001, 'alice', 'sig', 7, 'seven', 21, 'pmk', 'biz', 's', 'r'])
})

test("TRTCSwitchRoomParam takes trtc-electron-sdk's constructor arguments in order", () => {
  const { TRTCSwitchRoomParam } = openroom
  expect({ ...new TRTCSwitchRoomParam() }).toEqual({
    roomId: 0,
    strRoomId: '',
    userSig: '',
    privateMapKey: '',
  })
  expect({ ...new TRTCSwitchRoomParam(5, 'five', 'sig', 'pmk') }).toEqual({
    roomId: 5,
    strRoomId: 'five',
    userSig: 'sig',
    privateMapKey: 'pmk',
  })
})

test('the first new TRTCCloud() becomes the shared instance, as in trtc-electron-sdk; destroyTRTCShareInstance ends it', async () => {
  // A module of its own: the instances this file made earlier would be the shared one here.
  let fresh
  jest.isolateModules(() => {
    fresh = require('..')
  })
  const first = new fresh.TRTCCloud({ serverUrl: ctx.server.url })
  const second = new fresh.TRTCCloud({ serverUrl: ctx.server.url })
  expect(fresh.TRTCCloud.getTRTCShareInstance()).toBe(first)
  // A sub-cloud is never the shared instance, even when there is none.
  first.destroy()
  const sub = second.createSubCloud()
  expect(fresh.TRTCCloud.getTRTCShareInstance({ serverUrl: ctx.server.url })).not.toBe(sub)
  second.destroy()

  const shared = fresh.TRTCCloud.getTRTCShareInstance()
  const member = new Member(ctx.server, 'alice')
  const exited = new Promise((resolve) => shared.once('onExitRoom', resolve))
  await shared.enterRoom(member.params(500), TRTCAppScene.TRTCAppSceneVideoCall)
  fresh.TRTCCloud.destroyTRTCShareInstance()
  await expect(exited).resolves.toBe(0)
  const next = fresh.TRTCCloud.getTRTCShareInstance({ serverUrl: ctx.server.url })
  expect(next).not.toBe(shared)
  await expect(next.enterRoom(member.params(500), 0)).resolves.toBeGreaterThan(0)
  fresh.TRTCCloud.destroyTRTCShareInstance()
})

test('an ignored failing enterRoom promise causes no unhandled rejection', async () => {
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const cloud = new TRTCCloud({ serverUrl: ctx.server.url })
    const failed = new Promise((resolve) => cloud.once('onError', resolve))
    cloud.enterRoom(null, 0) // ignored on purpose, as event-driven TRTC apps do
    await failed
    // Rejections are reported after the microtask queue drains; give it a macrotask turn.
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).toEqual([])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})

test('an onEnterRoom listener that throws does not leave the enterRoom promise pending', () => {
  const run = spawnSync(process.execPath, [require.resolve('./fixtures/throwing-listener.js')], {
    encoding: 'utf8',
    timeout: 10000,
    env: {
      ...process.env,
      SERVER_URL: ctx.server.url,
      SDK_APP_ID: String(ctx.server.sdkAppId),
      SECRET_KEY: ctx.server.secretKey,
    },
  })
  expect({ status: run.status, stdout: run.stdout }).toEqual({
    status: 0,
    stdout: 'uncaught: listener bug\nenterRoom resolved: true\n',
  })
})

test('the server reports its url, port, sdkAppId, and dev mode', () => {
  expect(ctx.server.url).toBe(`ws://127.0.0.1:${ctx.server.port}`)
  expect(ctx.server.port).toBeGreaterThan(0)
  expect(ctx.server.sdkAppId).toBe(1400000001)
  expect(ctx.server.devMode).toBe(true)
})

test('new TRTCCloud(config) refuses wrong values and warns about unknown options', () => {
  for (const [config, message] of [
    ['ws://127.0.0.1:7788', /config must be an object/],
    [{ serverUrl: 7788 }, /serverUrl must be a string/],
    [{ enterTimeoutMs: '5' }, /enterTimeoutMs must be a positive integer/],
    [{ exitTimeoutMs: -5 }, /exitTimeoutMs must be a positive integer/],
  ]) {
    expect(() => new TRTCCloud(config)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringMatching(message),
      }),
    )
  }
  const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
  try {
    new TRTCCloud({ serverURL: 'ws://127.0.0.1:1' })
    expect(emitWarning.mock.calls).toEqual([
      [expect.stringContaining('unknown option serverURL'), { code: 'OPENROOM_UNKNOWN_OPTION' }],
    ])
  } finally {
    emitWarning.mockRestore()
  }
})

test('a failed enterRoom rejects only after onError has been emitted', async () => {
  const cloud = new TRTCCloud({ serverUrl: ctx.server.url })
  const seen = []
  cloud.on('onEnterRoom', (code) => seen.push(['onEnterRoom', code]))
  cloud.on('onError', (code) => seen.push(['onError', code]))
  const error = await cloud
    .enterRoom({ sdkAppId: ctx.server.sdkAppId, userId: 'a', userSig: 'x', roomId: 1 })
    .catch((e) => e)
  expect(error.code).toBe(-3320)
  expect(seen).toEqual([
    ['onEnterRoom', -3320],
    ['onError', -3320],
  ])
})

test('RoomServiceClient names the URL and the cause when the server cannot be reached', async () => {
  const { RoomServiceClient } = openroom
  // A port nothing listens on: bind one, then free it.
  const probe = require('node:net').createServer()
  const port = await new Promise((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve(probe.address().port)),
  )
  await new Promise((resolve) => probe.close(resolve))
  const admin = new RoomServiceClient(`ws://127.0.0.1:${port}`, 1400000001, 'key')
  await expect(admin.dismissRoom(1)).rejects.toMatchObject({
    code: 'ECONNREFUSED',
    message: expect.stringContaining(`cannot reach http://127.0.0.1:${port}/v1/DismissRoom`),
  })
})

test("'@openroom/trtc/liteav/trtc_define' has trtc-electron-sdk's constants, as in trtc-electron-sdk", () => {
  const define = require('@openroom/trtc/liteav/trtc_define')
  expect(define.TRTCParams).toBe(TRTCParams)
  expect(define.TRTCAppScene).toBe(TRTCAppScene)
  expect(define.TRTCRoleType).toBe(TRTCRoleType)
  expect(define.TRTCAudioQuality).toBe(openroom.TRTCAudioQuality)
  expect(define.TRTCVideoStreamType).toBe(openroom.TRTCVideoStreamType)
})
