'use strict'
// enterRoom / exitRoom end to end: the exact sequence each member sees.

const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

test('three members enter: each sees onEnterRoom first, then those present, then arrivals', async () => {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => new Member(ctx.server, u))
  const elapsed = await alice.enter(100)
  expect(elapsed).toBeGreaterThan(0)
  await bob.enter(100)
  await carol.enter(100)
  await barrier(ctx.server, 100, [alice, bob, carol])

  expect(alice.roomEvents).toEqual([
    ['onEnterRoom', elapsed],
    ['onRemoteUserEnterRoom', 'bob'],
    ['onRemoteUserEnterRoom', 'carol'],
  ])
  expect(bob.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
    ['onRemoteUserEnterRoom', 'carol'],
  ])
  expect(carol.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
    ['onRemoteUserEnterRoom', 'bob'],
  ])
  await Promise.all([alice, bob, carol].map((m) => m.cloud.exitRoom()))
})

test('exitRoom: the others see onRemoteUserLeaveRoom(userId, 0); the leaver ends with onExitRoom(0)', async () => {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => new Member(ctx.server, u))
  for (const m of [alice, bob, carol]) await m.enter(101)
  await barrier(ctx.server, 101, [alice, bob, carol])
  const before = { alice: alice.roomEvents.length, carol: carol.roomEvents.length }

  await bob.cloud.exitRoom()
  // exitRoom resolved after onExitRoom(0), which was bob's last event.
  expect(bob.events.at(-1)).toEqual(['onExitRoom', 0])
  await barrier(ctx.server, 101, [alice, carol])
  expect(alice.roomEvents.slice(before.alice)).toEqual([['onRemoteUserLeaveRoom', 'bob', 0]])
  expect(carol.roomEvents.slice(before.carol)).toEqual([['onRemoteUserLeaveRoom', 'bob', 0]])
  expect(bob.roomEvents.filter(([name]) => name === 'onExitRoom')).toEqual([['onExitRoom', 0]])

  // Calling exitRoom again is harmless: it resolves and emits nothing.
  const count = bob.events.length
  await bob.cloud.exitRoom()
  await barrier(ctx.server, 101, [alice, carol])
  expect(bob.events.length).toBe(count)
  await Promise.all([alice, carol].map((m) => m.cloud.exitRoom()))
})

test('exitRoom twice in a row returns the same wait and emits onExitRoom once', async () => {
  const alice = new Member(ctx.server, 'alice')
  await alice.enter(102)
  const first = alice.cloud.exitRoom()
  const second = alice.cloud.exitRoom()
  await Promise.all([first, second])
  expect(alice.events.filter(([name]) => name === 'onExitRoom')).toEqual([['onExitRoom', 0]])
})

test('events are never emitted synchronously inside the call that caused them', async () => {
  const alice = new Member(ctx.server, 'alice')
  const entering = alice.enter(103)
  expect(alice.events).toEqual([])
  await entering
  const exiting = alice.cloud.exitRoom()
  expect(alice.events).toEqual([['onEnterRoom', expect.any(Number)]])
  await exiting
  // Even an immediately invalid enter reports asynchronously.
  const failing = alice.cloud.enterRoom(null, 0)
  expect(alice.events.length).toBe(2)
  await expect(failing).rejects.toMatchObject({ code: -3316 })
})

test('code that awaits enterRoom() and then listens hears every member already there', async () => {
  // Each event is its own turn of the event loop, with the microtasks run after it (as in
  // trtc-electron-sdk): the await resumes before the events that follow onEnterRoom, even
  // when they all arrive at once.
  const present = Array.from({ length: 20 }, (_, i) => new Member(ctx.server, `present${i}`))
  for (const member of present) await member.enter(110)
  const late = new Member(ctx.server, 'late')
  await late.enter(110)
  await Promise.resolve()
  const heard = []
  late.cloud.on('onRemoteUserEnterRoom', (userId) => heard.push(userId))
  await late.waitFor('onRemoteUserEnterRoom', 'present19')
  expect(heard).toEqual(present.map((member) => member.userId))
  for (const member of [late, ...present]) await member.cloud.exitRoom()
})

test('after onExitRoom the instance can enter again, even from inside the onExitRoom handler', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await bob.enter(105)
  await alice.enter(104)
  const reentered = new Promise((resolve, reject) => {
    alice.cloud.once('onExitRoom', () =>
      alice.cloud.enterRoom(alice.params(105), 0).then(resolve, reject),
    )
  })
  await alice.cloud.exitRoom()
  await reentered
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('string and numeric room ids are separate rooms; a non-zero roomId wins over strRoomId', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  const carol = new Member(ctx.server, 'carol')
  await alice.enter(106)
  await bob.enter('106')
  // carol gives both: roomId 106 wins, so she meets alice, not bob.
  await carol.cloud.enterRoom(carol.params(106, { strRoomId: '106' }), 0)
  await barrier(ctx.server, 106, [alice, carol])
  await barrier(ctx.server, '106', [bob])
  expect(alice.roomEvents.slice(1)).toEqual([['onRemoteUserEnterRoom', 'carol']])
  expect(bob.roomEvents.slice(1)).toEqual([])
  expect(carol.roomEvents.slice(1)).toEqual([['onRemoteUserEnterRoom', 'alice']])
  await Promise.all([alice, bob, carol].map((m) => m.cloud.exitRoom()))
})

