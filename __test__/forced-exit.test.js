'use strict'
// Removal (REST RemoveUser) and dismissal (REST DismissRoom): the exact sequence each member sees.

const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

async function room(roomId, names) {
  const members = names.map((u) => new Member(ctx.server, u))
  for (const m of members) await m.enter(roomId)
  await barrier(ctx.server, roomId, members)
  return members.map((m) => ({ m, seen: m.roomEvents.length }))
}

const since = ({ m, seen }) => m.roomEvents.slice(seen)

test.each([
  ['numeric', 200, (admin, id, users) => admin.removeUser(id, users)],
  ['string', 'room-200', (admin, id, users) => admin.removeUserByStrRoomId(id, users)],
])(
  'RemoveUser (%s room id): the removed user gets onExitRoom(1), the others onRemoteUserLeaveRoom(userId, 2)',
  async (_kind, roomId, removeUser) => {
    const [alice, bob, carol] = await room(roomId, ['alice', 'bob', 'carol'])
    const bobExited = bob.m.waitFor('onExitRoom', 1)
    await expect(removeUser(ctx.admin, roomId, ['bob'])).resolves.toEqual({
      requestId: expect.any(String),
    })
    await bobExited
    await barrier(ctx.server, roomId, [alice.m, carol.m])
    expect(since(bob)).toEqual([['onExitRoom', 1]])
    expect(since(alice)).toEqual([['onRemoteUserLeaveRoom', 'bob', 2]])
    expect(since(carol)).toEqual([['onRemoteUserLeaveRoom', 'bob', 2]])
    // The removed instance is idle again: exitRoom resolves at once and it may enter again.
    await bob.m.cloud.exitRoom()
    await expect(bob.m.enter(roomId)).resolves.toBeGreaterThan(0)
    await Promise.all([alice, bob, carol].map(({ m }) => m.cloud.exitRoom()))
  },
)

test('RemoveUser of several users at once removes each of them', async () => {
  const [alice, bob, carol] = await room(201, ['alice', 'bob', 'carol'])
  await ctx.admin.removeUser(201, ['bob', 'carol'])
  await Promise.all([bob.m.waitFor('onExitRoom', 1), carol.m.waitFor('onExitRoom', 1)])
  await barrier(ctx.server, 201, [alice.m])
  expect(since(alice)).toEqual([
    ['onRemoteUserLeaveRoom', 'bob', 2],
    ['onRemoteUserLeaveRoom', 'carol', 2],
  ])
  await alice.m.cloud.exitRoom()
})

test.each([
  ['numeric', 202, (admin, id) => admin.dismissRoom(id)],
  ['string', 'room-202', (admin, id) => admin.dismissRoomByStrRoomId(id)],
])(
  'DismissRoom (%s room id): every member gets onExitRoom(2) and nothing else',
  async (_k, roomId, dismiss) => {
    const members = await room(roomId, ['alice', 'bob', 'carol'])
    await dismiss(ctx.admin, roomId)
    await Promise.all(members.map(({ m }) => m.waitFor('onExitRoom', 2)))
    for (const member of members) expect(since(member)).toEqual([['onExitRoom', 2]])
    // The room is gone: dismissing it again says so.
    await expect(dismiss(ctx.admin, roomId)).rejects.toMatchObject({
      code: 'FailedOperation.RoomNotExist',
      status: 404,
    })
    // A dismissed room can be entered again; it is a new, empty room.
    const [{ m: alice }] = members
    await alice.enter(roomId)
    await barrier(ctx.server, roomId, [alice])
    expect(alice.roomEvents.at(-1)).toEqual(['onEnterRoom', expect.any(Number)])
    await alice.cloud.exitRoom()
  },
)

test('exitRoom after a forced exit resolves at once and emits nothing more', async () => {
  const [alice] = await room(203, ['alice'])
  await ctx.admin.dismissRoom(203)
  await alice.m.waitFor('onExitRoom', 2)
  const count = alice.m.events.length
  await alice.m.cloud.exitRoom()
  expect(alice.m.events.length).toBe(count)
})

