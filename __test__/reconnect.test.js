'use strict'
// Reconnection through a real TCP proxy: a blip is resumed and invisible to the others, a
// longer loss or a server restart ends in entering again with the member difference, giving
// up is clean, and the connection state follows every step.

const { startServer } = require('..')
const { Member, barrier } = require('./helpers.js')
const { startProxy } = require('./proxy.js')

/** Quick reconnection for tests: attempts 20–100 ms apart, each bounded by 300 ms. */
const quick = (url, numberOfAttempts = 200) => ({
  serverUrl: url,
  enterTimeoutMs: 300,
  exitTimeoutMs: 300,
  reconnect: { numberOfAttempts, intervalMs: 20, maxIntervalMs: 100 },
})

const resources = []
afterEach(async () => {
  for (const resource of resources.splice(0).reverse()) await resource.close()
})
const track = (resource) => (resources.push(resource), resource)

const names = (member) => member.events.map(([name]) => name)
const withoutAttempts = (events) => events.filter(([name]) => name !== 'onTryToReconnect')

test('a blip: onConnectionLost, onTryToReconnect, then every event of the outage once and onConnectionRecovery; the others see nothing', async () => {
  const server = track(await startServer({ port: 0, sessionTimeoutMs: 5000 }))
  const proxy = track(await startProxy(server.port))
  const alice = new Member(server, 'alice', quick(proxy.url))
  const bob = new Member(server, 'bob', { serverUrl: server.url })
  await alice.enter(10)
  await bob.enter(10)
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  expect(alice.cloud.getConnectionState()).toBe('CONNECTED')

  proxy.set('close')
  await alice.waitFor('onConnectionLost')
  expect(alice.cloud.getConnectionState()).toBe('RECONNECTING')
  const carol = new Member(server, 'carol', { serverUrl: server.url })
  await carol.enter(10)
  await bob.cloud.exitRoom()
  proxy.set('pass')
  await alice.waitFor('onConnectionRecovery')

  expect(withoutAttempts(alice.events)).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'bob'],
    ['onConnectionLost', expect.any(String)],
    ['onRemoteUserEnterRoom', 'carol'],
    ['onRemoteUserLeaveRoom', 'bob', 0],
    ['onConnectionRecovery'],
  ])
  expect(alice.events.filter(([name]) => name === 'onTryToReconnect')[0]).toEqual([
    'onTryToReconnect',
    1,
  ])
  expect(alice.states).toEqual([
    ['CONNECTING', 'ENTER_ROOM'],
    ['CONNECTED', 'ENTERED'],
    ['RECONNECTING', 'CONNECTION_LOST'],
    ['CONNECTED', 'RESUMED'],
  ])
  expect(alice.cloud.getConnectionState()).toBe('CONNECTED')
  // Carol met alice and bob, and saw bob leave; nobody saw alice leave or come back.
  await barrier(server, 10, [alice, carol])
  expect(carol.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
    ['onRemoteUserEnterRoom', 'bob'],
    ['onRemoteUserLeaveRoom', 'bob', 0],
  ])
  await alice.cloud.exitRoom()
  expect(alice.states.at(-1)).toEqual(['DISCONNECTED', 'EXITED'])
  expect(alice.cloud.getConnectionState()).toBe('DISCONNECTED')
  await carol.cloud.exitRoom()
})

test('a loss longer than the session timeout: the client enters again and reports who left and who came', async () => {
  const server = track(await startServer({ port: 0, sessionTimeoutMs: 400 }))
  const proxy = track(await startProxy(server.port))
  const alice = new Member(server, 'alice', quick(proxy.url))
  const bob = new Member(server, 'bob', { serverUrl: server.url })
  await alice.enter(11)
  await bob.enter(11)
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')

  proxy.set('blackhole')
  await alice.waitFor('onConnectionLost')
  // The server timed alice out: bob saw her leave with reason 1.
  await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 1)
  await bob.cloud.exitRoom()
  const carol = new Member(server, 'carol', { serverUrl: server.url })
  await carol.enter(11)
  proxy.set('pass')
  await alice.waitFor('onConnectionRecovery')

  expect(withoutAttempts(alice.events).slice(2)).toEqual([
    ['onConnectionLost', expect.stringContaining('no answer')],
    ['onRemoteUserLeaveRoom', 'bob', 0],
    ['onRemoteUserEnterRoom', 'carol'],
    ['onConnectionRecovery'],
  ])
  expect(alice.states.at(-1)).toEqual(['CONNECTED', 'REENTERED'])
  await carol.waitFor('onRemoteUserEnterRoom', 'alice')
  await Promise.all([alice, carol].map((m) => m.cloud.exitRoom()))
})

