'use strict'
// Finding the native binaries (lib/platform.js): a machine without them gets OpenRoom's own
// message, naming its platform, the package that carries them and how to build them; and
// `openroom server` runs the room server, passing on its flags, signals and exit status.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { launch } = require('./child-process.js')
const { currentPlatform } = require('../lib/platform.js')

const root = path.join(__dirname, '..')
const { name, version } = require('../package.json')
const fakePlatform = path.join(__dirname, 'fixtures', 'fake-platform.js')
const unix = process.platform === 'win32' ? test.skip : test

let workdir
let installed
let clone

beforeAll(() => {
  // The package as npm installs it, without a platform package beside it: the JS files only,
  // so no local build of the repository is found either.
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'openroom-binaries-'))
  installed = path.join(workdir, 'node_modules', ...name.split('/'))
  // And a clone of the repository that has built nothing yet.
  clone = path.join(workdir, 'clone')
  for (const entry of ['package.json', 'index.js', 'lib', 'bin', 'liteav', 'Cargo.toml']) {
    fs.cpSync(path.join(root, entry), path.join(installed, entry), { recursive: true })
    fs.cpSync(path.join(root, entry), path.join(clone, entry), { recursive: true })
  }
  fs.rmSync(path.join(installed, 'Cargo.toml'))
})

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }))

/** Requires the package (installed, unless `dir` says) on a machine reporting `platform`. */
function requireOn(platform, arch, dir = installed) {
  const script = `
    try {
      require(${JSON.stringify(dir)})
      console.log(JSON.stringify({ loaded: true }))
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message, cause: error.cause?.code }))
    }
  `
  const run = spawnSync(process.execPath, ['--require', fakePlatform, '-e', script], {
    env: { ...process.env, FAKE_PLATFORM: platform, FAKE_ARCH: arch },
    encoding: 'utf8',
    timeout: 20000,
  })
  expect(run.stderr).toBe('')
  return JSON.parse(run.stdout)
}

/** A platform package of this name in the install, with the given manifest and files. */
function platformPackage(platform, manifest, files = []) {
  const packageName = `${name}-${platform}`
  const dir = path.join(workdir, 'node_modules', ...packageName.split('/'))
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: packageName, ...manifest }),
  )
  for (const file of files) fs.writeFileSync(path.join(dir, file), '')
  return { dir, remove: () => fs.rmSync(dir, { recursive: true }) }
}

const BUILD_STEPS = [
  'https://rustup.rs',
  'npm ci && npm run build && npm run build:server',
  'npm install /path/to/the/clone',
]

test('a prebuilt platform without its package installed: names the platform, the package, and how to build', () => {
  const error = requireOn('darwin', 'arm64')
  expect(error.code).toBe('ERR_BINARY_MISSING')
  expect(error.cause).toBe('MODULE_NOT_FOUND')
  expect(error.message).toContain("OpenRoom's native addon for darwin-arm64 is missing")
  expect(error.message).toContain(`the package ${name}-darwin-arm64`)
  expect(error.message).toContain('--omit=optional')
  for (const step of BUILD_STEPS) expect(error.message).toContain(step)
})

test('a platform with no prebuilt binaries: names it, the platforms that have them, and how to build', () => {
  const error = requireOn('freebsd', 'x64')
  expect(error.code).toBe('ERR_BINARY_MISSING')
  expect(error.message).toContain("OpenRoom's native addon for freebsd-x64 is missing")
  expect(error.message).toContain(
    'prebuilt binaries for linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64, win32-x64-msvc, not for freebsd-x64',
  )
  expect(error.message).toContain(`${name}-freebsd-x64`)
  for (const step of BUILD_STEPS) expect(error.message).toContain(step)
})

test('a platform package of another version, or without its binary, is refused with what to do', () => {
  const stale = platformPackage('darwin-arm64', { version: '0.0.1' }, [
    'openroom.darwin-arm64.node',
  ])
  const mismatch = requireOn('darwin', 'arm64')
  stale.remove()
  expect(mismatch.code).toBe('ERR_BINARY_VERSION_MISMATCH')
  expect(mismatch.message).toContain(`${name} ${version} found ${name}-darwin-arm64 0.0.1`)
  expect(mismatch.message).toContain(`Install ${name}-darwin-arm64@${version}`)

  const empty = platformPackage('darwin-arm64', { version })
  const incomplete = requireOn('darwin', 'arm64')
  empty.remove()
  expect(incomplete.code).toBe('ERR_BINARY_MISSING')
  expect(incomplete.message).toContain(
    'has no openroom.darwin-arm64.node: the package is incomplete',
  )
})