test('plain objects work as params, and the TRTC role and scene are accepted', async () => {
  const { TRTCRoleType, TRTCAppScene } = require('..')
  const alice = new Member(ctx.server, 'alice')
  const plain = { ...alice.params('lobby: #1'), role: TRTCRoleType.TRTCRoleAudience }
  await expect(
    alice.cloud.enterRoom(plain, TRTCAppScene.TRTCAppSceneLIVE),
  ).resolves.toBeGreaterThan(0)
  await alice.cloud.exitRoom()
})

test('switchRoom: onSwitchRoom(0), the old members leave, the new ones arrive; both rooms see the move', async () => {
  const { TRTCSwitchRoomParam } = require('..')
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => new Member(ctx.server, u))
  await alice.enter(110)
  await bob.enter(110)
  await carol.enter(111)
  await barrier(ctx.server, 110, [alice, bob])
  await barrier(ctx.server, 111, [carol])
  const seen = {
    alice: alice.roomEvents.length,
    bob: bob.roomEvents.length,
    carol: carol.roomEvents.length,
  }

  await alice.cloud.switchRoom(new TRTCSwitchRoomParam(111))
  await barrier(ctx.server, 111, [alice, carol])
  await barrier(ctx.server, 110, [bob])
  expect(alice.roomEvents.slice(seen.alice)).toEqual([
    ['onSwitchRoom', 0, ''],
    ['onRemoteUserLeaveRoom', 'bob', 0],
    ['onRemoteUserEnterRoom', 'carol'],
  ])
  expect(bob.roomEvents.slice(seen.bob)).toEqual([['onRemoteUserLeaveRoom', 'alice', 0]])
  expect(carol.roomEvents.slice(seen.carol)).toEqual([['onRemoteUserEnterRoom', 'alice']])
  await Promise.all([alice, bob, carol].map((m) => m.cloud.exitRoom()))
  expect(alice.events.at(-1)).toEqual(['onExitRoom', 0])
})

test('a failed switchRoom rejects with its code, emits onSwitchRoom, and leaves the room untouched', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  await alice.enter(112)
  await bob.enter(112)
  await barrier(ctx.server, 112, [alice, bob])
  const seen = bob.roomEvents.length
  await expect(alice.cloud.switchRoom({ roomId: 113, userSig: 'forged' })).rejects.toMatchObject({
    code: -3320,
  })
  await expect(alice.cloud.switchRoom({ roomId: 112 })).rejects.toMatchObject({
    code: -3301,
    message: /already in/,
  })
  await expect(alice.cloud.switchRoom(null)).rejects.toMatchObject({ code: -3316 })
  expect(alice.events.filter(([name]) => name === 'onSwitchRoom').map(([, code]) => code)).toEqual([
    -3320, -3301, -3316,
  ])
  await barrier(ctx.server, 112, [alice, bob])
  expect(bob.roomEvents.slice(seen)).toEqual([])
  // Not in a room at all: refused, with onSwitchRoom.
  const idle = new Member(ctx.server, 'idle')
  await expect(idle.cloud.switchRoom({ roomId: 1 })).rejects.toMatchObject({
    code: -3301,
    message: /not in a room/,
  })
  expect(idle.events).toEqual([['onSwitchRoom', -3301, expect.stringContaining('not in a room')]])
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('switchRoom called twice in a row: both settle, in order, and the member ends in the second room', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  await alice.enter(114)
  await bob.enter(116)
  const first = alice.cloud.switchRoom({ roomId: 115 })
  const second = alice.cloud.switchRoom({ roomId: 116 })
  await expect(first).resolves.toBeUndefined()
  await expect(second).resolves.toBeUndefined()
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  expect(alice.events.filter(([name]) => name === 'onSwitchRoom')).toEqual([
    ['onSwitchRoom', 0, ''],
    ['onSwitchRoom', 0, ''],
  ])
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('a switchRoom pending when the session ends is rejected, not left hanging', async () => {
  const { startServer } = require('..')
  const server = await startServer({ port: 0 })
  const alice = new Member(server, 'alice', { exitTimeoutMs: 200 })
  await alice.enter(1)
  const switching = alice.cloud.switchRoom({ roomId: 2 })
  alice.cloud.destroy()
  // Either the switch finished before the exit, or the session ended under it: it settles.
  const outcome = await switching.then(
    () => 'switched',
    (e) => e.code,
  )
  expect(['switched', -3301]).toContain(outcome)
  await alice.waitFor('onExitRoom', 0)
  await server.close()
})

test('createSubCloud: the same user in two rooms at once, each with its own events; destroy() of the main instance exits both', async () => {
  const alice = new Member(ctx.server, 'alice')
  const aliceSub = new Member(ctx.server, 'alice', {}, alice.cloud.createSubCloud())
  const [bob, carol] = ['bob', 'carol'].map((u) => new Member(ctx.server, u))
  await bob.enter(120)
  await carol.enter(121)
  await alice.enter(120)
  await aliceSub.enter(121)
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  await aliceSub.waitFor('onRemoteUserEnterRoom', 'carol')
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  await carol.waitFor('onRemoteUserEnterRoom', 'alice')

  alice.cloud.destroy()
  await alice.waitFor('onExitRoom', 0)
  await aliceSub.waitFor('onExitRoom', 0)
  await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
  await carol.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
  expect(alice.events).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'bob'],
    ['onExitRoom', 0],
  ])
  expect(aliceSub.events).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'carol'],
    ['onExitRoom', 0],
  ])
  expect(() => alice.cloud.createSubCloud()).toThrow(
    expect.objectContaining({ code: 'ERR_DESTROYED' }),
  )
  await expect(aliceSub.enter(121)).rejects.toMatchObject({ code: 'ERR_DESTROYED' })
  await Promise.all([bob, carol].map((m) => m.cloud.exitRoom()))
})