test('an empty room stays for its empty-room timeout, then is gone', async () => {
  const { startServer, RoomServiceClient } = require('..')
  const server = await startServer({ port: 0, emptyRoomTimeoutMs: 300 })
  try {
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    // Asking to remove someone absent changes nothing, and says whether the room exists.
    const probe = () => admin.removeUser(1, ['nobody']).catch((e) => e.code)
    const alice = new Member(server, 'alice')
    await alice.enter(1)
    await alice.cloud.exitRoom()
    const emptied = Date.now()
    expect(await probe()).toBe('FailedOperation.UserNotInRoom') // empty, still there
    // There is no event for a room closing, so poll (bounded).
    let answer = await probe()
    while (answer === 'FailedOperation.UserNotInRoom' && Date.now() - emptied < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      answer = await probe()
    }
    expect(answer).toBe('FailedOperation.RoomNotExist')
    expect(Date.now() - emptied).toBeGreaterThanOrEqual(250)
  } finally {
    await server.close()
  }
})

test('entering an empty room during its timeout keeps it: the newcomer meets nobody, nothing is lost', async () => {
  const { startServer, RoomServiceClient } = require('..')
  const server = await startServer({ port: 0, emptyRoomTimeoutMs: 60_000 })
  try {
    const alice = new Member(server, 'alice')
    const bob = new Member(server, 'bob')
    await alice.enter(3)
    await alice.cloud.exitRoom()
    // Empty, and still open: its timeout keeps it.
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    await expect(admin.describeRoom(3)).resolves.toMatchObject({ memberCount: 0 })
    await bob.enter(3)
    await alice.enter(3)
    await bob.waitFor('onRemoteUserEnterRoom', 'alice')
    await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
  } finally {
    // close() does not wait for the 60 s timeout: shutdown closes empty rooms at once.
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2000)
  }
})

test('DescribeRoom lists members in entering order with the settings; ListRooms pages through rooms', async () => {
  const { startServer, RoomServiceClient } = require('..')
  const server = await startServer({ port: 0, maxMembersPerRoom: 50, emptyRoomTimeoutMs: 60_000 })
  try {
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    const people = ['carol', 'alice', 'bob'].map((u) => new Member(server, u))
    for (const m of people) await m.enter(7)
    const dave = new Member(server, 'dave')
    await dave.enter('lobby')
    const erin = new Member(server, 'erin')
    await erin.enter(3)

    await expect(admin.describeRoom(7)).resolves.toEqual({
      roomId: 7,
      memberCount: 3,
      anchorCount: 3,
      audienceCount: 0,
      members: ['carol', 'alice', 'bob'],
      participants: ['carol', 'alice', 'bob'].map((userId) => ({
        userId,
        role: 20,
        audio: false,
        video: false,
        userData: null,
      })),
      maxMembers: 50,
      emptyRoomTimeoutMs: 60_000,
      requestId: expect.any(String),
    })
    await expect(admin.describeRoomByStrRoomId('lobby')).resolves.toMatchObject({
      strRoomId: 'lobby',
      members: ['dave'],
    })
    await expect(admin.describeRoom(8)).rejects.toMatchObject({
      code: 'FailedOperation.RoomNotExist',
    })

    const all = await admin.listRooms()
    expect(all).toMatchObject({ total: 3, offset: 0, limit: 20 })
    expect(all.rooms).toEqual([
      { roomId: 3, memberCount: 1, anchorCount: 1, audienceCount: 0 },
      { roomId: 7, memberCount: 3, anchorCount: 3, audienceCount: 0 },
      { strRoomId: 'lobby', memberCount: 1, anchorCount: 1, audienceCount: 0 },
    ])
    const second = await admin.listRooms({ offset: 1, limit: 1 })
    expect(second).toMatchObject({
      total: 3,
      offset: 1,
      limit: 1,
      rooms: [{ roomId: 7, memberCount: 3 }],
    })
    await expect(admin.listRooms({ limit: 101 })).rejects.toMatchObject({
      code: 'InvalidParameter.Limit',
      status: 400,
    })
    await expect(admin.listRooms({ limit: 0 })).rejects.toMatchObject({
      code: 'InvalidParameter.Limit',
    })
    await expect(admin.listRooms({ offset: -1 })).rejects.toMatchObject({
      code: 'InvalidParameter.Offset',
    })

    // An empty room within its timeout is still listed, with no members.
    await erin.cloud.exitRoom()
    await expect(admin.describeRoom(3)).resolves.toMatchObject({ memberCount: 0, members: [] })
    await Promise.all([...people, dave].map((m) => m.cloud.exitRoom()))
  } finally {
    await server.close()
  }
})