test('a clone that has not built the binaries says which command builds each', () => {
  const error = requireOn('linux', 'x64', clone)
  expect(error.code).toBe('ERR_BINARY_MISSING')
  expect(error.message).toBe(
    `OpenRoom's native addon for linux-x64-gnu is not built in this clone (${clone}): run ` +
      '`npm run build` there (it needs Rust 1.88 or newer, https://rustup.rs).',
  )
  const server = spawnSync(process.execPath, [path.join(clone, 'bin', 'openroom.js'), 'server'], {
    encoding: 'utf8',
    timeout: 10000,
  })
  expect(server.status).toBe(1)
  expect(server.stderr).toContain(
    `openroom: OpenRoom's room server (openroom-server) for ${currentPlatform()} is not built in this clone`,
  )
  expect(server.stderr).toContain('`npm run build:server`')
})

test('`openroom server` without the binary: the same message, and status 1', async () => {
  const cli = path.join(installed, 'bin', 'openroom.js')
  const { exited } = launch(process.execPath, ['--require', fakePlatform, cli, 'server'], {
    env: { ...process.env, FAKE_PLATFORM: 'darwin', FAKE_ARCH: 'arm64' },
  })
  const { code, stdout, stderr } = await exited
  expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
  expect(stderr).toMatch(
    /^openroom: OpenRoom's room server \(openroom-server\) for darwin-arm64 is missing\. It comes in the package @openroom\/trtc-darwin-arm64/,
  )
  for (const step of BUILD_STEPS) expect(stderr).toContain(step)
}, 20000)

test('`openroom` with no command or an unknown one prints its usage', () => {
  const cli = path.join(root, 'bin', 'openroom.js')
  const help = spawnSync(process.execPath, [cli], { encoding: 'utf8', timeout: 10000 })
  expect(help.status).toBe(0)
  expect(help.stdout).toMatch(/^usage: openroom server \[flags\]/)
  const wrong = spawnSync(process.execPath, [cli, 'serve'], { encoding: 'utf8', timeout: 10000 })
  expect(wrong.status).toBe(2)
  expect(wrong.stderr).toMatch(/^openroom: unknown command "serve"\nusage: openroom server/)
})

// The rest runs the server this clone built (npm run build:server), as `openroom server` in a
// clone does.
const cli = path.join(root, 'bin', 'openroom.js')
const LISTENING = /openroom-server listening on ws:\/\/127\.0\.0\.1:(\d+)/