test('a restarted server: every client enters again by itself', async () => {
  const first = await startServer({ port: 0 })
  const port = first.port
  const alice = new Member(first, 'alice', quick(first.url))
  await alice.enter(12)
  await first.close()
  await alice.waitFor('onConnectionLost')
  const second = track(await startServer({ port }))
  await alice.waitFor('onConnectionRecovery')
  expect(alice.states.at(-1)).toEqual(['CONNECTED', 'REENTERED'])
  // In the room on the new server: a newcomer meets alice.
  const bob = new Member(second, 'bob', { serverUrl: second.url })
  await bob.enter(12)
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  expect(bob.events).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
  ])
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('giving up: onError(-7004) then onExitRoom(0); the instance can enter again', async () => {
  const server = track(await startServer({ port: 0 }))
  const proxy = track(await startProxy(server.port))
  const alice = new Member(server, 'alice', quick(proxy.url, 2))
  await alice.enter(13)
  proxy.set('close')
  await alice.waitFor('onExitRoom', 0)
  expect(names(alice)).toEqual([
    'onEnterRoom',
    'onConnectionLost',
    'onTryToReconnect',
    'onTryToReconnect',
    'onError',
    'onExitRoom',
  ])
  expect(alice.events[4]).toEqual([
    'onError',
    -7004,
    expect.stringContaining('could not reconnect to the room server in 2 attempts'),
  ])
  expect(alice.states.at(-1)).toEqual(['DISCONNECTED', 'GAVE_UP'])
  proxy.set('pass')
  await expect(alice.enter(13)).resolves.toBeGreaterThan(0)
  await alice.cloud.exitRoom()
})

test('allowReconnect: false ends the room at once with onError(-7004)', async () => {
  const server = track(await startServer({ port: 0 }))
  const proxy = track(await startProxy(server.port))
  const alice = new Member(server, 'alice', {
    serverUrl: proxy.url,
    reconnect: { allowReconnect: false },
  })
  await alice.enter(14)
  proxy.set('close')
  await alice.waitFor('onExitRoom', 0)
  expect(alice.events.slice(1)).toEqual([
    ['onConnectionLost', expect.any(String)],
    ['onError', -7004, expect.stringContaining('reconnecting is off')],
    ['onExitRoom', 0],
  ])
})

test('exitRoom() while reconnecting completes at once with onExitRoom(0)', async () => {
  const server = track(await startServer({ port: 0 }))
  const proxy = track(await startProxy(server.port))
  const alice = new Member(server, 'alice', {
    ...quick(proxy.url),
    reconnect: { numberOfAttempts: 100, intervalMs: 10000 },
  })
  await alice.enter(15)
  proxy.set('close')
  await alice.waitFor('onTryToReconnect', 1)
  // The next attempt is 10 s away; exitRoom() does not wait for it.
  await alice.cloud.exitRoom()
  expect(withoutAttempts(alice.events).slice(1)).toEqual([
    ['onConnectionLost', expect.any(String)],
    ['onExitRoom', 0],
  ])
  expect(alice.cloud.getConnectionState()).toBe('DISCONNECTED')
})

test('reconnect options are checked', () => {
  const TRTCCloud = require('..')
  const bad = [
    [1, /reconnect must be an object/],
    [{ allowReconnect: 'yes' }, /allowReconnect is a boolean/],
    [{ numberOfAttempts: -1 }, /numberOfAttempts is an integer from 0 to 1000/],
    [{ numberOfAttempts: 1001 }, /numberOfAttempts/],
    [{ intervalMs: 0 }, /intervalMs is a positive integer/],
    [{ maxIntervalMs: 1.5 }, /maxIntervalMs is a positive integer/],
    [{ attempts: 3 }, /attempts is not one/],
  ]
  for (const [reconnect, message] of bad) {
    expect(() => new TRTCCloud({ reconnect })).toThrow(message)
    try {
      new TRTCCloud({ reconnect })
    } catch (error) {
      expect(error.code).toBe('ERR_INVALID_ARG_VALUE')
    }
  }
  expect(new TRTCCloud({ reconnect: { allowReconnect: true } }).getConnectionState()).toBe(
    'DISCONNECTED',
  )
})
