'use strict'
// The log calls drive what the addon logs. The log is process-wide, so each case runs an app in
// a child process (fixtures/logging-app.js) against this file's server and reads what it wrote
// to stderr or to its log directory; the callback is tested in this process and switched off
// after.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { TRTCCloud, TRTCLogLevel } = require('..')
const { Member, useServer } = require('./helpers.js')

const ctx = useServer()

/** How long one child app may take: it enters and exits one room on loopback. */
const APP_TIMEOUT_MS = 15_000

/** Run the logging app with `calls` made before entering and `inRoom` once in the room. */
function runApp({ calls = [], inRoom = [], badSig = false } = {}) {
  return new Promise((resolve, reject) => {
    const app = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'logging-app.js')], {
      env: {
        ...process.env,
        SERVER_URL: ctx.server.url,
        SDK_APP_ID: String(ctx.server.sdkAppId),
        SECRET_KEY: ctx.server.secretKey,
        LOG_CALLS: JSON.stringify(calls),
        LOG_CALLS_IN_ROOM: JSON.stringify(inRoom),
        ...(badSig ? { BAD_SIG: '1' } : {}),
      },
    })
    let stdout = ''
    let stderr = ''
    app.stdout.on('data', (chunk) => (stdout += chunk))
    app.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      app.kill('SIGKILL')
      reject(new Error(`the logging app did not finish in time; stderr: ${stderr}`))
    }, APP_TIMEOUT_MS)
    app.on('exit', (status) => {
      clearTimeout(timer)
      // Each case relies on the app having run to its end.
      if (status !== 0 || !stdout.includes('done')) {
        reject(new Error(`the logging app failed (${status}): ${stdout} ${stderr}`))
      } else resolve({ stdout, stderr })
    })
  })
}

/** The engine's line for a connection state (one per step of a session). */
const stateLine = (state) =>
  new RegExp(`INFO openroom_client::session: connection state .*state=${state}`)
const DEBUG_LINE = /DEBUG openroom_client::connection: opening a WebSocket to the room server/
const APP_LINE = /INFO app: the app says hello/

const { TRTCLogLevelDebug, TRTCLogLevelWarn, TRTCLogLevelNone } = TRTCLogLevel

test('with the console on at Debug, stderr has each step of the session, the debug lines and the app line', async () => {
  const { stderr } = await runApp({
    calls: [
      ['setLogLevel', TRTCLogLevelDebug],
      ['setConsoleEnabled', true],
    ],
  })
  for (const line of [
    APP_LINE,
    stateLine('CONNECTING'),
    DEBUG_LINE,
    stateLine('CONNECTED'),
    stateLine('DISCONNECTED'),
  ]) {
    expect(stderr).toMatch(line)
  }
}, 20_000)

test('at Info, the default, the debug lines are left out', async () => {
  const { stderr } = await runApp({ calls: [['setConsoleEnabled', true]] })
  expect(stderr).toMatch(stateLine('CONNECTED'))
  expect(stderr).toMatch(APP_LINE)
  expect(stderr).not.toMatch(/DEBUG/)
}, 20_000)

test('at Warn only warnings get through: a failed enter, not the steps', async () => {
  const { stdout, stderr } = await runApp({
    calls: [
      ['setConsoleEnabled', true],
      ['setLogLevel', TRTCLogLevelWarn],
    ],
    badSig: true,
  })
  expect(stdout).toMatch('enter failed: -3320')
  expect(stderr).toMatch(/WARN openroom_client::session: entering failed code=-3320/)
  expect(stderr).not.toMatch(/INFO/)
}, 20_000)

test('with the console never enabled, or at TRTCLogLevelNone, nothing is written to stderr', async () => {
  const quiet = await runApp({ calls: [['setLogLevel', TRTCLogLevelDebug]] })
  expect(quiet.stderr).toBe('')
  const none = await runApp({
    calls: [
      ['setConsoleEnabled', true],
      ['setLogLevel', TRTCLogLevelNone],
    ],
  })
  expect(none.stderr).toBe('')
}, 30_000)

test('a change takes effect on the next line: the console turned off in the room, or the level raised', async () => {
  const consoleOff = await runApp({
    calls: [['setConsoleEnabled', true]],
    inRoom: [['setConsoleEnabled', false]],
  })
  expect(consoleOff.stderr).toMatch(stateLine('CONNECTED'))
  expect(consoleOff.stderr).not.toMatch(stateLine('DISCONNECTED'))
  const raised = await runApp({
    calls: [['setConsoleEnabled', true]],
    inRoom: [['setLogLevel', TRTCLogLevelWarn]],
  })
  expect(raised.stderr).toMatch(stateLine('CONNECTED'))
  expect(raised.stderr).not.toMatch(stateLine('DISCONNECTED'))
}, 30_000)

test('setLogDirPath writes the log to a dated file in the directory, and nothing to stderr', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'openroom-logs-'))
  try {
    // A directory that does not exist yet is created.
    const dir = path.join(parent, 'nested', 'logs')
    const { stderr } = await runApp({
      calls: [
        ['setLogLevel', TRTCLogLevelDebug],
        ['setLogDirPath', dir],
      ],
    })
    expect(stderr).toBe('')
    const files = fs.readdirSync(dir)
    expect(files).toEqual([expect.stringMatching(/^openroom\.\d{4}-\d{2}-\d{2}\.log$/)])
    const written = fs.readFileSync(path.join(dir, files[0]), 'utf8')
    for (const line of [APP_LINE, DEBUG_LINE, stateLine('CONNECTED'), stateLine('DISCONNECTED')]) {
      expect(written).toMatch(line)
    }
  } finally {
    fs.rmSync(parent, { recursive: true, force: true })
  }
}, 20_000)

