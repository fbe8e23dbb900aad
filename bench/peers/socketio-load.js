'use strict'
// S4 for Socket.IO: what openroom-loadtest does for OpenRoom, with socket.io-client members
// in this one Node process. `rooms` × `members` join at `join-rate` a second, settle, hold for
// `hold` seconds with `msg-rate` messages a second in each room (its members in turn), and
// leave. Prints one JSON result with the figures openroom-loadtest reports under the same
// names (join, delivery, deliveries, errors, server: rss_per_idle_connection_kib, …).
// Usage: node bench/peers/socketio-load.js --url URL --server-pid PID [--rooms 2000]
//   [--members 5] [--join-rate 1000] [--settle 2] [--hold 60] [--msg-rate 1]

const { performance } = require('node:perf_hooks')
const { summarize, flags, countdown, rssKib, cpuSeconds } = require('../lib/measure.js')
const { SocketIoMember } = require('./socketio-client.js')

const options = flags()
const ROOMS = options.rooms ?? 2000
const MEMBERS = options.members ?? 5
const JOIN_RATE = options.joinRate ?? 1000
const SETTLE_S = options.settle ?? 2
const HOLD_S = options.hold ?? 60
const MSG_RATE = options.msgRate ?? 1
const PID = options.serverPid
const STEP_TIMEOUT_MS = 60_000

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const round2 = (value) => Math.round(value * 100) / 100

async function main() {
  const errors = []
  const joins = []
  const latencies = []
  let sent = 0
  let expected = 0
  const rooms = Array.from({ length: ROOMS }, (_, r) =>
    Array.from({ length: MEMBERS }, (_, m) => {
      const member = new SocketIoMember(options.url, `load-r${r}m${m}`)
      member.onError = (message) => errors.push(message)
      member.onMessage = (userId, data) => latencies.push(performance.now() - Number(data))
      return member
    }),
  )
  const all = rooms.flat()
  const rssBefore = rssKib(PID)

  // Join, paced; each enter is timed to its ack.
  const joined = countdown(all.length, STEP_TIMEOUT_MS * 10, 'joins')
  const cpuJoin = cpuSeconds(PID)
  const joinStarted = performance.now()
  for (let i = 0; i < all.length; i++) {
    const due = joinStarted + (i * 1000) / JOIN_RATE
    if (due > performance.now()) await sleep(due - performance.now())
    const started = performance.now()
    all[i]
      .enter(1 + Math.floor(i / MEMBERS))
      .then(() => joins.push(performance.now() - started))
      .catch((error) => errors.push(error.message))
      .finally(() => joined.tick())
  }
  await joined.done
  const joinSeconds = (performance.now() - joinStarted) / 1000
  const cpuJoinPercent = round2((100 * (cpuSeconds(PID) - cpuJoin)) / joinSeconds)

  await sleep(SETTLE_S * 1000)
  const rssIdle = rssKib(PID)

  // Hold: each room sends at MSG_RATE, from its members in turn, starting at random offsets.
  let rssPeak = rssIdle
  const cpuHold = cpuSeconds(PID)
  const holdStarted = performance.now()
  const timers = rooms.map((room) => {
    let turn = 0
    const send = () => {
      room[turn++ % room.length].send(String(performance.now()))
      sent += 1
      expected += room.length - 1
    }
    const start = setTimeout(
      () => {
        send()
        timers.push(setInterval(send, 1000 / MSG_RATE))
      },
      Math.random() * (1000 / MSG_RATE),
    )
    return start
  })
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssKib(PID) ?? 0)
  }, 1000)
  const progress = setInterval(() => {
    const s = Math.round((performance.now() - holdStarted) / 1000)
    console.error(
      `[${s}s] socketio holding | sent ${sent} delivered ${latencies.length} | errors ${errors.length}`,
    )
  }, 5000)
  await sleep(HOLD_S * 1000)
  for (const timer of timers) clearInterval(timer)
  clearInterval(sampler)
  clearInterval(progress)
  const holdSeconds = (performance.now() - holdStarted) / 1000
  const cpuHoldPercent = round2((100 * (cpuSeconds(PID) - cpuHold)) / holdSeconds)
  rssPeak = Math.max(rssPeak, rssKib(PID) ?? 0)

  // Drain, then leave.
  const drainUntil = performance.now() + 5000
  while (latencies.length < expected && performance.now() < drainUntil) await sleep(10)
  const exitStarted = performance.now()
  await Promise.all(all.map((member) => member.exit()))
  const exitSeconds = (performance.now() - exitStarted) / 1000
  for (const member of all) member.close()

  const perConnection = (kib) => round2((kib - rssBefore) / Math.max(1, joins.length))
  console.log(
    JSON.stringify({
      rooms: ROOMS,
      members_per_room: MEMBERS,
      connections: all.length,
      joined: joins.length,
      join: summarize(joins),
      delivery: summarize(latencies),
      messages_sent: sent,
      deliveries: latencies.length,
      expected_deliveries: expected,
      missing_deliveries: Math.max(0, expected - latencies.length),
      deliveries_per_second: round2(latencies.length / holdSeconds),
      errors: errors.length,
      first_errors: errors.slice(0, 10),
      seconds: { join: round2(joinSeconds), hold: round2(holdSeconds), exit: round2(exitSeconds) },
      server: {
        pid: PID,
        rss_before_kib: rssBefore,
        rss_idle_kib: rssIdle,
        rss_peak_kib: rssPeak,
        rss_per_idle_connection_kib: perConnection(rssIdle),
        rss_per_connection_under_load_kib: perConnection(rssPeak),
        cpu_join_percent: cpuJoinPercent,
        cpu_hold_percent: cpuHoldPercent,
      },
      loadtest_rss_kib: rssKib(process.pid),
    }),
  )
  process.exit(errors.length === 0 ? 0 : 1)
}

main().catch((error) => {
  console.error(`socketio-load.js: ${error.message}`)
  process.exit(1)
})
