'use strict'
// Process lifecycle: no destroy() needed for Node to exit, and no leaks across 1,000 instances.

const { spawn } = require('node:child_process')
const path = require('node:path')
const { useServer } = require('./helpers.js')

const ctx = useServer()

/** Children still running when a test ends (it failed) are killed, never left orphaned. */
const children = new Set()
afterEach(() => {
  for (const proc of children) proc.kill('SIGKILL')
  children.clear()
})

function child(script, env, args = []) {
  const proc = spawn(process.execPath, [...args, path.join(__dirname, 'fixtures', script)], {
    env: {
      ...process.env,
      SERVER_URL: ctx.server.url,
      SDK_APP_ID: String(ctx.server.sdkAppId),
      SECRET_KEY: ctx.server.secretKey,
      ...env,
    },
  })
  children.add(proc)
  proc.on('exit', () => children.delete(proc))
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (chunk) => (stdout += chunk))
  proc.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) =>
    proc.on('exit', (code) => resolve({ code, stdout, stderr })),
  )
  const printed = (text) =>
    new Promise((resolve) => {
      const check = () => stdout.includes(text) && resolve()
      proc.stdout.on('data', check)
      check()
    })
  return { proc, exited, printed }
}

test('a script that enters and exits a room, and never calls destroy(), ends on its own', async () => {
  const { exited } = child('stays-until-exit.js', { MODE: 'exit' })
  await expect(exited).resolves.toEqual({ code: 0, stdout: 'entered\nexited 0\n', stderr: '' })
})

test('a script in a room stays alive, and ends on its own once removed', async () => {
  const { proc, exited, printed } = child('stays-until-exit.js', { MODE: 'wait' })
  await printed('entered')
  // In the room with nothing else to do: the session keeps Node alive.
  expect(proc.exitCode).toBeNull()
  await ctx.admin.removeUser(600, ['child'])
  await expect(exited).resolves.toEqual({ code: 0, stdout: 'entered\nexited 1\n', stderr: '' })
})

test('900 instances that enter, exit and are destroyed leak no thread, socket or memory', async () => {
  const { exited } = child('churn.js', { TOTAL: '1500', WARMUP: '600' }, ['--expose-gc'])
  const { code, stdout, stderr } = await exited
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  const report = JSON.parse(stdout)
  const last = report.samples.at(-1)
  console.log(`churn: ${JSON.stringify(report)}`)
  for (const sample of report.samples) {
    expect(sample.threads).toBe(report.baseline.threads)
    expect(sample.sockets).toBe(report.baseline.sockets)
  }
  // Memory is flat: after 900 more instances RSS stays within 8 MB of the baseline (one
  // leaked instance with its socket buffers would cost tens of KB; 900 would show).
  expect(last.rssKb - report.baseline.rssKb).toBeLessThan(8 * 1024)
  // Idle instances hold no GC root: nearly all of them were collected.
  expect(report.collected).toBeGreaterThan(report.total * 0.9)
}, 120000)

test('a quiet room survives many session timeouts: the clients ping as the server asked', async () => {
  const { startServer } = require('..')
  const { Member } = require('./helpers.js')
  const server = await startServer({ port: 0, sessionTimeoutMs: 300 })
  try {
    expect(server.sessionTimeoutMs).toBe(300)
    const alice = new Member(server, 'alice')
    const bob = new Member(server, 'bob')
    await alice.enter(900)
    await bob.enter(900)
    await alice.waitFor('onRemoteUserEnterRoom', 'bob')
    // Nobody says anything for five timeouts (waiting is the point: nothing must happen).
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await bob.cloud.exitRoom()
    await alice.waitFor('onRemoteUserLeaveRoom', 'bob', 0)
    expect(alice.events).toEqual([
      ['onEnterRoom', expect.any(Number)],
      ['onRemoteUserEnterRoom', 'bob'],
      ['onRemoteUserLeaveRoom', 'bob', 0],
    ])
    await alice.cloud.exitRoom()
  } finally {
    await server.close()
  }
})

test('sessionTimeoutMs is checked', async () => {
  const { startServer } = require('..')
  for (const sessionTimeoutMs of [0, -1, 1.5, '300', 86_400_001]) {
    await expect(startServer({ port: 0, sessionTimeoutMs })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    })
  }
})
