'use strict'
// trtc-electron-sdk's log calls and version. The log is the addon's (src/logging.rs): what the
// client engine and an embedded server write. Its settings are process-wide, as TRTC's are:
// calling them on any instance sets them for all.

const { fileURLToPath } = require('node:url')
const binding = require('./native-binding.js')
const { version } = require('../package.json')
const { checkBoolean, checkText } = require('./arg-checks.js')
const { codedError, fromNative } = require('./errors.js')

/** Run a binding call, its errors as coded errors. */
function call(native) {
  try {
    native()
  } catch (nativeError) {
    throw fromNative(nativeError)
  }
}

const logSettings = {
  /** OpenRoom's version (the package's), where trtc-electron-sdk gives its own. */
  getSDKVersion() {
    return version
  },

  /**
   * What the log lets through: a TRTCLogLevel, 0 Verbose to 6 None (default 2, Info). It
   * applies to every output (console, files, callback); until one is on, nothing is logged.
   */
  setLogLevel(level) {
    if (typeof level !== 'number') {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `level must be a TRTCLogLevel (0 Verbose … 6 None), got ${String(level)}`,
      )
    }
    call(() => binding.setLogLevel(level))
  },

  /** Write the log to stderr (default false). */
  setConsoleEnabled(enabled) {
    const on = checkBoolean('enabled', enabled)
    call(() => binding.setLogConsole(on))
  },

  /**
   * Accepted for trtc-electron-sdk's signature: TRTC compresses its log files unless told not
   * to; OpenRoom's are always plain text (what TRTC writes with compression off).
   */
  setLogCompressEnabled(enabled) {
    checkBoolean('enabled', enabled)
  },

  /**
   * Write the log to files in `path` too (created if missing): `openroom.<UTC date>.log`, a
   * new one each day, the newest seven kept. Until it is called, OpenRoom writes no files.
   */
  setLogDirPath(path) {
    // trtc-electron-sdk accepts a file:/// URL here too.
    const dir = checkText('path', path).startsWith('file:') ? fileURLToPath(path) : path
    call(() => binding.setLogDir(dir))
  },

  /** Pass each log line to `callback(log, level, module)`; null stops it. */
  setLogCallback(callback) {
    if (callback !== null && callback !== undefined && typeof callback !== 'function') {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `callback must be a function (log, level, module) or null, got ${typeof callback}`,
      )
    }
    call(() => binding.setLogCallback(callback ?? null))
  },

  /** Write the app's own line into the log, at Info (module 'app'). */
  log(info) {
    if (typeof info !== 'string') {
      throw codedError('ERR_INVALID_ARG_VALUE', `info must be a string, got ${typeof info}`)
    }
    binding.writeLog(info)
  },
}

module.exports = { logSettings }