test('a sub-cloud destroyed on its own leaves the main instance in its room', async () => {
  const alice = new Member(ctx.server, 'alice')
  const sub = alice.cloud.createSubCloud()
  const aliceSub = new Member(ctx.server, 'alice', {}, sub)
  // A sub-cloud's sub-cloud belongs to the same main instance.
  const sibling = sub.createSubCloud()
  await alice.enter(122)
  await aliceSub.enter(123)
  alice.cloud.destroySubCloud(sub)
  await aliceSub.waitFor('onExitRoom', 0)
  expect(() => alice.cloud.destroySubCloud(sub)).toThrow(/not a sub-cloud of this instance/)
  alice.cloud.destroySubCloud(sibling)
  const bob = new Member(ctx.server, 'bob')
  await bob.enter(122)
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test("sub-clouds share their main instance's connection, and recover with it", async () => {
  const { startServer } = require('..')
  const { startProxy } = require('./proxy.js')
  const server = await startServer({ port: 0 })
  const proxy = await startProxy(server.port)
  try {
    const config = {
      serverUrl: proxy.url,
      enterTimeoutMs: 300,
      reconnect: { numberOfAttempts: 200, intervalMs: 20, maxIntervalMs: 100 },
    }
    const alice = new Member(server, 'alice', config)
    const subs = [1, 2].map(() => new Member(server, 'alice', {}, alice.cloud.createSubCloud()))
    await alice.enter(130)
    await subs[0].enter(131)
    await subs[1].enter(132)
    expect(proxy.connections).toBe(1)

    proxy.set('close')
    proxy.set('pass')
    for (const member of [alice, ...subs]) await member.waitFor('onConnectionRecovery')
    expect(proxy.connections).toBe(2)
    const bob = new Member(server, 'bob')
    await bob.enter(131)
    await subs[0].waitFor('onRemoteUserEnterRoom', 'bob')
    expect(alice.events.some(([, user]) => user === 'bob')).toBe(false)
    alice.cloud.destroy()
    for (const member of [alice, ...subs]) await member.waitFor('onExitRoom', 0)
    await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
    await bob.cloud.exitRoom()
  } finally {
    await proxy.close()
    await server.close()
  }
})

test('more sub-clouds than one connection carries: the next ones go on a new connection, all of them work', async () => {
  const { startServer } = require('..')
  const { startProxy } = require('./proxy.js')
  const server = await startServer({ port: 0 })
  const proxy = await startProxy(server.port)
  try {
    const main = new Member(server, 'main', { serverUrl: proxy.url })
    const subs = Array.from(
      { length: 19 },
      (_, i) => new Member(server, `s${i}`, {}, main.cloud.createSubCloud()),
    )
    await main.enter(140)
    for (const sub of subs) await sub.enter(140)
    // 16 sessions on the first connection, the other 4 on a second one.
    expect(proxy.connections).toBe(2)
    await main.waitFor('onRemoteUserEnterRoom', 's18')
    main.cloud.destroy()
    for (const member of [main, ...subs]) await member.waitFor('onExitRoom', 0)
  } finally {
    await proxy.close()
    await server.close()
  }
})