test('CreateRoom: a room with its own member limit and empty-room timeout', async () => {
  const { startServer, RoomServiceClient, TXLiteAVError } = require('..')
  const server = await startServer({ port: 0 })
  try {
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    await expect(admin.createRoom(60, { maxMembers: 2, emptyRoomTimeoutMs: 0 })).resolves.toEqual({
      roomId: 60,
      memberCount: 0,
      anchorCount: 0,
      audienceCount: 0,
      members: [],
      participants: [],
      maxMembers: 2,
      emptyRoomTimeoutMs: 0,
      requestId: expect.any(String),
    })
    // Created and waiting for its first member: it exists.
    await expect(admin.describeRoom(60)).resolves.toMatchObject({ memberCount: 0, maxMembers: 2 })
    // Open but still empty, it takes new settings, as if created now.
    await expect(
      admin.createRoom(60, { maxMembers: 2, emptyRoomTimeoutMs: 0 }),
    ).resolves.toMatchObject({ maxMembers: 2 })
    const [a, b, c] = ['a', 'b', 'c'].map((u) => new Member(server, u))
    await a.enter(60)
    await b.enter(60)
    await expect(c.enter(60)).rejects.toMatchObject({ code: TXLiteAVError.ERR_ROOM_FULL })
    // With members it keeps its own settings: 409.
    await expect(admin.createRoom(60, { maxMembers: 9 })).rejects.toMatchObject({
      code: 'FailedOperation.RoomAlreadyExists',
      status: 409,
      message: expect.stringContaining('2 members'),
    })
    await expect(admin.createRoomByStrRoomId('planned', { maxMembers: 301 })).rejects.toMatchObject(
      {
        code: 'InvalidParameter.MaxMembers',
        status: 400,
      },
    )
    await expect(admin.createRoom(61, { emptyRoomTimeoutMs: -1 })).rejects.toMatchObject({
      code: 'InvalidParameter.EmptyRoomTimeoutMs',
    })
    // Its own empty-room timeout (0): once everyone has left, it is gone.
    await Promise.all([a, b].map((m) => m.cloud.exitRoom()))
    let answer = await admin.describeRoom(60).catch((e) => e.code)
    for (let tries = 0; answer !== 'FailedOperation.RoomNotExist' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      answer = await admin.describeRoom(60).catch((e) => e.code)
    }
    expect(answer).toBe('FailedOperation.RoomNotExist')
  } finally {
    await server.close()
  }
})

test('autoCreateRooms: false — entering a room nobody created fails with -7005; CreateRoom opens it', async () => {
  const { startServer, RoomServiceClient } = require('..')
  const server = await startServer({ port: 0, autoCreateRooms: false })
  try {
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    const alice = new Member(server, 'alice')
    await expect(alice.enter(70)).rejects.toMatchObject({
      code: -7005,
      message: expect.stringContaining('only through REST CreateRoom'),
    })
    expect(alice.events).toEqual([
      ['onEnterRoom', -7005],
      ['onError', -7005, expect.stringContaining('roomId 70 does not exist')],
    ])
    await expect(admin.listRooms()).resolves.toMatchObject({ total: 0 })
    await admin.createRoom(70)
    await expect(alice.enter(70)).resolves.toBeGreaterThan(0)
    await alice.cloud.exitRoom()
  } finally {
    await server.close()
  }
})

test('switchRoom with createIfMissing: false to a missing room fails with -7005 and leaves the member where it was', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  await alice.enter(71)
  await bob.enter(71)
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  await expect(
    alice.cloud.switchRoom({ roomId: 72, createIfMissing: false }),
  ).rejects.toMatchObject({ code: -7005 })
  await expect(ctx.admin.describeRoom(72)).rejects.toMatchObject({
    code: 'FailedOperation.RoomNotExist',
  })
  await barrier(ctx.server, 71, [alice, bob])
  expect(bob.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
  ])
  await expect(
    alice.cloud.switchRoom({ roomId: 71, createIfMissing: 'yes' }),
  ).rejects.toMatchObject({
    code: -3301,
    message: expect.stringContaining('createIfMissing must be a boolean'),
  })
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})
