'use strict'
// Test mode only, in the page: Electron's contextBridge and ipcRenderer over loopback HTTP, for
// main/preload.js to run on unchanged. The bridge (test/bridge.js) serves this file with the
// preload after it, which it hands `require` from bridgeRequire(). invoke() is a POST answered by
// the same handlers ipcMain calls; the main process's events come as server-sent events.
/* eslint-env browser */

function bridgeElectron() {
  const listeners = new Map()
  const events = new EventSource('/__bridge__/events')
  // An invoke waits for the event stream, so no event it causes can be missed.
  const opened = new Promise((resolve) => events.addEventListener('open', resolve, { once: true }))
  events.addEventListener('message', (message) => {
    const { channel, args } = JSON.parse(message.data)
    // Listeners get an event object first, as from ipcRenderer.on.
    for (const listener of listeners.get(channel) ?? []) listener({}, ...args)
  })
  return {
    contextBridge: {
      exposeInMainWorld(key, api) {
        Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true })
      },
    },
    ipcRenderer: {
      async invoke(channel, ...args) {
        await opened
        const response = await fetch(`/__bridge__/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
        })
        if (!response.ok) throw new Error(`the bridge refused ${channel}: ${response.status}`)
        return response.json()
      },
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set())
        listeners.get(channel).add(listener)
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener)
      },
    },
  }
}

// eslint-disable-next-line no-unused-vars
function bridgeRequire(name) {
  if (name === 'electron') return bridgeElectron()
  throw new Error(`a sandboxed preload cannot require ${name}`)
}
