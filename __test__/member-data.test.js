'use strict'
// Member data (userData): given at enter, seen by the others through getRemoteUsers() from the
// moment onRemoteUserEnterRoom fires, replaced with setUserData (onRemoteUserDataUpdated),
// shown by DescribeRoom, refused with -7011 when it is not JSON or too large, and kept across
// a resume and a re-enter.

const { startServer, RoomServiceClient } = require('..')
const { Member, barrier, useServer } = require('./helpers.js')
const { startProxy } = require('./proxy.js')

const context = useServer()

/** Resolve once `member` records `name` after its first `from` events. */
const eventAfter = (member, from, name) =>
  member._wait(
    () => member.events.slice(from).some(([event]) => event === name),
    `${member.userId}: ${name} after event ${from}`,
  )

const enterWith = (member, roomId, userData) =>
  member.cloud.enterRoom(member.params(roomId, { userData }), 0)

test('the others see member data from onRemoteUserEnterRoom on, and every change of it', async () => {
  const { server, admin } = context
  const ann = new Member(server, 'ann')
  const bob = new Member(server, 'bob')
  await enterWith(ann, 40, { name: 'Ann', avatar: 'https://a.example/ann.png' })
  // What ann's listener sees when bob arrives: bob is listed, with his data, already.
  let listedOnArrival
  ann.cloud.on('onRemoteUserEnterRoom', () => (listedOnArrival = ann.cloud.getRemoteUsers()))
  await enterWith(bob, 40, 'Bob')
  await ann.waitFor('onRemoteUserEnterRoom', 'bob')
  expect(listedOnArrival).toEqual([
    { userId: 'bob', userData: 'Bob', hasAudio: false, hasVideo: false, hasSubStream: false },
  ])
  await bob.waitFor('onRemoteUserEnterRoom', 'ann')
  expect(bob.cloud.getRemoteUsers()).toEqual([
    {
      userId: 'ann',
      userData: { name: 'Ann', avatar: 'https://a.example/ann.png' },
      hasAudio: false,
      hasVideo: false,
      hasSubStream: false,
    },
  ])

  await ann.cloud.setUserData({ name: 'Ann B.' })
  await bob.waitForCount(3)
  expect(bob.events[2]).toEqual(['onRemoteUserDataUpdated', 'ann', { name: 'Ann B.' }])
  ann.cloud.startLocalAudio()
  await bob.waitFor('onUserAudioAvailable', 'ann', 1)
  expect(bob.cloud.getRemoteUsers()).toEqual([
    expect.objectContaining({ userId: 'ann', userData: { name: 'Ann B.' }, hasAudio: true }),
  ])
  // A copy each time: changing what was returned changes nothing.
  bob.cloud.getRemoteUsers()[0].userData.name = 'Mallory'
  expect(bob.cloud.getRemoteUsers()[0].userData).toEqual({ name: 'Ann B.' })

  const room = await admin.describeRoom(40)
  expect(room.participants.map(({ userId, userData }) => [userId, userData])).toEqual([
    ['ann', { name: 'Ann B.' }],
    ['bob', 'Bob'],
  ])

  await bob.cloud.setUserData(null)
  await ann.waitFor('onRemoteUserDataUpdated', 'bob', null)
  expect(ann.cloud.getRemoteUsers()[0].userData).toBeNull()

  await bob.cloud.exitRoom()
  await ann.waitFor('onRemoteUserLeaveRoom', 'bob', 0)
  expect(ann.cloud.getRemoteUsers()).toEqual([])
  await ann.cloud.exitRoom()
  // Outside a room nobody is listed.
  expect(bob.cloud.getRemoteUsers()).toEqual([])
})

test('bad member data is refused with -7011 and a message that says what to fix; the room carries on', async () => {
  const { server } = context
  const ann = new Member(server, 'ann')
  const cyclic = {}
  cyclic.self = cyclic
  await expect(enterWith(ann, 41, cyclic)).rejects.toMatchObject({
    code: -7011,
    message: expect.stringContaining('JSON-serialisable'),
  })
  expect(ann.events).toEqual([
    ['onEnterRoom', -7011],
    ['onError', -7011, expect.stringContaining('JSON-serialisable')],
  ])
  await expect(enterWith(ann, 41, 'x'.repeat(5000))).rejects.toMatchObject({
    code: -7011,
    message: expect.stringContaining('at most 4096'),
  })
  await expect(ann.cloud.setUserData('Ann')).rejects.toMatchObject({ code: -7009 })

  await enterWith(ann, 41, 'Ann')
  const bob = new Member(server, 'bob')
  await bob.enter(41)
  await expect(ann.cloud.setUserData(() => {})).rejects.toMatchObject({ code: -7011 })
  await expect(ann.cloud.setUserData({ big: 'x'.repeat(4096) })).rejects.toMatchObject({
    code: -7011,
  })
  await barrier(server, 41, [bob])
  // Bob saw ann's first data, and no change.
  expect(bob.cloud.getRemoteUsers()).toEqual([expect.objectContaining({ userData: 'Ann' })])
  expect(bob.events.some(([name]) => name === 'onRemoteUserDataUpdated')).toBe(false)
  await Promise.all([ann, bob].map((m) => m.cloud.exitRoom()))
})

