'use strict'
// Why sendCustomCmdMsg refused a message. OpenRoom says so with an onWarning after the call
// returns false (never inside it), but other warnings come on the same event, and the room may
// end first: wait only for a custom message's own codes, only while in the room, and not for
// ever.

const { demoError } = require('./ipc-arguments.js')

/** TRTC's warnings for a refused custom message: not in a room, bad data, too big, too many… */
const FIRST_CODE = 7101
const LAST_CODE = 7109
/** The warning comes on the next tick; this is only for one that never comes. */
const REFUSAL_WAIT_MS = 3000

/**
 * Resolves with the Error to throw for the message `cloud` just refused. Call it right after
 * sendCustomCmdMsg returned false, in the same tick, so that the warning is not missed.
 */
function refusalOf(cloud, { timeoutMs = REFUSAL_WAIT_MS } = {}) {
  return new Promise((resolve) => {
    const done = (error) => {
      clearTimeout(timer)
      cloud.off('onWarning', onWarning)
      cloud.off('onExitRoom', onExitRoom)
      resolve(error)
    }
    const onWarning = (code, message) => {
      if (Number.isInteger(code) && code >= FIRST_CODE && code <= LAST_CODE) {
        done(demoError(code, `The message was not sent: ${message}`))
      }
    }
    const onExitRoom = () =>
      done(demoError('ERR_NOT_IN_ROOM', 'The message was not sent: the room ended'))
    const timer = setTimeout(
      () =>
        done(
          demoError(
            'ERR_NOT_SENT',
            `The message was not sent, and OpenRoom gave no reason within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    )
    cloud.on('onWarning', onWarning)
    cloud.on('onExitRoom', onExitRoom)
  })
}

module.exports = { refusalOf, REFUSAL_WAIT_MS }
