'use strict'
// UserSig and privateMapKey signing, byte-compatible with Tencent's TLSSigAPIv2 (signed in
// Rust). The checks here give JS-shaped messages; the binding checks the id rules.

const binding = require('./native-binding.js')
const { codedError } = require('./errors.js')

/** TLSSigAPIv2's default validity: 180 days. */
const DEFAULT_EXPIRE_SECONDS = 180 * 86400

const isUint32 = (value, min) => Number.isInteger(value) && value >= min && value <= 0xffffffff

/** Throws ERR_INVALID_ARG_VALUE with the message of the first check that fails. */
function check(checks) {
  for (const [ok, message] of checks) if (!ok) throw codedError('ERR_INVALID_ARG_VALUE', message)
}

function signerChecks(sdkAppId, secretKey, userId, expireSeconds) {
  return [
    [isUint32(sdkAppId, 1), 'sdkAppId must be a positive integer'],
    [typeof secretKey === 'string', 'secretKey must be a string'],
    [typeof userId === 'string', 'userId must be a string'],
    [isUint32(expireSeconds, 1), 'expireSeconds must be a positive integer'],
  ]
}

const privilegeMapCheck = (privilegeMap) => [
  isUint32(privilegeMap, 0),
  'privilegeMap must be an integer from 0 to 4294967295 (TRTC bits: 1 create room, ' +
    '2 enter room, 4 send audio, 8 receive audio, 16 send video, 32 receive video, ' +
    '64 send sub video, 128 receive sub video; 255 grants all)',
]

/** Calls the binding, keeping its error code and message. */
function native(sign, ...args) {
  try {
    return sign(...args)
  } catch (error) {
    throw codedError(error.code, error.message)
  }
}

/**
 * Sign a UserSig, byte-compatible with Tencent's TLSSigAPIv2 (signed in Rust).
 * Throws ERR_INVALID_ARG_VALUE for a bad argument.
 */
function genUserSig(sdkAppId, secretKey, userId, expireSeconds = DEFAULT_EXPIRE_SECONDS) {
  check(signerChecks(sdkAppId, secretKey, userId, expireSeconds))
  return native(binding.genUserSig, sdkAppId, secretKey, userId, expireSeconds)
}

/**
 * Sign a privateMapKey for numeric room `roomId`, byte-compatible with TLSSigAPIv2's
 * genPrivateMapKey. Throws ERR_INVALID_ARG_VALUE for a bad argument.
 */
function genPrivateMapKey(sdkAppId, secretKey, userId, roomId, privilegeMap, expireSeconds) {
  check([
    ...signerChecks(sdkAppId, secretKey, userId, expireSeconds),
    [isUint32(roomId, 1), 'roomId must be an integer from 1 to 4294967294'],
    privilegeMapCheck(privilegeMap),
  ])
  const args = [sdkAppId, secretKey, userId, roomId, privilegeMap, expireSeconds]
  return native(binding.genPrivateMapKey, ...args)
}

/**
 * Sign a privateMapKey for string room `strRoomId`, byte-compatible with TLSSigAPIv2's
 * genPrivateMapKeyWithStringRoomID. Throws ERR_INVALID_ARG_VALUE for a bad argument.
 */
function genPrivateMapKeyWithStringRoomID(
  sdkAppId,
  secretKey,
  userId,
  strRoomId,
  privilegeMap,
  expireSeconds,
) {
  check([
    ...signerChecks(sdkAppId, secretKey, userId, expireSeconds),
    [typeof strRoomId === 'string', 'strRoomId must be a string'],
    privilegeMapCheck(privilegeMap),
  ])
  const args = [sdkAppId, secretKey, userId, strRoomId, privilegeMap, expireSeconds]
  return native(binding.genPrivateMapKeyWithStringRoomId, ...args)
}

module.exports = { genUserSig, genPrivateMapKey, genPrivateMapKeyWithStringRoomID }
