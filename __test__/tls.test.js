'use strict'
// wss:// end to end: a startServer() with a certificate from a CA made for the test; clients
// that trust it through tls.ca or NODE_EXTRA_CA_CERTS enter, one that does not is refused with
// -3301 and a message that says why, and bad TLS settings are refused with what to fix.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startServer } = require('..')
const { Member } = require('./helpers.js')
const { makeCa } = require('./test-ca.js')

const ca = makeCa()
const identity = ca.server(['localhost'])
let server
let url

beforeAll(async () => {
  server = await startServer({ port: 0, tls: identity })
  url = `wss://localhost:${server.port}`
})
afterAll(() => server.close())

test('a TLS server says wss://, and clients that trust its CA enter and meet over it', async () => {
  expect(server.url).toMatch(/^wss:\/\//)
  const alice = new Member(server, 'alice', { serverUrl: url, tls: { ca: ca.caPem } })
  const bob = new Member(server, 'bob', {
    serverUrl: url.replace('wss:', 'https:'),
    tls: { ca: Buffer.from(ca.caPem) },
  })
  await alice.enter(31)
  await bob.enter(31)
  await alice.waitFor('onRemoteUserEnterRoom', 'bob')
  alice.cloud.sendCustomCmdMsg(1, 'over TLS')
  await bob.waitFor('onRecvCustomCmdMsg', 'alice', 1, 1, 'over TLS')
  await bob.cloud.exitRoom()
  await alice.waitFor('onRemoteUserLeaveRoom', 'bob', 0)
  await alice.cloud.exitRoom()
})

test('a client that does not trust the CA is refused with -3301 saying the issuer is unknown', async () => {
  const eve = new Member(server, 'eve', { serverUrl: url })
  await expect(eve.enter(31)).rejects.toMatchObject({
    code: -3301,
    message: expect.stringMatching(/unknown issuer.*tls\.ca/),
  })
  const other = makeCa('another CA')
  const mallory = new Member(server, 'mallory', { serverUrl: url, tls: { ca: other.caPem } })
  await expect(mallory.enter(31)).rejects.toMatchObject({ code: -3301 })
})

test('a certificate for another name is refused', async () => {
  // The certificate names localhost; 127.0.0.1 is not in it.
  const eve = new Member(server, 'eve', {
    serverUrl: `wss://127.0.0.1:${server.port}`,
    tls: { ca: ca.caPem },
  })
  await expect(eve.enter(31)).rejects.toMatchObject({
    code: -3301,
    message: expect.stringContaining('not valid for this host name'),
  })
})

test('NODE_EXTRA_CA_CERTS is trusted, as Node trusts it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openroom-ca-'))
  try {
    const caFile = path.join(dir, 'ca.pem')
    fs.writeFileSync(caFile, ca.caPem)
    const script = `
      const TRTCCloud = require(${JSON.stringify(path.join(__dirname, '..'))})
      const { TRTCParams, genUserSig } = TRTCCloud
      const cloud = new TRTCCloud({ serverUrl: ${JSON.stringify(url)} })
      const sig = genUserSig(${server.sdkAppId}, ${JSON.stringify(server.secretKey)}, 'carol', 60)
      cloud.enterRoom(new TRTCParams(${server.sdkAppId}, 'carol', sig, 32), 0)
        .then(() => cloud.exitRoom())
        .then(() => console.log('entered and left'), (e) => console.log('failed: ' + e.message))
    `
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(run.stdout.trim()).toBe('entered and left')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('bad TLS settings are refused with what to fix', async () => {
  const thrown = (make) => {
    try {
      make()
    } catch (error) {
      return { code: error.code, message: error.message }
    }
    return null
  }
  const TRTCCloud = require('..')
  expect(thrown(() => new TRTCCloud({ tls: { ca: 'not a certificate' } }))).toEqual({
    code: 'ERR_INVALID_ARG_VALUE',
    message: expect.stringContaining('tls.ca has no PEM certificate'),
  })
  expect(thrown(() => new TRTCCloud({ tls: { ca: 42 } }))).toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
  })
  await expect(startServer({ port: 0, tls: { cert: identity.cert } })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: expect.stringContaining('tls must be { cert, key }'),
  })
  await expect(
    startServer({ port: 0, tls: { cert: 'nothing here', key: identity.key } }),
  ).rejects.toMatchObject({ message: expect.stringContaining('--tls-cert, tls.cert') })
  const stranger = ca.server(['localhost'])
  await expect(
    startServer({ port: 0, tls: { cert: identity.cert, key: stranger.key } }),
  ).rejects.toMatchObject({ message: expect.stringContaining('cannot be used together') })
})

test('the seed flow over wss:// and https:// with privateMapKeys required: enter, exit, removal and dismissal through RoomServiceClient with the CA', async () => {
  const { RoomServiceClient, genPrivateMapKey } = require('..')
  const guarded = await startServer({ port: 0, tls: identity, requirePrivateMapKey: true })
  try {
    const url = `wss://localhost:${guarded.port}`
    const admin = new RoomServiceClient(url, guarded.sdkAppId, guarded.secretKey, { ca: ca.caPem })
    const config = { serverUrl: url, tls: { ca: ca.caPem } }
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map((id) => new Member(guarded, id, config))
    const keyFor = (userId) =>
      genPrivateMapKey(guarded.sdkAppId, guarded.secretKey, userId, 33, 255, 300)
    // Without a key the server refuses, over TLS as anywhere.
    await expect(ann.cloud.enterRoom(ann.params(33), 0)).rejects.toMatchObject({ code: -100006 })
    for (const member of [ann, bob, cid]) {
      await member.cloud.enterRoom(member.params(33, { privateMapKey: keyFor(member.userId) }), 0)
    }
    await ann.waitFor('onRemoteUserEnterRoom', 'cid')
    expect((await admin.describeRoom(33)).members).toEqual(['ann', 'bob', 'cid'])
    await admin.removeUser(33, ['bob'])
    await bob.waitFor('onExitRoom', 1)
    await ann.waitFor('onRemoteUserLeaveRoom', 'bob', 2)
    await cid.cloud.exitRoom()
    await ann.waitFor('onRemoteUserLeaveRoom', 'cid', 0)
    await admin.dismissRoom(33)
    await ann.waitFor('onExitRoom', 2)
    // Without the CA, Node does not trust the server: the call fails saying so.
    const untrusting = new RoomServiceClient(url, guarded.sdkAppId, guarded.secretKey)
    await expect(untrusting.listRooms()).rejects.toMatchObject({
      message: expect.stringMatching(/cannot reach/),
    })
  } finally {
    await guarded.close()
  }
})
