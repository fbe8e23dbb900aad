'use strict'
// trtc-electron-sdk's TRTCCloud methods beyond the room API of lib/trtc-cloud.js: the log
// calls, the settings of media OpenRoom does not carry, and the media methods that throw
// ERR_NOT_SUPPORTED. Each module holds one kind; this installs them all on the prototype once.

const { logSettings } = require('./log-settings.js')
const { mediaSettings } = require('./media-settings.js')
const { unsupportedMethods } = require('./unsupported-methods.js')

/**
 * Define `methods` on `prototype` as class methods are defined (not enumerable). A name the
 * class already has is a mistake in these tables, not something to paper over: it throws.
 */
function defineMethods(prototype, methods) {
  for (const [name, method] of Object.entries(methods)) {
    if (name in prototype) throw new Error(`TRTCCloud.${name} is defined twice`)
    Object.defineProperty(prototype, name, {
      value: method,
      writable: true,
      configurable: true,
      enumerable: false,
    })
  }
}

/** Install the log calls, the media settings and the unsupported methods on `prototype`. */
function installCompatMethods(prototype) {
  defineMethods(prototype, logSettings)
  defineMethods(prototype, mediaSettings)
  defineMethods(prototype, unsupportedMethods())
}

module.exports = { installCompatMethods }
