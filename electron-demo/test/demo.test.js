'use strict'
// The demo end to end, without the Electron binary: two app windows, each a DemoApp (the main
// process's logic) behind its own bridge (test/bridge.js), as on two machines, in Debian's
// Chromium with its fake camera and microphone. Ann's window runs the local dev server; Bob
// joins it with a UserSig. Screenshots of each step go to electron-demo/test-output/.
//
// Run from the repository root: npm run demo:test

const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, test } = require('node:test')
const { chromium } = require('playwright-core')
const { genUserSig } = require('../main/openroom.js')
const { DemoApp } = require('../main/demo-app.js')
const { startBridge } = require('./bridge.js')

/** Debian's Chromium (apt-get install chromium), never a downloaded browser build. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUTPUT_DIR = path.join(__dirname, '..', 'test-output')
/** One awaited step on loopback: generous, since the machine is shared. */
const STEP_MS = 10_000

let browser = null
const windows = []

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH to one)`,
    )
  }
  fs.mkdirSync(OUTPUT_DIR, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  })
})

after(async () => {
  for (const window of windows) await window.bridge.close()
  await browser?.close()
})

/**
 * Runs in the page before its scripts, as a witness independent of the page's own log: it
 * keeps every track getUserMedia hands out (the real ones, passed through), and the state of
 * each at the moment the exit screen is first shown.
 */
function witnessTracks() {
  const tracks = []
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints)
    tracks.push(...stream.getTracks())
    return stream
  }
  const states = () => tracks.map((track) => `${track.kind}:${track.readyState}`)
  const witness = { states, atExit: null }
  window.trackWitness = witness
  new MutationObserver(() => {
    const exitScreen = document.getElementById('exit-screen')
    if (witness.atExit === null && exitScreen !== null && !exitScreen.hidden) {
      witness.atExit = states()
    }
  }).observe(document, { subtree: true, childList: true, attributes: true })
}

/** An app window: a DemoApp and its bridge, and a page on it. */
async function openWindow(name) {
  const bridge = await startBridge(new DemoApp())
  const context = await browser.newContext({ viewport: { width: 1200, height: 780 } })
  const page = await context.newPage()
  const window = { name, bridge, page, errors: [] }
  windows.push(window)
  page.on('pageerror', (error) => window.errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') window.errors.push(message.text())
  })
  await page.addInitScript(witnessTracks)
  await page.goto(bridge.url)
  return window
}

function screenshot(window, step) {
  return window.page.screenshot({ path: path.join(OUTPUT_DIR, `${step}-${window.name}.png`) })
}

function visible(page, selector) {
  return page.locator(selector).waitFor({ state: 'visible', timeout: STEP_MS })
}

async function fillJoinForm(page, fields) {
  for (const [name, value] of Object.entries(fields)) {
    await page.fill(`#join-form [name="${name}"]`, value)
  }
}

/** The member row for `userId` in `page`'s member list, once it shows `name`. */
function memberRow(page, userId, name) {
  return page
    .locator(`#member-list li[data-user-id="${userId}"]`)
    .filter({ has: page.locator('.member-name', { hasText: name }) })
}

/** The page's activity log as [kind, data-*] in order. */
function activityOf(page) {
  return page.$$eval('#activity-log li', (items) => items.map((item) => ({ ...item.dataset })))
}

/**
 * The camera and microphone were stopped before the exit was shown: in the page's own log
 * (tracks-stopped comes before exit-shown, which saw every track ended), and by the witness.
 */
async function assertTracksEndedBeforeExit(page) {
  const activity = await activityOf(page)
  const stopped = activity.findIndex((entry) => entry.kind === 'tracks-stopped')
  const shown = activity.findIndex((entry) => entry.kind === 'exit-shown')
  assert.ok(stopped !== -1, 'the page logged no tracks-stopped')
  assert.ok(shown > stopped, 'the exit was shown before the tracks were stopped')
  assert.equal(activity[shown].trackStates, 'ended,ended')
  const witness = await page.evaluate(() => window.trackWitness)
  assert.deepEqual(witness.atExit.toSorted(), ['audio:ended', 'video:ended'])
}

