'use strict'
// RoomServiceClient gives up on a server that takes the connection and never answers (a hung
// server, a proxy with no upstream): the call rejects with ETIMEDOUT after timeoutMs rather than
// leaving the caller waiting for ever.

const net = require('node:net')
const { RoomServiceClient } = require('..')

const TIMEOUT_MS = 300
/** How late the rejection may come on a busy machine, and still count as "on time". */
const SLACK_MS = 3000

/**
 * A loopback TCP server that accepts every connection and reads what it is sent; `reply`, if
 * given, is written back and then nothing more. `requests` resolves with the first request seen.
 */
async function silentServer(reply = null) {
  const sockets = new Set()
  let sawRequest
  const requests = new Promise((resolve) => (sawRequest = resolve))
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk
      if (received.includes('\r\n\r\n')) {
        sawRequest(received)
        if (reply !== null) socket.write(reply)
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  }
  return { url: `ws://127.0.0.1:${server.address().port}`, requests, close }
}

/** `promise`, or a rejection saying it was still pending after `ms`. */
function within(promise, ms) {
  let timer
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** The call's rejection and how long it took; fails the test if it settles otherwise. */
async function timedRejection(call) {
  const started = performance.now()
  const error = await within(call(), TIMEOUT_MS + SLACK_MS).then(
    (value) => {
      throw new Error(`resolved with ${JSON.stringify(value)}`)
    },
    (error) => error,
  )
  return { error, elapsed: performance.now() - started }
}

let server = null

afterEach(async () => {
  await server?.close()
  server = null
})

test('a server that accepts and never answers: ETIMEDOUT after timeoutMs', async () => {
  server = await silentServer()
  const admin = new RoomServiceClient(server.url, 1400000001, 'key', { timeoutMs: TIMEOUT_MS })
  const { error, elapsed } = await timedRejection(() => admin.dismissRoom(1))
  // The request did reach it: the wait was for an answer, not for a connection.
  expect(await within(server.requests, 1000)).toMatch(/^POST \/v1\/DismissRoom HTTP\/1\.1/)
  expect(error.code).toBe('ETIMEDOUT')
  expect(error.message).toBe(
    `DismissRoom: ${server.url.replace('ws', 'http')}/v1/DismissRoom did not answer in ${TIMEOUT_MS} ms (the timeoutMs option)`,
  )
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
})

test('a server that sends its headers and then stalls the body: ETIMEDOUT too', async () => {
  server = await silentServer(
    'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"Resp',
  )
  const admin = new RoomServiceClient(server.url, 1400000001, 'key', { timeoutMs: TIMEOUT_MS })
  const { error, elapsed } = await timedRejection(() => admin.describeRoom(1))
  expect(error.code).toBe('ETIMEDOUT')
  expect(error.message).toContain(`did not answer in ${TIMEOUT_MS} ms`)
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
})

test('timeoutMs defaults to 10 s, and a bad one is refused with what it must be', () => {
  expect(new RoomServiceClient('ws://127.0.0.1:1', 1, 'key').timeoutMs).toBe(10000)
  for (const timeoutMs of [0, -1, 1.5, '500', Infinity, 2 ** 31]) {
    expect(() => new RoomServiceClient('ws://127.0.0.1:1', 1, 'key', { timeoutMs })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringMatching(/^timeoutMs must be an integer from 1 to 2147483647, got/),
      }),
    )
  }
  expect(() => new RoomServiceClient('ws://127.0.0.1:1', 1, 'key', null)).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.any(String) }),
  )
})
