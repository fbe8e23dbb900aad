'use strict'
// The addon against a server that freezes: the app hears onConnectionLost, exitRoom()
// resolves within exitTimeoutMs (and a small margin), and the process ends on its own after
// destroy(), whatever the server does. (Before every write had a deadline, exitRoom() waited
// as long as the server was frozen, and so did the process.)

const { spawn } = require('node:child_process')
const path = require('node:path')
const { startServer } = require('..')
const { startProxy } = require('./proxy.js')

let server
let proxy
const children = new Set()

beforeAll(async () => {
  server = await startServer({
    port: 0,
    // A silence limit of 4 s (pings every 2 s): long enough for the app's writes to fill the
    // kernel's buffers and block first, as they did when this hung.
    sessionTimeoutMs: 6000,
    customMsgsPerSecond: 20_000,
    customBytesPerSecond: 20_000_000,
  })
  proxy = await startProxy(server.port)
})

afterAll(async () => {
  for (const proc of children) proc.kill('SIGKILL')
  await proxy.close()
  await server.close()
})

test('a frozen server: onConnectionLost, exitRoom() in time, and the process ends', async () => {
  const proc = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'frozen-server.js')], {
    env: {
      ...process.env,
      SERVER_URL: proxy.url,
      SDK_APP_ID: String(server.sdkAppId),
      SECRET_KEY: server.secretKey,
      EXIT_TIMEOUT_MS: '500',
    },
  })
  children.add(proc)
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (chunk) => (stdout += chunk))
  proc.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)))
  await new Promise((resolve) => {
    const check = () => stdout.includes('entered') && resolve()
    proc.stdout.on('data', check)
    check()
  })
  const frozen = Date.now()
  proxy.set('stall')
  await expect(exited).resolves.toBe(0)
  const took = Date.now() - frozen
  expect(stderr).toBe('')
  const [, exitMs] = /exited in (\d+) ms/.exec(stdout) ?? []
  expect(stdout).toMatch(/^entered\nlost\nexited in \d+ ms\n$/)
  // The silence limit is two pings (2 × 2 s); the exit timeout 500 ms, plus the close.
  expect(Number(exitMs)).toBeLessThan(1500)
  expect(took).toBeLessThan(9000)
}, 20000)
