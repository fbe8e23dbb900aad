'use strict'
// The Electron entry: one window, its IPC wired to a DemoApp, and Electron's security checklist
// (https://www.electronjs.org/docs/latest/tutorial/security) applied. Every decision about rooms
// is DemoApp's (main/demo-app.js); this file only connects it to Electron.

const fs = require('node:fs')
const path = require('node:path')
const { app, BrowserWindow, ipcMain, protocol, session } = require('electron')
const { DemoApp } = require('./demo-app.js')
const { devKeyOptions } = require('./dev-key.js')
const { EVENT_CHANNEL, channelsOf, handlerFor, answer } = require('./ipc.js')
const { rendererFile } = require('./renderer-files.js')

/**
 * The page comes from a scheme of the app's own rather than file:// (the checklist's "use a
 * custom protocol"): its origin is the app alone, so the CSP's 'self' means the app's files, ES
 * modules load, and getUserMedia has the secure context it needs.
 */
const SCHEME = 'openroom-demo'
const HOST = 'app'
const RENDERER_URL = `${SCHEME}://${HOST}/index.html`

/**
 * Secrets for development only come from the environment, never from the renderer, and with
 * the one server they sign for (OPENROOM_SECRET_KEY, OPENROOM_SERVER_URL, OPENROOM_SDK_APP_ID).
 */
const demoApp = new DemoApp(devKeyOptions(process.env))
let mainWindow = null

/** Only our own page, in our window's top frame, may call the handlers (checklist: sender). */
function fromOurPage(event) {
  return (
    mainWindow !== null &&
    event.sender === mainWindow.webContents &&
    event.senderFrame?.parent === null &&
    event.senderFrame.url === RENDERER_URL
  )
}

function wireIpc() {
  for (const channel of channelsOf(demoApp)) {
    const handler = handlerFor(demoApp, channel)
    ipcMain.handle(channel, (event, ...args) => {
      if (!fromOurPage(event)) {
        return { ok: false, error: { code: 'ERR_FORBIDDEN', message: 'not the demo page' } }
      }
      return answer(handler, args)
    })
  }
  demoApp.on('event', (event) => {
    if (mainWindow !== null && !mainWindow.isDestroyed()) {
      mainWindow.webContents.send(EVENT_CHANNEL, event)
    }
  })
}

/** The camera and microphone for our page; every other permission, and every other page, no. */
function limitPermissions() {
  const ours = (webContents, url) =>
    mainWindow !== null && webContents === mainWindow.webContents && url === RENDERER_URL
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback, details) =>
    callback(permission === 'media' && ours(webContents, details.requestingUrl)),
  )
  session.defaultSession.setPermissionCheckHandler(
    (webContents, permission) =>
      permission === 'media' && webContents !== null && ours(webContents, webContents.getURL()),
  )
}

/** No navigation away from the page and no new windows: the app shows nothing remote. */
function forbidNavigation() {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}

/** Serves renderer/ on the app's scheme, and nothing else. */
function serveRenderer() {
  protocol.handle(SCHEME, (request) => {
    const url = new URL(request.url)
    // By protocol and host: URL's origin is 'null' for a scheme it does not know.
    const ours = url.protocol === `${SCHEME}:` && url.host === HOST
    const served = ours ? rendererFile(url.pathname) : null
    if (served === null) return new Response('not found', { status: 404 })
    // The content type named here, not guessed: module scripts must be served as JavaScript.
    return new Response(fs.readFileSync(served.file), {
      headers: { 'content-type': served.contentType },
    })
  })
}

function createWindow() {
  mainWindow = new BrowserWindow({
    width: 1200,
    height: 780,
    minWidth: 900,
    minHeight: 600,
    title: 'OpenRoom demo',
    backgroundColor: '#f3f4f8',
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  })
  mainWindow.on('closed', () => {
    mainWindow = null
  })
  mainWindow.loadURL(RENDERER_URL)
}

app.enableSandbox()
protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
forbidNavigation()

app.whenReady().then(() => {
  serveRenderer()
  limitPermissions()
  wireIpc()
  createWindow()
})

// The room belongs to the window: closing it ends the app, on macOS too.
app.on('window-all-closed', () => app.quit())

// Leave the room and stop the dev server before the process goes, so the others see a normal
// leave (reason 0) rather than a lost connection.
let closed = false
app.on('will-quit', (event) => {
  if (closed) return
  event.preventDefault()
  demoApp
    .close()
    .catch((error) => console.error('openroom demo: closing failed', error))
    .finally(() => {
      closed = true
      app.quit()
    })
})
