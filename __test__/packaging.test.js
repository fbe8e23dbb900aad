'use strict'
// The published packages work without Rust: pack @openroom/trtc and this platform's package as
// the release does (scripts/stage-platform-package.js, then `napi prepublish`), install both
// tarballs into a fresh app with no cargo on PATH and no registry, require the package there,
// enter and exit a room, and run `npx @openroom/trtc server`.

const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { launch } = require('./child-process.js')
const { currentPlatform, PREBUILT_PLATFORMS, platformOfTarget } = require('../lib/platform.js')

const root = path.join(__dirname, '..')
const manifest = require('../package.json')
const { name, version } = manifest
const platform = currentPlatform()
const windows = process.platform === 'win32'
// npm is a .cmd script on Windows, which Node runs only through a shell.
const npm = (args, options) =>
  execFileSync(windows ? 'npm.cmd' : 'npm', args, { encoding: 'utf8', shell: windows, ...options })

let workdir

beforeAll(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'openroom-pack-'))
})

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }))

test('every napi target has its platform package in npm/, carrying the addon and the server', () => {
  expect(PREBUILT_PLATFORMS).toEqual(manifest.napi.targets.map(platformOfTarget))
  expect(fs.readdirSync(path.join(root, 'npm')).sort()).toEqual([...PREBUILT_PLATFORMS].sort())
  for (const target of manifest.napi.targets) {
    const platformName = platformOfTarget(target)
    const pkg = require(`../npm/${platformName}/package.json`)
    const [os, cpu] = platformName.split('-')
    const server = os === 'win32' ? 'openroom-server.exe' : 'openroom-server'
    expect({ name: pkg.name, version: pkg.version, main: pkg.main, files: pkg.files }).toEqual({
      name: `${name}-${platformName}`,
      version,
      main: `openroom.${platformName}.node`,
      files: [`openroom.${platformName}.node`, server],
    })
    // npm installs it only where it runs.
    expect({ os: pkg.os, cpu: pkg.cpu }).toEqual({ os: [os], cpu: [cpu] })
    if (platformName.endsWith('-gnu')) expect(pkg.libc).toEqual(['glibc'])
  }
  // `napi prepublish` adds them as optional dependencies at release; in the repository they
  // would make `npm ci` fetch packages of a version not published yet.
  expect(manifest.optionalDependencies).toBeUndefined()
  // Nothing runs when an app installs the package.
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare']
  expect(installScripts.filter((script) => manifest.scripts[script])).toEqual([])
})

/** npm pack in `dir`; the tarball's path and the files in it with their modes. */
function pack(dir) {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', workdir], { cwd: dir }))
  const files = Object.fromEntries(packed.files.map((f) => [f.path, f.mode]))
  return { tarball: path.join(workdir, packed.filename), files }
}

/**
 * A copy of the repository as the release workflow has it before publishing: the main package's
 * files, and this platform's package with this machine's build staged into it. Then `napi
 * prepublish` (the package's prepublishOnly script), limited to this platform and without
 * publishing, adds the optional dependency on it.
 */
function releaseCopy() {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'stage-platform-package.js')], {
    cwd: root,
    encoding: 'utf8',
  })
  const release = path.join(workdir, 'release')
  const [dryRun] = JSON.parse(npm(['pack', '--dry-run', '--json'], { cwd: root }))
  for (const { path: file } of dryRun.files) {
    fs.cpSync(path.join(root, file), path.join(release, file))
  }
  fs.cpSync(path.join(root, 'npm', platform), path.join(release, 'npm', platform), {
    recursive: true,
  })
  const hostOnly = path.join(workdir, 'napi-host-only.json')
  const target = manifest.napi.targets.find((t) => platformOfTarget(t) === platform)
  fs.writeFileSync(hostOnly, JSON.stringify({ targets: [target] }))
  const napiManifest = require.resolve('@napi-rs/cli/package.json')
  const napi = path.join(path.dirname(napiManifest), require(napiManifest).bin.napi)
  execFileSync(
    process.execPath,
    [napi, 'prepublish', '-t', 'npm', '--skip-optional-publish', '--no-gh-release', '-c', hostOnly],
    { cwd: release, stdio: 'pipe' },
  )
  return release
}

const supported = PREBUILT_PLATFORMS.includes(platform) ? test : test.skip

