'use strict'
// The chat's wire format: a custom message (sendCustomCmdMsg) on its own cmdId whose data is
// JSON, `{"type":"chat","text":"…"}`. JSON with a type leaves room for other kinds of message
// later without another cmdId, and keeps a peer's stray bytes from showing up as chat.

const { demoError, MAX_CHAT_LENGTH } = require('./ipc-arguments.js')

/** The cmdId chat travels on (TRTC allows 1–10; an app picks one per kind of message). */
const CHAT_CMD_ID = 1
/** TRTC's limit for one custom message. */
const MAX_MESSAGE_BYTES = 1024

/** The data to send for `text`, or a coded error when it does not fit one custom message. */
function encodeChat(text) {
  const data = JSON.stringify({ type: 'chat', text })
  const bytes = Buffer.byteLength(data, 'utf8')
  if (bytes > MAX_MESSAGE_BYTES) {
    throw demoError(
      'ERR_CHAT_TOO_LONG',
      `The message takes ${bytes} bytes and one custom message holds ${MAX_MESSAGE_BYTES}: shorten it`,
    )
  }
  return data
}

/** The text of a received chat message, or null for anything else (not JSON, another type). */
function decodeChat(cmdId, message) {
  if (cmdId !== CHAT_CMD_ID || typeof message !== 'string') return null
  let payload
  try {
    payload = JSON.parse(message)
  } catch {
    return null
  }
  if (payload?.type !== 'chat' || typeof payload.text !== 'string') return null
  const text = payload.text.trim()
  // A peer is held to the same length as this app, whatever client it runs.
  return text === '' ? null : text.slice(0, MAX_CHAT_LENGTH)
}

module.exports = { CHAT_CMD_ID, encodeChat, decodeChat }
