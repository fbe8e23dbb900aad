'use strict'

const binding = require('./native-binding.js')
const { codedError } = require('./errors.js')

/** TLSSigAPIv2's default validity: 180 days. */
const DEFAULT_EXPIRE_SECONDS = 180 * 86400

/**
 * Sign a UserSig, byte-compatible with Tencent's TLSSigAPIv2 (signed in Rust).
 * Throws ERR_INVALID_ARG_VALUE for a bad argument.
 */
function genUserSig(sdkAppId, secretKey, userId, expireSeconds = DEFAULT_EXPIRE_SECONDS) {
  const checks = [
    [
      Number.isInteger(sdkAppId) && sdkAppId > 0 && sdkAppId <= 0xffffffff,
      'sdkAppId must be a positive integer',
    ],
    [typeof secretKey === 'string', 'secretKey must be a string'],
    [typeof userId === 'string', 'userId must be a string'],
    [
      Number.isInteger(expireSeconds) && expireSeconds > 0 && expireSeconds <= 0xffffffff,
      'expireSeconds must be a positive integer',
    ],
  ]
  for (const [ok, message] of checks) if (!ok) throw codedError('ERR_INVALID_ARG_VALUE', message)
  try {
    return binding.genUserSig(sdkAppId, secretKey, userId, expireSeconds)
  } catch (error) {
    throw codedError(error.code, error.message)
  }
}

module.exports = { genUserSig }