supported(
  'npm pack both packages → install them in a fresh app without Rust or a registry → require, enter and exit a room, run `npx @openroom/trtc server`',
  async () => {
    const release = releaseCopy()
    const released = JSON.parse(fs.readFileSync(path.join(release, 'package.json'), 'utf8'))
    expect(released.optionalDependencies).toEqual({ [`${name}-${platform}`]: version })

    const main = pack(release)
    expect(Object.keys(main.files)).toEqual(
      expect.arrayContaining([
        'package.json',
        'index.js',
        'index.d.ts',
        'lib/platform.js',
        'lib/native-binding.js',
        'bin/openroom.js',
        'liteav/trtc_define.js',
        'README.md',
        // The README's links and the errors' "See docs/…" point here.
        'docs/media.md',
        'docs/events.md',
      ]),
    )
    // The main package is JS only: binaries come in the platform packages. Nothing of the Rust
    // build, the tests or the repository's scripts ships.
    const strays = Object.keys(main.files).filter((f) =>
      /\.node$|openroom-server|^(target|crates|src|__test__|node_modules|npm|scripts)\//.test(f),
    )
    expect(strays).toEqual([])

    const server = windows ? 'openroom-server.exe' : 'openroom-server'
    const binaries = pack(path.join(release, 'npm', platform))
    expect(Object.keys(binaries.files).sort()).toEqual(
      ['README.md', `openroom.${platform}.node`, server, 'package.json'].sort(),
    )
    // npm keeps the mode it packs: the server must arrive executable.
    if (!windows) expect(binaries.files[server] & 0o111).toBe(0o111)

    // An app on a machine with Node and npm only: no cargo or rustc on its PATH.
    const nodeOnlyPath = path.dirname(process.execPath)
    for (const tool of ['cargo', 'rustc']) {
      const found = [tool, `${tool}.exe`].filter((f) => fs.existsSync(path.join(nodeOnlyPath, f)))
      expect({ [tool]: found }).toEqual({ [tool]: [] })
    }
    const env = { ...process.env, PATH: nodeOnlyPath }
    const app = path.join(workdir, 'app')
    fs.mkdirSync(app)
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
    // --offline: neither package may come from the registry; the main package's optional
    // dependency is the platform tarball installed beside it.
    const install = spawnSync(
      windows ? 'npm.cmd' : 'npm',
      ['install', '--offline', '--no-audit', '--no-fund', main.tarball, binaries.tarball],
      { cwd: app, env, encoding: 'utf8', shell: windows, timeout: 60000 },
    )
    const output = install.stdout + install.stderr
    expect({ status: install.status, output }).toEqual({ status: 0, output: expect.any(String) })
    // No install-time script (a `prepare` once made npm warn `install-scripts` in every app).
    expect(output).not.toMatch(/install-scripts|prepare/)

    const script = `
      const TRTCCloud = require('${name}')
      const { TRTCParams, genUserSig, startServer } = TRTCCloud
      ;(async () => {
        const server = await startServer({ port: 0 })
        const cloud = new TRTCCloud({ serverUrl: server.url })
        const events = []
        cloud.on('onEnterRoom', (r) => events.push(r > 0 ? 'onEnterRoom(ok)' : 'onEnterRoom(' + r + ')'))
        cloud.on('onExitRoom', (r) => events.push('onExitRoom(' + r + ')'))
        const sig = genUserSig(server.sdkAppId, server.secretKey, 'packed', 60)
        await cloud.enterRoom(new TRTCParams(server.sdkAppId, 'packed', sig, 1), 0)
        await cloud.exitRoom()
        await server.close()
        console.log(require.resolve('${name}') + ' ' + events.join(' '))
      })()
    `
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: app,
      env,
      encoding: 'utf8',
      timeout: 20000,
    })
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
    expect(run.stdout.trim()).toBe(
      `${path.join(app, 'node_modules', ...name.split('/'), 'index.js')} onEnterRoom(ok) onExitRoom(0)`,
    )

    // The standalone server, from the platform package, as a user without Rust starts it.
    const npx = launch(
      windows ? 'npx.cmd' : 'npx',
      ['--offline', name, 'server', '--listen', '127.0.0.1:0', '--shutdown-grace', '2s'],
      {
        cwd: app,
        // bash runs the bin in place of itself, as macOS's sh does (Debian's dash stays between
        // them): npm's forwarded copy of a signal then reaches `openroom`, and npm exits with
        // its status, which is the server's.
        env: windows ? env : { ...env, npm_config_script_shell: '/bin/bash' },
        shell: windows,
        // Its own process group, as a terminal gives a command: the SIGTERM below reaches npx
        // and what it started, as a terminal's Ctrl-C would.
        detached: !windows,
      },
    )
    const [, port] = await npx.printed(/openroom-server listening on ws:\/\/127\.0\.0\.1:(\d+)/)
    if (windows) {
      // No signals to send: end the whole tree.
      spawnSync('taskkill', ['/pid', String(npx.proc.pid), '/t', '/f'])
      await npx.exited
    } else {
      // Half an HTTP request keeps the graceful stop waiting (up to --shutdown-grace), so a
      // second signal would find the server still stopping.
      const socket = await new Promise((resolve, reject) => {
        const half = net.connect(Number(port), '127.0.0.1', () => resolve(half))
        half.on('error', reject)
      })
      socket.write('POST /v1/ListRooms HTTP/1.1\r\nHost: 127.0.0.1\r\n')
      // The group's SIGTERM reaches `openroom` twice: itself, and forwarded by npm's run-script
      // a moment later. The server must see one stop, and stop gracefully.
      process.kill(-npx.proc.pid, 'SIGTERM')
      const { code, signal, stderr } = await npx.exited
      socket.destroy()
      expect(stderr).toContain('openroom_server: stopping: closing every session')
      expect(stderr).not.toContain('second signal: stopping without waiting for sessions')
      expect({ code, signal }).toEqual({ code: 0, signal: null })
    }
  },
  60000,
)