describe('in this process', () => {
  /** Lines passed to a log callback, and a way to await one. */
  function collector() {
    const lines = []
    const waiters = []
    const callback = (log, level, module) => {
      lines.push({ log, level, module })
      for (const waiter of waiters.splice(0)) waiter()
    }
    const waitFor = (matches, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log line ${what}; got ${JSON.stringify(lines)}`)),
          5000,
        )
        const check = () => {
          const found = lines.find(matches)
          if (found) {
            clearTimeout(timer)
            resolve(found)
          } else waiters.push(check)
        }
        check()
      })
    return { lines, callback, waitFor }
  }

  const cloud = new TRTCCloud()
  afterAll(() => {
    // The log is the process's: leave it as it was for the next test file in this worker.
    cloud.setLogCallback(null)
    cloud.setLogLevel(TRTCLogLevel.TRTCLogLevelInfo)
    cloud.destroy()
  })

  test('setLogCallback gets each line with its TRTCLogLevel and module, until it is replaced', async () => {
    const first = collector()
    cloud.setLogCallback(first.callback)
    cloud.log('hello from the app')
    const hello = await first.waitFor((line) => line.log.includes('hello from the app'), 'hello')
    expect(hello).toEqual({
      log: expect.stringMatching(/INFO app: hello/),
      level: 2,
      module: 'app',
    })

    const member = new Member(ctx.server, 'callbackUser')
    await member.enter(901)
    const entered = await first.waitFor(
      (line) => line.module === 'openroom_client::session' && /state=CONNECTED/.test(line.log),
      'for CONNECTED',
    )
    expect(entered.level).toBe(TRTCLogLevel.TRTCLogLevelInfo)
    await member.cloud.exitRoom()

    // Replaced: the next line goes to the new callback only.
    const second = collector()
    cloud.setLogCallback(second.callback)
    cloud.log('for the second')
    await second.waitFor((line) => line.log.includes('for the second'), 'for the second')
    expect(first.lines.filter((line) => line.log.includes('for the second'))).toEqual([])
  })

  test('a JS thread that does not take the lines loses the excess, counted, never more than the queue holds', async () => {
    const slow = collector()
    cloud.setLogCallback(slow.callback)
    // All logged in one turn of the loop: nothing is taken until it ends.
    const queue = 4096
    for (let n = 0; n < queue + 500; n++) cloud.log(`flood ${n}`)
    cloud.log('after the flood')
    // Let the loop take what was queued: turns of the loop until one brings nothing more.
    let before
    do {
      before = slow.lines.length
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
    } while (slow.lines.length > before)
    // The next line finds room, and the count goes first.
    cloud.log('once there is room')
    await slow.waitFor((line) => line.log.includes('once there is room'), 'after the count')
    const told = slow.lines.slice(-2).map((line) => line.log)
    expect(told[0]).toMatch(/\d+ log lines were dropped/)
    const flood = slow.lines.filter((line) => line.log.includes('flood '))
    expect(flood.length).toBeLessThanOrEqual(queue)
    const notice = slow.lines.find((line) => line.log.includes('log lines were dropped'))
    // Every line of the flood either arrived or was counted ('after the flood' too).
    const dropped = Number(/(\d+) log lines were dropped/.exec(notice.log)[1])
    const arrived = slow.lines.filter((line) => /flood/.test(line.log)).length
    expect(arrived + dropped).toBe(queue + 501)
    expect(notice.level).toBe(TRTCLogLevel.TRTCLogLevelWarn)
  })

  test('bad arguments throw ERR_INVALID_ARG_VALUE naming what is wrong', () => {
    const thrown = (call) => {
      try {
        call()
      } catch (error) {
        return { code: error.code, message: error.message }
      }
      return null
    }
    expect(thrown(() => cloud.setLogLevel(9))).toEqual({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(/^level must be a TRTCLogLevel: 0 Verbose, .* got 9$/),
    })
    expect(thrown(() => cloud.setLogLevel('debug'))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    })
    expect(thrown(() => cloud.setLogLevel(1.5))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(thrown(() => cloud.setConsoleEnabled('yes'))).toEqual({
      code: 'ERR_INVALID_ARG_VALUE',
      message: "enabled must be a boolean, got 'yes'",
    })
    expect(thrown(() => cloud.setLogDirPath(''))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    // A directory that cannot be made: under a file.
    expect(thrown(() => cloud.setLogDirPath(path.join(__filename, 'logs')))).toEqual({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining(
        `cannot write log files in ${path.join(__filename, 'logs')}`,
      ),
    })
    expect(thrown(() => cloud.setLogCallback(42))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(thrown(() => cloud.setLogCompressEnabled(1))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    })
    expect(thrown(() => cloud.log(5))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    // The accepted forms.
    expect(thrown(() => cloud.setLogCompressEnabled(false))).toBe(null)
    expect(thrown(() => cloud.setLogLevel(TRTCLogLevel.TRTCLogLevelFatal))).toBe(null)
  })
})
