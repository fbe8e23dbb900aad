'use strict'
// Shared test helpers: an embedded server per test file, members that record every event,
// and a barrier that proves all earlier events were delivered without sleeping.

const TRTCCloud = require('..')
const { TRTCParams, genUserSig, startServer, RoomServiceClient } = TRTCCloud

const EVENTS = [
  'onEnterRoom',
  'onExitRoom',
  'onRemoteUserEnterRoom',
  'onRemoteUserLeaveRoom',
  'onError',
  'onConnectionLost',
  'onTryToReconnect',
  'onConnectionRecovery',
  'onSwitchRoom',
  'onRecvCustomCmdMsg',
  'onMissCustomCmdMsg',
  'onWarning',
  'onUserAudioAvailable',
  'onUserVideoAvailable',
  'onSwitchRole',
  'onLocalDevicesChanged',
  'onRemoteUserDataUpdated',
]

/** How long one awaited event may take on loopback before the test fails with a message. */
const EVENT_WAIT_MS = 5000

/** Every Member of this test file: destroyed after its tests, so a test that failed halfway
 * leaves no session behind to keep the process (and CI) running. */
const members = new Set()
afterAll(() => {
  for (const member of members) member.cloud.destroy()
  members.clear()
})

/** A TRTCCloud that records every event it emits as [name, ...args], in order. */
class Member {
  /** `cloud`: record an existing instance (a sub-cloud, say) instead of making one. */
  constructor(server, userId, config = {}, cloud = null) {
    this.server = server
    this.userId = userId
    this.cloud = cloud ?? new TRTCCloud({ serverUrl: server.url, ...config })
    this.events = []
    /** Every onConnectionStateChanged as [state, reason], kept apart from `events`. */
    this.states = []
    this._waiters = []
    members.add(this)
    this.cloud.on('onConnectionStateChanged', (state, reason) => this.states.push([state, reason]))
    for (const name of EVENTS) {
      this.cloud.on(name, (...args) => {
        this.events.push([name, ...args])
        this._waiters = this._waiters.filter((waiter) => !waiter())
      })
    }
  }

  params(roomId, extra = {}) {
    const sig = genUserSig(this.server.sdkAppId, this.server.secretKey, this.userId, 3600)
    const params = new TRTCParams(this.server.sdkAppId, this.userId, sig, 0, '')
    if (typeof roomId === 'number') params.roomId = roomId
    else params.strRoomId = roomId
    return Object.assign(params, extra)
  }

  enter(roomId) {
    return this.cloud.enterRoom(this.params(roomId), 0)
  }

  /** Resolve once an event matching [name, ...args] has been recorded (now or later). */
  waitFor(name, ...args) {
    const matches = (event) =>
      event[0] === name && args.every((arg, i) => Object.is(event[i + 1], arg))
    return this._wait(
      () => this.events.some(matches),
      `${this.userId}: ${name}(${args.join(', ')})`,
    )
  }

  /** Resolve once `count` events have been recorded. */
  waitForCount(count) {
    return this._wait(() => this.events.length >= count, `${this.userId}: ${count} events`)
  }

  _wait(done, what) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events)}`))
      }, EVENT_WAIT_MS)
      const waiter = () => {
        if (!done()) return false
        clearTimeout(timer)
        resolve()
        return true
      }
      if (!waiter()) this._waiters.push(waiter)
    })
  }

  /** The recorded events without those about barrier probes. */
  get roomEvents() {
    return this.events.filter((event) => !String(event[1]).startsWith('probe'))
  }
}

let probes = 0

/**
 * Prove that every event the server produced for `members` so far has been delivered: a probe
 * enters the room and each member must see it arrive. The server sends each member's events in
 * order, so everything earlier has arrived too. The probe then exits.
 */
async function barrier(server, roomId, members) {
  const probe = new Member(server, `probe${++probes}`)
  await probe.enter(roomId)
  await Promise.all(members.map((m) => m.waitFor('onRemoteUserEnterRoom', probe.userId)))
  await probe.cloud.exitRoom()
  await Promise.all(members.map((m) => m.waitFor('onRemoteUserLeaveRoom', probe.userId, 0)))
}

/** An embedded dev server on a free port for the tests of one file. */
function useServer() {
  const context = { server: null, admin: null }
  beforeAll(async () => {
    context.server = await startServer({ port: 0 })
    context.admin = new RoomServiceClient(
      context.server.url,
      context.server.sdkAppId,
      context.server.secretKey,
    )
  })
  afterAll(() => context.server.close())
  return context
}

module.exports = { Member, barrier, useServer, EVENT_WAIT_MS }