test(
  'two windows join, chat, mute, and an admin removes one and dismisses the room',
  {
    timeout: 120_000,
  },
  async (t) => {
    const ann = await openWindow('ann')
    const bob = await openWindow('bob')
    let devServer = null

    await t.test('Ann turns on the local dev server and joins', async () => {
      await screenshot(ann, '00-join')
      await ann.page.click('.switch-row')
      await ann.page.waitForFunction(
        () => document.querySelector('#join-form [name="serverUrl"]').readOnly,
        null,
        { timeout: STEP_MS },
      )
      devServer = ann.bridge.demoApp.devServer
      assert.equal(await ann.page.inputValue('[name="serverUrl"]'), devServer.url)
      assert.equal(await ann.page.inputValue('[name="sdkAppId"]'), String(devServer.sdkAppId))
      await fillJoinForm(ann.page, { userId: 'ann', displayName: 'Ann Lee', room: '1001' })
      await ann.page.click('#join-button')
      await visible(ann.page, '#room-screen')
      await ann.page
        .locator('#connection-pill', { hasText: 'Connected' })
        .waitFor({ timeout: STEP_MS })
    })

    await t.test('Bob is told what is wrong with his form, then joins with a UserSig', async () => {
      // Another machine: it reads the server from Ann's window, as a teammate would be told it.
      await fillJoinForm(bob.page, {
        serverUrl: devServer.url,
        sdkAppId: String(devServer.sdkAppId),
        userId: 'bob',
        displayName: 'Bob Stone',
        room: '1001',
      })
      await bob.page.click('#join-button')
      await bob.page
        .locator('#join-error', { hasText: 'Paste a UserSig' })
        .waitFor({ timeout: STEP_MS })
      // A UserSig the server refuses: the room's own error, and the form stays usable.
      const forged = genUserSig(devServer.sdkAppId, 'not-the-server-secret', 'bob', 600)
      await bob.page.fill('[name="userSig"]', forged)
      await bob.page.click('#join-button')
      await bob.page.locator('#join-error', { hasText: '(-3320)' }).waitFor({ timeout: STEP_MS })
      await screenshot(bob, '01-join-error')
      const userSig = genUserSig(devServer.sdkAppId, devServer.secretKey, 'bob', 600)
      await bob.page.fill('[name="userSig"]', userSig)
      await bob.page.click('#join-button')
      await visible(bob.page, '#room-screen')
    })

    await t.test('the main process checks what the page sends', async () => {
      const reply = await bob.page.evaluate(() => window.openroom.setMute({ audio: 'yes' }))
      assert.equal(reply.ok, false)
      assert.equal(reply.error.code, 'ERR_INVALID_ARG_VALUE')
      assert.match(reply.error.message, /setMute takes \{ audio: boolean, video: boolean \}/)
    })

    await t.test('they see each other by display name, with audio and video', async () => {
      await memberRow(ann.page, 'bob', 'Bob Stone').waitFor({ timeout: STEP_MS })
      await memberRow(bob.page, 'ann', 'Ann Lee').waitFor({ timeout: STEP_MS })
      for (const [page, other] of [
        [ann.page, 'bob'],
        [bob.page, 'ann'],
      ]) {
        await page
          .locator(`#member-list li[data-user-id="${other}"][data-audio="on"][data-video="on"]`)
          .waitFor({ timeout: STEP_MS })
      }
    })

    await t.test('each window holds its camera and microphone and shows the preview', async () => {
      for (const { page } of [ann, bob]) {
        await page.waitForFunction(
          () => {
            const preview = document.getElementById('local-preview')
            const states = window.trackWitness.states()
            return (
              preview.videoWidth > 0 &&
              states.includes('audio:live') &&
              states.includes('video:live')
            )
          },
          null,
          { timeout: STEP_MS },
        )
      }
    })

    await t.test('they chat both ways', async () => {
      await ann.page.fill('#chat-form [name="text"]', 'Hello Bob, can you hear me?')
      await ann.page.press('#chat-form [name="text"]', 'Enter')
      const fromAnn = bob.page.locator('.bubble-row[data-from="ann"]', {
        hasText: 'can you hear me?',
      })
      await fromAnn.waitFor({ timeout: STEP_MS })
      assert.equal(await fromAnn.locator('.bubble-author').textContent(), 'Ann Lee')
      await bob.page.fill('#chat-form [name="text"]', 'Loud and clear, Ann!')
      await bob.page.click('#chat-form button[type="submit"]')
      const fromBob = ann.page.locator('.bubble-row[data-from="bob"]', {
        hasText: 'Loud and clear',
      })
      await fromBob.waitFor({ timeout: STEP_MS })
      assert.equal(await fromBob.locator('.bubble-author').textContent(), 'Bob Stone')
      // Each sees its own message too, as its own.
      await ann.page.locator('.bubble-row.mine', { hasText: 'can you hear me?' }).waitFor()
      await screenshot(ann, '02-chat')
      await screenshot(bob, '02-chat')
    })

    await t.test('Bob mutes his microphone and Ann sees it', async () => {
      await bob.page.click('#mute-audio')
      await ann.page
        .locator('#member-list li[data-user-id="bob"][data-audio="off"][data-video="on"]')
        .waitFor({ timeout: STEP_MS })
      assert.equal(await bob.page.getAttribute('#mute-audio', 'aria-pressed'), 'true')
      // A mute keeps the device open (TRTC's mute): the track stays live, disabled.
      assert.ok(
        (await bob.page.evaluate(() => window.trackWitness.states())).includes('audio:live'),
      )
      await screenshot(ann, '03-muted')
      await screenshot(bob, '03-muted')
    })

    await t.test('the admin drawer removes Bob: his devices stop, then he is told', async () => {
      await ann.page.click('#admin-open')
      await visible(ann.page, '#admin-drawer')
      await screenshot(ann, '04-admin')
      await ann.page.click('#admin-members li[data-user-id="bob"] button')
      await bob.page.locator('#exit-title', { hasText: 'Removed by the server' }).waitFor({
        timeout: STEP_MS,
      })
      await assertTracksEndedBeforeExit(bob.page)
      await bob.page.click('.activity summary')
      await ann.page.locator('.system-line', { hasText: 'Bob Stone was removed' }).waitFor({
        timeout: STEP_MS,
      })
      assert.equal(await ann.page.locator('#member-list li[data-user-id="bob"]').count(), 0)
      await screenshot(bob, '04-removed')
    })

    await t.test('Ann dismisses the room', async () => {
      await ann.page.click('#admin-dismiss')
      await ann.page.locator('#exit-title', { hasText: 'Room dismissed' }).waitFor({
        timeout: STEP_MS,
      })
      await assertTracksEndedBeforeExit(ann.page)
      await screenshot(ann, '05-dismissed')
    })

    await t.test('no page logged an error', () => {
      assert.deepEqual(ann.errors, [])
      assert.deepEqual(bob.errors, [])
    })
  },
)

test(
  'the main-process module leaves nothing running once closed',
  { timeout: 60_000 },
  async () => {
    // A process of its own that never calls process.exit: it ends only if close() released the
    // room, the TRTCCloud and the dev server.
    const script = `
    const { DemoApp } = require(${JSON.stringify(path.join(__dirname, '..', 'main', 'demo-app.js'))})
    const demoApp = new DemoApp()
    const seen = []
    demoApp.on('event', (event) => seen.push(event.type))
    demoApp.handlers
      .startDevServer()
      .then(({ serverUrl, sdkAppId }) =>
        demoApp.handlers.join({ serverUrl, sdkAppId, room: '7', userId: 'solo', displayName: 'Solo' }),
      )
      .then(() => demoApp.close())
      .then(() => console.log(JSON.stringify(seen)))
  `
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    const exitCode = await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve('still running after 30 s')
      }, 30_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        resolve(code)
      })
    })
    assert.equal(exitCode, 0)
    const seen = JSON.parse(output)
    // It was in the room, and left it with a normal exit on the way out.
    assert.ok(seen.includes('joined'), `events: ${seen}`)
    assert.equal(seen.at(-1), 'exit')
  },
)
