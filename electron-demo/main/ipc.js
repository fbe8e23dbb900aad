'use strict'
// The IPC contract between the renderer and DemoApp, shared by Electron's wiring
// (main/electron.js) and the test's (test/bridge.js). main/preload.js spells the same channel
// names: a sandboxed preload can require nothing but Electron's own modules.

/** `openroom:<handler>`: one invoke channel per handler (join, leave, sendChat, …). */
const CHANNEL_PREFIX = 'openroom:'
/** Main-to-renderer: DemoApp's events, in order. */
const EVENT_CHANNEL = 'openroom:event'

/** The handler for an invoke channel, or undefined for one that is not DemoApp's. */
function handlerFor(demoApp, channel) {
  if (typeof channel !== 'string' || !channel.startsWith(CHANNEL_PREFIX)) return undefined
  const name = channel.slice(CHANNEL_PREFIX.length)
  return Object.hasOwn(demoApp.handlers, name) ? demoApp.handlers[name] : undefined
}

/** Every invoke channel, for registering them with ipcMain. */
function channelsOf(demoApp) {
  return Object.keys(demoApp.handlers).map((name) => CHANNEL_PREFIX + name)
}

/**
 * Run a handler and answer `{ ok: true, value }` or `{ ok: false, error: { code, message } }`.
 * An envelope, not a rejection: Electron passes only a rejection's message to the renderer, and
 * the renderer needs the code to know what happened.
 */
async function answer(handler, args) {
  try {
    return { ok: true, value: (await handler(...args)) ?? null }
  } catch (error) {
    if (error?.code === undefined) console.error('openroom demo: a handler failed', error)
    return {
      ok: false,
      error: { code: error?.code ?? 'ERR_INTERNAL', message: String(error?.message ?? error) },
    }
  }
}

module.exports = { CHANNEL_PREFIX, EVENT_CHANNEL, handlerFor, channelsOf, answer }
