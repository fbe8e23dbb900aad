'use strict'

const { TXLiteAVError } = require('./constants.js')

/**
 * An Error with a `code`: a TRTC error number (e.g. -3320) for room errors, or a string
 * (e.g. 'ERR_DESTROYED', 'AuthFailure.SignatureFailure') where TRTC has no number.
 */
function codedError(code, message, extra = {}) {
  const error = new Error(message)
  error.code = code
  return Object.assign(error, extra)
}

/** A native error, with its code name turned into the TRTC number when there is one. */
function fromNative(nativeError) {
  const code =
    nativeError.code in TXLiteAVError ? TXLiteAVError[nativeError.code] : nativeError.code
  return codedError(code, nativeError.message)
}

/**
 * Mark a promise as handled, and return it. TRTC apps listen for events and often ignore the
 * promises we return: a rejection nobody awaits must not crash their process. Whoever does
 * await the promise still sees the rejection.
 */
function handled(promise) {
  promise.catch(() => {})
  return promise
}

module.exports = { codedError, fromNative, handled }
