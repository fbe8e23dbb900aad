'use strict'
// Every bad input gets its TRTC code and a message that says what to fix; the room, the other
// members and the server carry on.

const net = require('node:net')
const { TXLiteAVError, genUserSig, startServer } = require('..')
const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

/** Enter with `change(validParams)`; resolve to the rejection once onError has arrived. */
async function failedEnter(member, change, scene = 0) {
  const params = change({ ...member.params(400) })
  const error = await member.cloud.enterRoom(params, scene).then(
    () => null,
    (e) => e,
  )
  await member.waitFor('onError', error?.code)
  return error
}

test.each([
  ['no params', () => null, TXLiteAVError.ERR_ENTER_ROOM_PARAM_NULL, /needs params/],
  [
    'sdkAppId missing',
    ({ sdkAppId, ...p }) => p,
    TXLiteAVError.ERR_SDK_APPID_INVALID,
    /positive integer/,
  ],
  [
    'sdkAppId of another app',
    (p) => ({ ...p, sdkAppId: 42 }),
    TXLiteAVError.ERR_SDK_APPID_INVALID,
    /not served here/,
  ],
  ['userId empty', (p) => ({ ...p, userId: '' }), TXLiteAVError.ERR_USER_ID_INVALID, /empty/],
  [
    'userId too long',
    (p) => ({ ...p, userId: 'u'.repeat(33) }),
    TXLiteAVError.ERR_USER_ID_INVALID,
    /33 bytes/,
  ],
  [
    'userId with a space',
    (p) => ({ ...p, userId: 'a b' }),
    TXLiteAVError.ERR_USER_ID_INVALID,
    /' '/,
  ],
  [
    'roomId and strRoomId missing',
    (p) => ({ ...p, roomId: 0 }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /roomId/,
  ],
  [
    'roomId too large',
    (p) => ({ ...p, roomId: 4294967295 }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /out of range/,
  ],
  [
    'roomId as a string',
    (p) => ({ ...p, roomId: '400' }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /use strRoomId/,
  ],
  [
    'roomId as a BigInt',
    (p) => ({ ...p, roomId: 400n }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /must be a number/,
  ],
  [
    'strRoomId with a slash',
    (p) => ({ ...p, roomId: 0, strRoomId: 'a/b' }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /'\/'/,
  ],
  [
    'strRoomId of 65 bytes',
    (p) => ({ ...p, roomId: 0, strRoomId: 'x'.repeat(65) }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /65 bytes/,
  ],
  [
    'userSig missing',
    ({ userSig, ...p }) => p,
    TXLiteAVError.ERR_USER_SIG_INVALID,
    /non-empty string/,
  ],
  [
    'userSig garbage',
    (p) => ({ ...p, userSig: 'garbage' }),
    TXLiteAVError.ERR_USER_SIG_INVALID,
    /malformed/,
  ],
  [
    'userSig of another user',
    (p) => ({
      ...p,
      userSig: genUserSig(ctx.server.sdkAppId, ctx.server.secretKey, 'mallory', 60),
    }),
    TXLiteAVError.ERR_USER_SIG_INVALID,
    /issued for userId "mallory"/,
  ],
  [
    'userSig signed with another key',
    (p) => ({ ...p, userSig: genUserSig(ctx.server.sdkAppId, 'not-the-key', 'alice', 60) }),
    TXLiteAVError.ERR_USER_SIG_INVALID,
    /signature does not match/,
  ],
  ['roomId NaN', (p) => ({ ...p, roomId: NaN }), TXLiteAVError.ERR_ROOM_ID_INVALID, /"NaN"/],
  [
    'roomId Infinity',
    (p) => ({ ...p, roomId: Infinity }),
    TXLiteAVError.ERR_ROOM_ID_INVALID,
    /"Infinity"/,
  ],
  [
    'sdkAppId a Symbol',
    (p) => ({ ...p, sdkAppId: Symbol('x') }),
    TXLiteAVError.ERR_SDK_APPID_INVALID,
    /Symbol/,
  ],
  [
    'userId an object',
    (p) => ({ ...p, userId: { id: 'a' } }),
    TXLiteAVError.ERR_USER_ID_INVALID,
    /string/,
  ],
  [
    'role out of range',
    (p) => ({ ...p, role: 7 }),
    TXLiteAVError.ERR_ROOM_ENTER_FAIL,
    /TRTCRoleAnchor/,
  ],
])(
  '%s: onEnterRoom(code), onError(code, message), rejected promise',
  async (_name, change, code, message) => {
    const alice = new Member(ctx.server, 'alice')
    const error = await failedEnter(alice, change)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(alice.events).toEqual([
      ['onEnterRoom', code],
      ['onError', code, error.message],
    ])
    // The instance is idle and healthy: a good enter works.
    await expect(alice.enter(400)).resolves.toBeGreaterThan(0)
    await alice.cloud.exitRoom()
  },
)

test.each([9, NaN, Symbol('scene'), 'LIVE'])(
  'a scene of %s is refused with -3301',
  async (scene) => {
    const alice = new Member(ctx.server, 'alice')
    const error = await failedEnter(alice, (p) => p, scene)
    expect(error).toMatchObject({
      code: TXLiteAVError.ERR_ROOM_ENTER_FAIL,
      message: expect.stringMatching(/scene/),
    })
  },
)

test('enterRoom while in a room rejects with -3301, emits onError, and leaves the room untouched', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await alice.enter(401)
  await bob.enter(401)
  const error = await alice.enter(402).catch((e) => e)
  expect(error).toMatchObject({
    code: -3301,
    message: expect.stringContaining('already in roomId 401'),
  })
  // onError was emitted before the rejection reached us.
  expect(alice.events.at(-1)).toEqual(['onError', -3301, error.message])
  // Still in 401: bob's departure reaches alice, and nothing about room 402 happened.
  await bob.cloud.exitRoom()
  await alice.waitFor('onRemoteUserLeaveRoom', 'bob', 0)
  expect(alice.events.filter(([n]) => n === 'onEnterRoom')).toEqual([
    ['onEnterRoom', expect.any(Number)],
  ])
  await alice.cloud.exitRoom()
  expect(alice.events.at(-1)).toEqual(['onExitRoom', 0])
})

test('enterRoom while still entering is refused too', async () => {
  const alice = new Member(ctx.server, 'alice')
  const first = alice.enter(403)
  await expect(alice.enter(404)).rejects.toMatchObject({
    code: -3301,
    message: /entering roomId 403/,
  })
  await expect(first).resolves.toBeGreaterThan(0)
  await alice.cloud.exitRoom()
})

test('a second login of the same userId wins: the first gets onExitRoom(3), the others see nothing', async () => {
  const alice = new Member(ctx.server, 'alice')
  const aliceElsewhere = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await alice.enter(405)
  await bob.enter(405)
  await barrier(ctx.server, 405, [alice, bob])
  const seen = bob.roomEvents.length
  await aliceElsewhere.enter(405)
  await alice.waitFor('onExitRoom', 3)
  await barrier(ctx.server, 405, [aliceElsewhere, bob])
  expect(alice.roomEvents.at(-1)).toEqual(['onExitRoom', 3])
  expect(aliceElsewhere.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'bob'],
  ])
  // For bob, alice never left.
  expect(bob.roomEvents.slice(seen)).toEqual([])
  // The replaced instance is idle: exitRoom resolves at once.
  await alice.cloud.exitRoom()
  await Promise.all([aliceElsewhere, bob].map((m) => m.cloud.exitRoom()))
  await Promise.resolve()
})

test('destroy() exits the room, and enterRoom afterwards rejects with ERR_DESTROYED', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await alice.enter(406)
  await bob.enter(406)
  alice.cloud.destroy()
  await alice.waitFor('onExitRoom', 0)
  await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
  const count = alice.events.length
  await expect(alice.enter(406)).rejects.toMatchObject({ code: 'ERR_DESTROYED' })
  await new Promise((resolve) => setImmediate(resolve))
  expect(alice.events.length).toBe(count) // no onError with a non-TRTC code
  await bob.cloud.exitRoom()
})

test('an unreachable server fails with -3301 and the cause in the message', async () => {
  const port = await freePort()
  const member = new Member({ ...ctx.server, url: `ws://127.0.0.1:${port}` }, 'alice')
  await expect(member.enter(1)).rejects.toMatchObject({ code: -3301, message: /cannot connect/ })
})

test('a malformed serverUrl fails with -3301 naming the expected form', async () => {
  const member = new Member({ ...ctx.server, url: 'localhost:7788' }, 'alice')
  await expect(member.enter(1)).rejects.toMatchObject({ code: -3301, message: /ws:\/\// })
})

test('a server that never answers: -3308 after enterTimeoutMs', async () => {
  await withSilentServer(async (url) => {
    const member = new Member({ ...ctx.server, url }, 'alice', { enterTimeoutMs: 200 })
    await expect(member.enter(1)).rejects.toMatchObject({ code: -3308 })
    await member.waitFor('onError', -3308)
    expect(member.events).toEqual([
      ['onEnterRoom', -3308],
      ['onError', -3308, expect.stringContaining('200 ms')],
    ])
  })
})

test('exitRoom right after enterRoom on a live server: either outcome ends with onExitRoom(0)', async () => {
  const outcomes = new Set()
  for (let i = 0; i < 20; i++) {
    const alice = new Member(ctx.server, 'alice')
    const entering = alice.enter(407).then(
      (ms) => ms,
      (e) => e.code,
    )
    await alice.cloud.exitRoom()
    const result = await entering
    outcomes.add(result > 0 ? 'entered' : 'cancelled')
    if (result > 0)
      expect(alice.events).toEqual([
        ['onEnterRoom', result],
        ['onExitRoom', 0],
      ])
    else
      expect(alice.events).toEqual([
        ['onEnterRoom', -3301],
        ['onExitRoom', 0],
      ])
  }
  // Whichever way each raced, nobody was left behind in the room.
  const bob = new Member(ctx.server, 'bob')
  await bob.enter(407)
  await barrier(ctx.server, 407, [bob])
  expect(bob.roomEvents).toEqual([['onEnterRoom', expect.any(Number)]])
  await bob.cloud.exitRoom()
})

test('exitRoom while entering cancels: onEnterRoom(-3301) then onExitRoom(0)', async () => {
  await withSilentServer(async (url) => {
    const member = new Member({ ...ctx.server, url }, 'alice')
    const entering = member.enter(1)
    await member.cloud.exitRoom()
    await expect(entering).rejects.toMatchObject({ code: -3301, message: /cancelled by exitRoom/ })
    expect(member.events).toEqual([
      ['onEnterRoom', -3301],
      ['onExitRoom', 0],
    ])
  })
})

test('when the server goes away: onConnectionLost, and exitRoom while reconnecting completes at once', async () => {
  const server = await startServer({ port: 0 })
  const alice = new Member(server, 'alice', { exitTimeoutMs: 300 })
  await alice.enter(1)
  await server.close()
  await alice.waitFor('onConnectionLost')
  await alice.waitFor('onTryToReconnect', 1)
  await alice.cloud.exitRoom()
  expect(alice.events.map(([name]) => name).filter((name) => name !== 'onTryToReconnect')).toEqual([
    'onEnterRoom',
    'onConnectionLost',
    'onExitRoom',
  ])
  expect(alice.events.at(-1)).toEqual(['onExitRoom', 0])
})

test('genUserSig refuses bad arguments with ERR_INVALID_ARG_VALUE', () => {
  const bad = [
    [0, 'k', 'alice', 60],
    [-1, 'k', 'alice', 60],
    [1.5, 'k', 'alice', 60],
    [1, '', 'alice', 60],
    [1, 'k', 'a b', 60],
    [1, 'k', '', 60],
    [1, 'k', 'alice', 0],
    [1, 'k', 'alice', -5],
    [1, 42, 'alice', 60],
  ]
  for (const args of bad) {
    expect(() => genUserSig(...args)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    )
  }
})

test('startServer on a taken port rejects with EADDRINUSE', async () => {
  const port = Number(new URL(ctx.server.url).port)
  await expect(startServer({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
  await expect(startServer({ port: 70000 })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: /out of range/,
  })
  // A host name works as well as an IP address.
  const byName = await startServer({ host: 'localhost', port: 0 })
  await byName.close()
})

test.each([
  [{ port: NaN }, /port NaN/],
  [{ port: 1.5 }, /port 1.5/],
  [{ port: -1 }, /port -1/],
  [{ port: 0, sdkAppId: -1 }, /sdkAppId -1/],
  [{ port: 0, sdkAppId: 1.7 }, /sdkAppId 1.7/],
  [{ port: 0, host: 127001 }, /host/],
  [{ port: 0, sdkAppId: 1, secretKey: 42 }, /secretKey/],
  [
    { port: 0, maxMembersPerRoom: 0 },
    /^maxMembersPerRoom \(--max-members-per-room\) is 0; give 1 to 10000$/,
  ],
  [{ port: 0, maxRooms: 2.5 }, /maxRooms 2.5 is not a whole number/],
  [{ port: 0, emptyRoomTimeoutMs: -1 }, /emptyRoomTimeoutMs -1 is not a whole number/],
  [{ port: 0, emptyRoomTimeoutMs: 3 * 3600 * 1000 + 1 }, /give 0 ms to 10800000 ms/],
  [{ port: 0, autoCreateRooms: 'no' }, /autoCreateRooms must be a boolean/],
  [{ port: 0, customMsgsPerSecond: 0 }, /customMsgsPerSecond \(--custom-msgs-per-second\) is 0/],
  [{ port: 0, customBytesPerSecond: '8k' }, /customBytesPerSecond 8k is not a number/],
  [{ port: 0, enterWithinMs: 1 }, /enterWithinMs \(--enter-within\) is 1 ms; give 100 ms/],
  [{ port: 0, requestsPerSecond: 0 }, /requestsPerSecond \(--requests-per-second\) is 0/],
])('startServer(%o) is refused with ERR_INVALID_ARG_VALUE', async (options, message) => {
  await expect(startServer(options)).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message,
  })
})

test('a secretKey without its sdkAppId is refused rather than paired with the dev sdkAppId', async () => {
  const started = startServer({ port: 0, secretKey: 'real-secret' })
  // Close it if it did start, so a failure here cannot leave a server holding the test run open.
  started.then(
    (server) => server.close(),
    () => {},
  )
  await expect(started).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: /sdkAppId/,
  })
})

test('with a real secret, its UserSigs enter and dev-credential UserSigs are refused', async () => {
  const server = await startServer({ port: 0, sdkAppId: 1400123456, secretKey: 'real-secret' })
  try {
    expect(server.devMode).toBe(false)
    const alice = new Member(server, 'alice')
    await expect(alice.enter(1)).resolves.toBeGreaterThan(0)
    await alice.cloud.exitRoom()
    const devSig = genUserSig(1400123456, 'openroom-dev-secret-do-not-use-in-production', 'bob', 60)
    const bob = new Member(server, 'bob')
    await expect(
      bob.cloud.enterRoom({ sdkAppId: 1400123456, userId: 'bob', userSig: devSig, roomId: 1 }, 0),
    ).rejects.toMatchObject({ code: -3320 })
  } finally {
    await server.close()
  }
})

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/** A TCP server that accepts connections and never answers (the WebSocket handshake hangs). */
async function withSilentServer(body) {
  const sockets = new Set()
  const silent = net.createServer((socket) => sockets.add(socket))
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  try {
    await body(`ws://127.0.0.1:${silent.address().port}`)
  } finally {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }
}

test('a full room refuses newcomers with -7001, even when they all try at once', async () => {
  const server = await startServer({ port: 0, maxMembersPerRoom: 3 })
  try {
    const members = Array.from({ length: 10 }, (_, i) => new Member(server, `m${i}`))
    const results = await Promise.all(
      members.map((m) =>
        m.enter(1).then(
          () => 'in',
          (e) => e.code,
        ),
      ),
    )
    expect(results.filter((r) => r === 'in')).toHaveLength(3)
    expect(results.filter((r) => r === TXLiteAVError.ERR_ROOM_FULL)).toHaveLength(7)
    const refused = members[results.indexOf(TXLiteAVError.ERR_ROOM_FULL)]
    await refused.waitFor('onError', TXLiteAVError.ERR_ROOM_FULL)
    expect(refused.events.at(-1)[2]).toMatch(/roomId 1 is full: it holds its limit of 3 members/)
    // When someone leaves, there is room again.
    await members[results.indexOf('in')].cloud.exitRoom()
    await expect(refused.enter(1)).resolves.toBeGreaterThan(0)
    await Promise.all(members.map((m) => m.cloud.exitRoom()))
  } finally {
    await server.close()
  }
})

test('a server at its room limit refuses to open another room with -7002', async () => {
  const server = await startServer({ port: 0, maxRooms: 1 })
  try {
    const alice = new Member(server, 'alice')
    const bob = new Member(server, 'bob')
    await alice.enter(1)
    await expect(bob.enter(2)).rejects.toMatchObject({
      code: TXLiteAVError.ERR_SERVER_ROOM_LIMIT,
      message: expect.stringContaining('limit of 1 rooms'),
    })
    // The open room still takes members.
    await expect(bob.enter(1)).resolves.toBeGreaterThan(0)
    await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
  } finally {
    await server.close()
  }
})
