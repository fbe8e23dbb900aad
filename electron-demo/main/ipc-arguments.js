'use strict'
// What the renderer may pass to each IPC handler. The renderer is treated as untrusted (Electron's
// security checklist: validate every IPC argument in main), so each argument's type and size is
// checked here before it reaches OpenRoom. The id rules themselves (which userIds and room ids are
// valid) stay OpenRoom's: enterRoom refuses a bad one with its own code and message.

/** Sizes that keep one IPC call small; each is well above what a real form needs. */
const MAX_URL_LENGTH = 512
const MAX_USER_SIG_LENGTH = 8192
const MAX_ID_LENGTH = 64
const MAX_DISPLAY_NAME_LENGTH = 64
/** Chat text, in characters; the encoded message must also fit TRTC's 1024 bytes (chat-message.js). */
const MAX_CHAT_LENGTH = 500
/**
 * The userId the server's REST API runs as: a UserSig for it is an admin credential. Refused
 * here, before main could sign one for the page (the server refuses to seat it too).
 */
const ADMIN_USER_ID = 'administrator'

/** An Error with a `code` and a message that says what to change. */
function demoError(code, message) {
  return Object.assign(new Error(message), { code })
}

function invalid(message) {
  return demoError('ERR_INVALID_ARG_VALUE', message)
}

function boundedString(value, name, maxLength, { allowEmpty = false } = {}) {
  if (typeof value !== 'string') throw invalid(`${name} must be a string, got ${typeof value}`)
  const trimmed = value.trim()
  if (!allowEmpty && trimmed === '') throw invalid(`${name} is empty: fill it in`)
  if (trimmed.length > maxLength) {
    throw invalid(`${name} is ${trimmed.length} characters long; at most ${maxLength} fit`)
  }
  return trimmed
}

function plainObject(value, name) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${name} must be an object`)
  }
  return value
}

/**
 * The join form: serverUrl, sdkAppId, userId, room, displayName, and an optional userSig.
 * `room` is a number (a TRTC roomId) when it is all digits, else a string room id.
 */
function joinForm(value) {
  const form = plainObject(value, 'the join form')
  const serverUrl = boundedString(form.serverUrl, 'Server URL', MAX_URL_LENGTH)
  if (!/^(ws|http)s?:\/\//i.test(serverUrl)) {
    throw invalid(`Server URL ${serverUrl} must start with ws:// (or http://)`)
  }
  const sdkAppId = Number(form.sdkAppId)
  if (!Number.isSafeInteger(sdkAppId) || sdkAppId <= 0) {
    throw invalid(`sdkAppId must be a positive whole number, got ${String(form.sdkAppId)}`)
  }
  const room = boundedString(form.room, 'Room', MAX_ID_LENGTH)
  return {
    serverUrl,
    sdkAppId,
    userId: memberUserId(form.userId),
    room: /^\d+$/.test(room) ? { roomId: Number(room) } : { strRoomId: room },
    displayName: boundedString(form.displayName, 'Display name', MAX_DISPLAY_NAME_LENGTH),
    userSig: boundedString(form.userSig ?? '', 'UserSig', MAX_USER_SIG_LENGTH, {
      allowEmpty: true,
    }),
  }
}

/** The join form's User ID: any but the server's own admin identity. */
function memberUserId(value) {
  const userId = boundedString(value, 'User ID', MAX_ID_LENGTH)
  if (userId === ADMIN_USER_ID) {
    throw demoError(
      'ERR_RESERVED_USER_ID',
      `User ID ${ADMIN_USER_ID} is the server's admin identity, not a member's: pick another`,
    )
  }
  return userId
}

function chatText(value) {
  return boundedString(value, 'The message', MAX_CHAT_LENGTH)
}

/** `{ audio, video }`: true mutes. */
function muteState(value) {
  const mute = plainObject(value, 'the argument of setMute')
  if (typeof mute.audio !== 'boolean' || typeof mute.video !== 'boolean') {
    throw invalid('setMute takes { audio: boolean, video: boolean }')
  }
  return { audio: mute.audio, video: mute.video }
}

function userId(value) {
  return boundedString(value, 'userId', MAX_ID_LENGTH)
}

module.exports = {
  demoError,
  joinForm,
  chatText,
  muteState,
  userId,
  MAX_CHAT_LENGTH,
  MAX_DISPLAY_NAME_LENGTH,
}