test('member data set while the connection is down reaches the others after the resume, and a re-enter carries it', async () => {
  const server = await startServer({ port: 0, sessionTimeoutMs: 400 })
  const proxy = await startProxy(server.port)
  try {
    const quick = {
      serverUrl: proxy.url,
      enterTimeoutMs: 300,
      exitTimeoutMs: 300,
      reconnect: { numberOfAttempts: 200, intervalMs: 20, maxIntervalMs: 100 },
    }
    const ann = new Member(server, 'ann', quick)
    const bob = new Member(server, 'bob')
    await enterWith(ann, 42, 'Ann')
    await bob.enter(42)
    await bob.waitFor('onRemoteUserEnterRoom', 'ann')

    // A blip: resumed, and the data set meanwhile is told once back.
    proxy.set('close')
    await ann.waitFor('onConnectionLost')
    await ann.cloud.setUserData('Ann (away)')
    proxy.set('pass')
    await ann.waitFor('onConnectionRecovery')
    await bob.waitFor('onRemoteUserDataUpdated', 'ann', 'Ann (away)')
    expect(ann.states.at(-1)).toEqual(['CONNECTED', 'RESUMED'])

    // Longer than the session timeout: ann enters again, with the data she set last.
    const seen = ann.events.length
    proxy.set('blackhole')
    await eventAfter(ann, seen, 'onConnectionLost')
    await bob.waitFor('onRemoteUserLeaveRoom', 'ann', 1)
    await ann.cloud.setUserData('Ann (back)')
    const bobSaw = bob.events.length
    proxy.set('pass')
    await eventAfter(ann, seen, 'onConnectionRecovery')
    expect(ann.states.at(-1)).toEqual(['CONNECTED', 'REENTERED'])
    await eventAfter(bob, bobSaw, 'onRemoteUserEnterRoom')
    const arrivals = bob.events.filter(([name]) => name === 'onRemoteUserEnterRoom')
    expect(arrivals).toHaveLength(2)
    expect(bob.cloud.getRemoteUsers()).toEqual([
      expect.objectContaining({ userId: 'ann', userData: 'Ann (back)' }),
    ])
    await Promise.all([ann, bob].map((m) => m.cloud.exitRoom()))
  } finally {
    await proxy.close()
    await server.close()
  }
})

test('data the room refuses (its member data is full) is not what the member enters again with', async () => {
  const server = await startServer({ port: 0, sessionTimeoutMs: 400 })
  const proxy = await startProxy(server.port)
  try {
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    // 100 members may enter: 64 KiB of member data (512 bytes each, at least 64 KiB).
    await admin.createRoom(43, { maxMembers: 100 })
    // 4094 bytes of JSON that take 8190 on the wire: eight fill the room's 65,536 bytes.
    const bulky = '"'.repeat(2046)
    const fillers = Array.from({ length: 8 }, (_, n) => new Member(server, `filler${n}`))
    for (const filler of fillers) await enterWith(filler, 43, bulky)
    const late = new Member(server, 'late', {
      serverUrl: proxy.url,
      enterTimeoutMs: 300,
      exitTimeoutMs: 300,
      reconnect: { numberOfAttempts: 200, intervalMs: 20, maxIntervalMs: 100 },
    })
    await late.enter(43)
    await late.cloud.setUserData('"'.repeat(10))
    await late.waitFor('onError', -7011)
    expect(late.events.find(([name]) => name === 'onError')[2]).toMatch(
      /member data is full.*give less data/,
    )

    // Lost for longer than the session timeout: entering again, with the data the room holds
    // (none), is let in.
    const seen = late.events.length
    proxy.set('blackhole')
    await eventAfter(late, seen, 'onConnectionLost')
    await fillers[0].waitFor('onRemoteUserLeaveRoom', 'late', 1)
    proxy.set('pass')
    await eventAfter(late, seen, 'onConnectionRecovery')
    expect(late.states.at(-1)).toEqual(['CONNECTED', 'REENTERED'])
    expect(late.events.slice(seen).map(([name]) => name)).not.toContain('onExitRoom')
    const room = await admin.describeRoom(43)
    expect(room.participants.find((p) => p.userId === 'late').userData).toBeNull()
    await Promise.all([late, ...fillers].map((m) => m.cloud.exitRoom()))
  } finally {
    await proxy.close()
    await server.close()
  }
})

test('enterRoom with bad userData while in a room is refused with onError alone; the room is untouched', async () => {
  const { server } = context
  const ann = new Member(server, 'ann')
  await enterWith(ann, 44, 'Ann')
  const cyclic = []
  cyclic.push(cyclic)
  await expect(enterWith(ann, 45, cyclic)).rejects.toMatchObject({ code: -7011 })
  expect(ann.events.slice(1)).toEqual([['onError', -7011, expect.any(String)]])
  expect(ann.cloud.getConnectionState()).toBe('CONNECTED')
  await ann.cloud.exitRoom()
  expect(ann.events.at(-1)).toEqual(['onExitRoom', 0])
})
