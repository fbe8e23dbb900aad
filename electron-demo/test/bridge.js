'use strict'
// The demo without Electron: a loopback HTTP server that serves the renderer and connects it to a
// DemoApp as Electron would. The page gets main/preload.js itself, running on a stand-in for
// ipcRenderer (test/bridge-electron.js); invokes reach the same handlers ipcMain calls
// (main/ipc.js), and DemoApp's events go to the page as server-sent events, in order.
//
// `node electron-demo/test/bridge.js` runs one for a browser at hand (prints its URL).

const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { DemoApp } = require('../main/demo-app.js')
const { devKeyOptions } = require('../main/dev-key.js')
const { EVENT_CHANNEL, handlerFor, answer } = require('../main/ipc.js')
const { rendererFile } = require('../main/renderer-files.js')

const PRELOAD = path.join(__dirname, '..', 'main', 'preload.js')
const STAND_IN = path.join(__dirname, 'bridge-electron.js')
/** An invoke's arguments are a form at most; this is far above that. */
const MAX_BODY_BYTES = 64 * 1024
const HTML = 'text/html; charset=utf-8'
const JAVASCRIPT = 'text/javascript; charset=utf-8'

/** The page, with the preload (on its stand-in) loaded first, where Electron would run it. */
function indexHtml() {
  const html = fs.readFileSync(rendererFile('/index.html').file, 'utf8')
  const tag = '<script src="/__bridge__/preload.js"></script>'
  return html.replace('<script type="module"', `${tag}\n    <script type="module"`)
}

function preloadScript() {
  const preload = fs.readFileSync(PRELOAD, 'utf8')
  return `${fs.readFileSync(STAND_IN, 'utf8')}\n;(function (require) {\n${preload}\n})(bridgeRequire)\n`
}

function send(response, status, contentType, body) {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' })
  response.end(body)
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    request.on('data', (chunk) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch (error) {
        reject(error)
      }
    })
    request.on('error', reject)
  })
}

/**
 * Serve `demoApp` on 127.0.0.1. Resolves to `{ url, close() }`; close() ends the event streams
 * and the server, and closes the DemoApp.
 */
async function startBridge(demoApp) {
  const streams = new Set()
  let origin = null

  const forward = (event) => {
    const data = JSON.stringify({ channel: EVENT_CHANNEL, args: [event] })
    for (const stream of streams) stream.write(`data: ${data}\n\n`)
  }
  demoApp.on('event', forward)

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, origin)
    if (request.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      return send(response, 200, HTML, indexHtml())
    }
    if (request.method === 'GET' && url.pathname === '/__bridge__/preload.js') {
      return send(response, 200, JAVASCRIPT, preloadScript())
    }
    if (request.method === 'GET' && url.pathname === '/__bridge__/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      response.flushHeaders()
      streams.add(response)
      request.on('close', () => streams.delete(response))
      return undefined
    }
    if (request.method === 'POST' && url.pathname.startsWith('/__bridge__/invoke/')) {
      // The sender check, as main/electron.js makes it: only our own page may call.
      if (request.headers.origin !== origin) return send(response, 403, 'text/plain', 'not ours')
      const channel = decodeURIComponent(url.pathname.slice('/__bridge__/invoke/'.length))
      const handler = handlerFor(demoApp, channel)
      if (handler === undefined) return send(response, 404, 'text/plain', `no ${channel}`)
      let args
      try {
        args = await readJson(request)
      } catch (error) {
        return send(response, 400, 'text/plain', error.message)
      }
      if (!Array.isArray(args)) return send(response, 400, 'text/plain', 'the body is an array')
      return send(response, 200, 'application/json', JSON.stringify(await answer(handler, args)))
    }
    // The renderer's own files, and nothing outside its folder.
    const served = request.method === 'GET' ? rendererFile(url.pathname) : null
    if (served === null) return send(response, 404, 'text/plain', 'not found')
    return send(response, 200, served.contentType, fs.readFileSync(served.file))
  })

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  origin = `http://127.0.0.1:${server.address().port}`

  let closing = null
  return {
    url: `${origin}/`,
    demoApp,
    close() {
      closing ??= (async () => {
        // The app first: its exit events still reach the page while it is there.
        await demoApp.close()
        demoApp.off('event', forward)
        for (const stream of streams) stream.end()
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      })()
      return closing
    },
  }
}

module.exports = { startBridge }

if (require.main === module) {
  startBridge(new DemoApp(devKeyOptions(process.env))).then((bridge) => {
    console.log(`OpenRoom demo (no Electron): open ${bridge.url} in Chromium`)
    // Closing lets the process end by itself: nothing of the demo is left running.
    const stop = () => bridge.close()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
