'use strict'
// The renderer's only way to OpenRoom: a narrow API on window.openroom (typed in
// renderer/openroom-api.d.ts). It runs sandboxed (sandbox: true), where require() knows only
// Electron's modules, so the channel names from main/ipc.js are spelled here again; the demo
// test runs this very file in the page, so a mismatch fails it.

const { contextBridge, ipcRenderer } = require('electron')

const CHANNEL_PREFIX = 'openroom:'
const EVENT_CHANNEL = 'openroom:event'

/** Each call answers an envelope: { ok: true, value } or { ok: false, error: { code, message } }. */
const invoke = (name, ...args) => ipcRenderer.invoke(CHANNEL_PREFIX + name, ...args)

contextBridge.exposeInMainWorld('openroom', {
  startDevServer: () => invoke('startDevServer'),
  stopDevServer: () => invoke('stopDevServer'),
  join: (form) => invoke('join', form),
  leave: () => invoke('leave'),
  sendChat: (text) => invoke('sendChat', text),
  setMute: (mute) => invoke('setMute', mute),
  admin: {
    remove: (userId) => invoke('adminRemove', userId),
    dismiss: () => invoke('adminDismiss'),
  },
  /** Calls `callback(event)` for each of the main process's events; returns an unsubscribe. */
  onEvent: (callback) => {
    // The IpcRendererEvent stays here: it carries `sender`, which the page must not get.
    const listener = (_ipcEvent, event) => callback(event)
    ipcRenderer.on(EVENT_CHANNEL, listener)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, listener)
  },
})
