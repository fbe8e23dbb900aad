'use strict'
// The published package works without Rust: pack it, install the tarball into a fresh
// project, require it there, and enter and exit a room.

const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

let workdir

beforeAll(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'openroom-pack-'))
})

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }))

test('npm pack → install the tarball in a fresh project → require, enter and exit a room', () => {
  // The addon is already built; --ignore-scripts keeps pack from rebuilding it.
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', workdir], {
      cwd: root,
      encoding: 'utf8',
    }),
  )[0]
  const files = packed.files.map((f) => f.path)
  expect(files).toEqual(
    expect.arrayContaining(['index.js', 'index.d.ts', 'binding.js', 'package.json']),
  )
  expect(files.some((f) => f.endsWith('.node'))).toBe(true)
  // Nothing of the Rust build or the tests ships.
  expect(files.filter((f) => /^(target|crates|src|__test__|node_modules)\//.test(f))).toEqual([])

  const app = path.join(workdir, 'app')
  fs.mkdirSync(app)
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
  execFileSync(npm, ['install', '--no-audit', '--no-fund', path.join(workdir, packed.filename)], {
    cwd: app,
    stdio: 'pipe',
  })
  const script = `
    const TRTCCloud = require('@openroom/trtc')
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
      console.log(require.resolve('@openroom/trtc') + ' ' + events.join(' '))
    })()
  `
  const run = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' })
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
  expect(run.stdout.trim()).toBe(
    `${path.join(app, 'node_modules', '@openroom', 'trtc', 'index.js')} onEnterRoom(ok) onExitRoom(0)`,
  )
}, 120000)
