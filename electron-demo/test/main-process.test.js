'use strict'
// The main process's own rules, without a browser: DemoApp driven through its handlers, as
// ipcMain calls them with whatever the renderer sends, against real OpenRoom servers on
// loopback.
//
// - A secret key from the environment signs only for the server it came with: a page that
//   names another server (or sdkAppId) gets a coded refusal, and nothing goes there.
// - No UserSig is ever signed for userId 'administrator', the REST API's identity.
// - A refused chat message is explained by its own warning, or the room's end, or a deadline.
// - A member who left is forgotten once its departure is told.
//
// Runs with npm run demo:test (demo.test.js requires it), or alone:
// node --test electron-demo/test/main-process.test.js

const assert = require('node:assert/strict')
const { EventEmitter } = require('node:events')
const net = require('node:net')
const { after, before, describe, test } = require('node:test')
const { startServer, genUserSig } = require('../main/openroom.js')
const { DemoApp } = require('../main/demo-app.js')
const { refusalOf } = require('../main/send-refusal.js')

/** One awaited step on loopback: generous, since the machine is shared. */
const STEP_MS = 10_000
const SECRET_KEY = 'a-key-for-this-test-only'
const SDK_APP_ID = 1400012345

/** The next event `app` emits that `matches`; rejects after `ms`. */
function nextEvent(app, matches, ms = STEP_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      app.off('event', listener)
      reject(new Error(`no matching event within ${ms} ms`))
    }, ms)
    const listener = (event) => {
      if (!matches(event)) return
      clearTimeout(timer)
      app.off('event', listener)
      resolve(event)
    }
    app.on('event', listener)
  })
}

/** A handler run as ipcMain runs it (main/ipc.js): whatever it throws comes as a rejection. */
async function call(demoApp, handler, ...args) {
  return demoApp.handlers[handler](...args)
}

