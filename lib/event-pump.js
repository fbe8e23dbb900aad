'use strict'
// The addon delivers every session's events through one pump (one ThreadsafeFunction for the
// whole module, not one per session: see src/pump.rs). This routes each event to the handler
// its session was started with, and forgets the session after its last event, sessionClosed.

const binding = require('./native-binding.js')

/** Handlers of the sessions still running, by session number. */
const handlers = new Map()
let lastSession = 0

const pump = new binding.EventPump((session, name, ...args) => {
  const handler = handlers.get(session)
  // A session refused before it started ends unseen: nothing to route.
  if (handler === undefined) return
  if (name === 'sessionClosed') handlers.delete(session)
  handler(name, args)
})

/**
 * Run `start(pump, session)`, which starts a native session numbered `session`; its events go
 * to `handler(name, args)`, in order, each on its own turn of the event loop. Throws what
 * `start` throws (the session then never existed).
 */
function startSession(start, handler) {
  lastSession = lastSession === 0xffffffff ? 1 : lastSession + 1
  const session = lastSession
  handlers.set(session, handler)
  try {
    start(pump, session)
  } catch (error) {
    handlers.delete(session)
    throw error
  }
}

module.exports = { startSession }