/** Whether something accepts connections on the port. */
function accepting(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** The process `pid` started (the server `openroom` runs): its pid and process group. */
function childOf(pid) {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' })
  const table = ps.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
  const [childPid, , group] = table.find(([, ppid]) => ppid === pid)
  return { pid: childPid, group }
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within(promise, ms, what) {
  let timer
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

test('`openroom server` passes its flags on, and the server’s exit status back', async () => {
  const { exited } = launch(process.execPath, [cli, 'server', '--listen', 'not-an-address'])
  const { code, stderr } = await exited
  // Status 2 is openroom-server's own for a flag it refuses.
  expect(code).toBe(2)
  expect(stderr).toContain('--listen')
}, 20000)

unix(
  'SIGTERM to `openroom server` stops the server gracefully (status 0), port closed',
  async () => {
    const { proc, printed, exited } = launch(process.execPath, [
      cli,
      'server',
      '--listen',
      '127.0.0.1:0',
    ])
    const [, port] = await printed(LISTENING)
    expect(await accepting(Number(port))).toBe(true)
    proc.kill('SIGTERM')
    const { code, signal, stderr } = await exited
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(stderr).toContain('stopping: closing every session')
    expect(stderr).not.toContain('second signal')
    expect(await accepting(Number(port))).toBe(false)
  },
  20000,
)

unix(
  'Ctrl-C in a terminal (SIGINT to the whole process group) reaches the server once: a graceful stop',
  async () => {
    // A terminal sends Ctrl-C's SIGINT to every process of the command's group; the server takes
    // a second signal as "stop at once" (status 130), so it must not get one from the terminal
    // and another forwarded by `openroom`: it runs in a group of its own. (Whether two signals
    // sent a moment apart reach it as one or two is a race, so the test looks at the groups.)
    const { proc, printed, exited } = launch(
      process.execPath,
      [cli, 'server', '--listen', '127.0.0.1:0'],
      { detached: true },
    )
    await printed(LISTENING)
    const server = childOf(proc.pid)
    expect(server.group).not.toBe(proc.pid)
    expect(server.group).toBe(server.pid)
    process.kill(-proc.pid, 'SIGINT')
    const { code, signal, stderr } = await exited
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(stderr).not.toContain('second signal')
  },
  20000,
)

/** Resolves once the child's stderr shows `text`; rejects after `ms`, or if it exits first. */
function stderrShows({ proc, output, exited }, text, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no ${JSON.stringify(text)} within ${ms} ms`)),
      ms,
    )
    const check = () => output.stderr.includes(text) && done()
    const done = (error) => {
      clearTimeout(timer)
      proc.stderr.off('data', check)
      if (error) reject(error)
      else resolve()
    }
    proc.stderr.on('data', check)
    exited.then(() => done(new Error(`exited before printing ${JSON.stringify(text)}`)))
    check()
  })
}

/**
 * A connection holding half an HTTP request: the server's graceful stop waits for it until
 * --shutdown-grace runs out, so a second signal meanwhile would find the server still stopping.
 */
function halfRequest(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST /v1/ListRooms HTTP/1.1\r\nHost: 127.0.0.1\r\n')
      resolve(socket)
    })
    // Also takes the reset when the server abandons it.
    socket.on('error', reject)
  })
}

const STOPPING = 'stopping: closing every session'
const FORCED = 'second signal: stopping without waiting for sessions'

unix(
  'two SIGTERMs a moment apart (npx forwards one as well) are one graceful stop (status 0)',
  async () => {
    const server = launch(process.execPath, [
      cli,
      'server',
      '--listen',
      '127.0.0.1:0',
      '--shutdown-grace',
      '2s',
    ])
    const [, port] = await server.printed(LISTENING)
    const socket = await halfRequest(Number(port))
    server.proc.kill('SIGTERM')
    // The first has reached the server, which now waits for the half request: the second comes
    // while it is stopping, as npm's forwarded copy does.
    await stderrShows(server, STOPPING)
    server.proc.kill('SIGTERM')
    const { code, signal, stderr } = await server.exited
    socket.destroy()
    expect(stderr).not.toContain(FORCED)
    // It waited out the grace for the half request: the second signal found it stopping.
    expect(stderr).toContain('some connections did not finish in time')
    expect({ code, signal }).toEqual({ code: 0, signal: null })
  },
  20000,
)

unix(
  'a second stop more than a second later still stops the server at once (status 130)',
  async () => {
    const server = launch(process.execPath, [
      cli,
      'server',
      '--listen',
      '127.0.0.1:0',
      '--shutdown-grace',
      '10s',
    ])
    const [, port] = await server.printed(LISTENING)
    const socket = await halfRequest(Number(port))
    server.proc.kill('SIGINT')
    await stderrShows(server, STOPPING)
    // Time itself is what is tested: a person's second Ctrl-C, later than npm's forwarded copy.
    // Well past the 1 s window, so a loaded machine cannot blur the two.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    server.proc.kill('SIGINT')
    const { code, stderr } = await server.exited
    socket.destroy()
    expect(stderr).toContain(FORCED)
    expect(code).toBe(130)
  },
  20000,
)

unix(
  '`openroom server` ending by an error stops the server it started, which frees the port',
  async () => {
    // A preload that makes the wrapper fail on SIGUSR2, as an uncaught error in it would.
    const crash = path.join(workdir, 'crash-on-sigusr2.js')
    fs.writeFileSync(
      crash,
      "process.on('SIGUSR2', () => { throw new Error('the wrapper failed') })\n",
    )
    const wrapper = launch(process.execPath, [
      '--require',
      crash,
      cli,
      'server',
      '--listen',
      '127.0.0.1:0',
    ])
    const [, port] = await wrapper.printed(LISTENING)
    const server = childOf(wrapper.proc.pid)
    try {
      wrapper.proc.kill('SIGUSR2')
      // The server writes to the same pipes: they close only once it has exited too.
      const { code, stderr } = await within(wrapper.exited, 10000, 'the server to stop')
      expect(code).toBe(1)
      expect(stderr).toContain('the wrapper failed')
      expect(stderr).toContain(STOPPING)
      expect(stderr).not.toContain(FORCED)
      expect(await accepting(Number(port))).toBe(false)
    } finally {
      // Without the stop it would outlive the test, in a group of its own.
      try {
        process.kill(server.pid, 'SIGKILL')
      } catch {
        // Gone, as it should be.
      }
    }
  },
  20000,
)