/** `promise`, or a rejection saying it was still pending after `ms`. */
function within(promise, ms = STEP_MS) {
  let timer
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A loopback port that counts the connections made to it: where a page might send us. */
async function elsewhere() {
  const sockets = new Set()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
  })
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    get connections() {
      return connections
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

function form(serverUrl, sdkAppId, fields = {}) {
  return { serverUrl, sdkAppId: String(sdkAppId), room: '42', displayName: 'Ann', ...fields }
}

const apps = []
/** A DemoApp closed when the file's tests end. */
function app(options) {
  const demoApp = new DemoApp(options)
  apps.push(demoApp)
  return demoApp
}

describe('a secret key from the environment', () => {
  let keyServer = null
  let otherServer = null
  let attacker = null

  before(async () => {
    // The server the key is for, another real one with a key of its own, and a bare port.
    keyServer = await startServer({ port: 0, sdkAppId: SDK_APP_ID, secretKey: SECRET_KEY })
    otherServer = await startServer({ port: 0, sdkAppId: SDK_APP_ID, secretKey: 'another-key' })
    attacker = await elsewhere()
  })

  after(async () => {
    for (const demoApp of apps.splice(0)) await demoApp.close()
    await keyServer?.close()
    await otherServer?.close()
    await attacker?.close()
  })

  /** Started as `OPENROOM_SECRET_KEY=… OPENROOM_SERVER_URL=… OPENROOM_SDK_APP_ID=…` would. */
  const boundApp = () =>
    app({ secretKey: SECRET_KEY, serverUrl: keyServer.url, sdkAppId: String(SDK_APP_ID) })

  test('signs for its server and sdkAppId, admin included', async () => {
    const ann = boundApp()
    const joined = nextEvent(ann, (event) => event.type === 'joined')
    await call(ann, 'join', form(keyServer.url, SDK_APP_ID, { userId: 'ann' }))
    assert.equal((await joined).admin, true)
    const exit = nextEvent(ann, (event) => event.type === 'exit')
    await call(ann, 'adminDismiss')
    assert.equal((await exit).reason, 2)
  })

  test('refuses to sign for any other server or sdkAppId, and sends nothing there', async () => {
    const ann = boundApp()
    await assert.rejects(call(ann, 'join', form(attacker.url, SDK_APP_ID, { userId: 'ann' })), {
      code: 'ERR_KEY_NOT_FOR_SERVER',
      message: new RegExp(`signs only for ${keyServer.url} with sdkAppId ${SDK_APP_ID}`),
    })
    // The same host, spelled as http://, is still another server when the port differs.
    const httpSpelling = attacker.url.replace('ws://', 'http://')
    await assert.rejects(call(ann, 'join', form(httpSpelling, SDK_APP_ID, { userId: 'ann' })), {
      code: 'ERR_KEY_NOT_FOR_SERVER',
    })
    assert.equal(attacker.connections, 0)
    await assert.rejects(
      call(ann, 'join', form(keyServer.url, SDK_APP_ID + 1, { userId: 'ann' })),
      {
        code: 'ERR_KEY_NOT_FOR_SERVER',
        message: new RegExp(`not for ${keyServer.url} with sdkAppId ${SDK_APP_ID + 1}`),
      },
    )
  })

  test('does not sign admin requests for another server joined with a pasted UserSig', async () => {
    const ann = boundApp()
    const userSig = genUserSig(SDK_APP_ID, 'another-key', 'ann', 600)
    const joined = nextEvent(ann, (event) => event.type === 'joined')
    await call(ann, 'join', form(otherServer.url, SDK_APP_ID, { userId: 'ann', userSig }))
    assert.equal((await joined).admin, false)
    await assert.rejects(call(ann, 'adminDismiss'), { code: 'ERR_KEY_NOT_FOR_SERVER' })
    await assert.rejects(call(ann, 'adminRemove', 'bob'), { code: 'ERR_KEY_NOT_FOR_SERVER' })
    await call(ann, 'leave')
  })

  test('without the server it is for, signs for none', async () => {
    for (const options of [
      { secretKey: SECRET_KEY },
      { secretKey: SECRET_KEY, serverUrl: keyServer.url, sdkAppId: 'not-a-number' },
      { secretKey: SECRET_KEY, serverUrl: 'not a url', sdkAppId: String(SDK_APP_ID) },
    ]) {
      const ann = app(options)
      await assert.rejects(call(ann, 'join', form(keyServer.url, SDK_APP_ID, { userId: 'ann' })), {
        code: 'ERR_KEY_NOT_FOR_SERVER',
        message: /set OPENROOM_SERVER_URL and OPENROOM_SDK_APP_ID too/,
      })
    }
  })

  test("never signs for userId 'administrator', on its server or the dev server", async () => {
    const ann = boundApp()
    const { serverUrl, sdkAppId } = await call(ann, 'startDevServer')
    for (const [url, appId] of [
      [keyServer.url, SDK_APP_ID],
      [serverUrl, sdkAppId],
      [attacker.url, SDK_APP_ID],
    ]) {
      await assert.rejects(call(ann, 'join', form(url, appId, { userId: 'administrator' })), {
        code: 'ERR_RESERVED_USER_ID',
        message: /User ID administrator is the server's admin identity/,
      })
    }
    assert.equal(attacker.connections, 0)
  })
})

describe('in a room on the dev server', () => {
  let ann = null
  let bob = null

  before(async () => {
    ann = app()
    bob = app()
    const { serverUrl, sdkAppId } = await call(ann, 'startDevServer')
    const joined = nextEvent(ann, (event) => event.type === 'joined')
    await call(ann, 'join', form(serverUrl, sdkAppId, { userId: 'ann' }))
    await joined
    const { secretKey } = ann.devServer
    const userSig = genUserSig(sdkAppId, secretKey, 'bob', 600)
    const bobArrives = nextEvent(ann, (event) => event.type === 'member-joined')
    await call(
      bob,
      'join',
      form(serverUrl, sdkAppId, { userId: 'bob', userSig, displayName: 'Bob Stone' }),
    )
    await bobArrives
  })

  after(async () => {
    for (const demoApp of apps.splice(0)) await demoApp.close()
  })

  test('a refused chat message is explained by its own warning, not by another', async () => {
    // OpenRoom allows 30 custom messages a second: the 31st is refused with warning 7104 on
    // the next tick. An unrelated warning emitted before it must not be taken as the reason.
    const cloud = ann._room._cloud
    const sent = []
    for (let i = 0; i < 30; i++) sent.push(call(ann, 'sendChat', `message ${i}`))
    await Promise.all(sent)
    const refused = call(ann, 'sendChat', 'one too many')
    cloud.emit('onWarning', 1107, 'a warning about something else')
    await assert.rejects(within(refused), {
      code: 7104,
      message: /^The message was not sent: /,
    })
  })

  test('a member who left is named in member-left, then forgotten', async () => {
    const left = nextEvent(ann, (event) => event.type === 'member-left')
    await call(bob, 'leave')
    assert.deepEqual(await left, {
      type: 'member-left',
      userId: 'bob',
      name: 'Bob Stone',
      reason: 0,
    })
    // The names map holds the members in the room only: it does not grow with every visitor.
    assert.equal(ann._room._names.has('bob'), false)
  })
})

describe('waiting for why a message was refused', () => {
  test('takes only custom-message warnings (7101-7109)', async () => {
    const cloud = new EventEmitter()
    const refusal = refusalOf(cloud, { timeoutMs: STEP_MS })
    cloud.emit('onWarning', 7100, 'not one of them')
    cloud.emit('onWarning', 7110, 'nor this')
    cloud.emit('onWarning', 7103, 'the message is over 1 KB')
    const error = await within(refusal)
    assert.equal(error.code, 7103)
    assert.equal(error.message, 'The message was not sent: the message is over 1 KB')
    assert.equal(cloud.listenerCount('onWarning') + cloud.listenerCount('onExitRoom'), 0)
  })

  test('ends when the room does', async () => {
    const cloud = new EventEmitter()
    const refusal = refusalOf(cloud, { timeoutMs: STEP_MS })
    cloud.emit('onExitRoom', 2)
    assert.equal((await within(refusal)).code, 'ERR_NOT_IN_ROOM')
    assert.equal(cloud.listenerCount('onWarning') + cloud.listenerCount('onExitRoom'), 0)
  })

  test('gives up after its deadline when no reason comes', async () => {
    const cloud = new EventEmitter()
    const started = performance.now()
    const error = await within(refusalOf(cloud, { timeoutMs: 200 }))
    assert.equal(error.code, 'ERR_NOT_SENT')
    assert.match(error.message, /gave no reason within 200 ms/)
    assert.ok(performance.now() - started >= 190)
    assert.equal(cloud.listenerCount('onWarning') + cloud.listenerCount('onExitRoom'), 0)
  })
})
