'use strict'
// Which files the page may load: those directly in renderer/, of the kinds it uses. Electron's
// protocol handler (main/electron.js) and the test bridge (test/bridge.js) both serve through
// this one rule, so neither can be asked for a file outside the folder.

const fs = require('node:fs')
const path = require('node:path')

const RENDERER_DIR = path.join(__dirname, '..', 'renderer')

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/**
 * The file a URL path names, with its content type, or null: `/main.js` is renderer/main.js;
 * `/`, subfolders, `..`, and other kinds of file are not served.
 */
function rendererFile(urlPath) {
  const name = path.posix.basename(urlPath)
  const contentType = CONTENT_TYPES[path.extname(name)]
  const file = path.join(RENDERER_DIR, name)
  if (urlPath !== `/${name}` || contentType === undefined || !fs.existsSync(file)) return null
  return { file, contentType }
}

module.exports = { rendererFile }
