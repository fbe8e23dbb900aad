'use strict'
// Scenarios S1–S3 of the side-by-side benchmark, for one system, in this one Node process:
//   S1 enter storm: `clients` members enter one room one after another; latency from the call
//      to the acknowledgement (onEnterRoom / the join ack), and the wall time.
//   S2 fan-out: in that room, one member sends `messages` messages at once; deliveries per
//      second and the latency from the send to each receiver's handler.
//   S3 exit: everyone but one leaves at once; wall time until the last leave reaches the one.
// Usage: node bench/rooms.js --system openroom|socketio --url URL [--clients 500]
//   [--messages 200] [--sdk-app-id N --secret-key K]. Prints one JSON result.

const { performance } = require('node:perf_hooks')
const { summarize, flags, countdown } = require('./lib/measure.js')

const options = flags()
const CLIENTS = options.clients ?? 500
const MESSAGES = options.messages ?? 200
const ROOM = 4242
/** Longest any one phase may take before the run fails. */
const PHASE_TIMEOUT_MS = 120_000

function members() {
  const name = (i) => `bench-${i}`
  if (options.system === 'openroom') {
    const { OpenRoomMember } = require('./lib/openroom-member.js')
    const server = { url: options.url, sdkAppId: options.sdkAppId, secretKey: options.secretKey }
    return Array.from({ length: CLIENTS }, (_, i) => new OpenRoomMember(server, name(i)))
  }
  if (options.system === 'socketio') {
    const { SocketIoMember } = require('./peers/socketio-client.js')
    return Array.from({ length: CLIENTS }, (_, i) => new SocketIoMember(options.url, name(i)))
  }
  throw new Error(`--system must be openroom or socketio, got ${options.system}`)
}

async function main() {
  const all = members()
  const errors = []
  for (const member of all) member.onError = (message) => errors.push(message)

  // S1: one after another; every earlier member hears of each later one.
  const arrivals = countdown((CLIENTS * (CLIENTS - 1)) / 2, PHASE_TIMEOUT_MS, 'arrivals')
  for (const member of all) member.onEnter = () => arrivals.tick()
  const enters = []
  const s1Started = performance.now()
  for (const member of all) {
    const started = performance.now()
    await member.enter(ROOM)
    enters.push(performance.now() - started)
  }
  const s1Wall = performance.now() - s1Started
  await arrivals.done
  const s1ArrivalsWall = performance.now() - s1Started

  // S2: one sender, everyone else receives every message.
  const [sender, ...receivers] = all
  const latencies = []
  const deliveries = countdown(MESSAGES * receivers.length, PHASE_TIMEOUT_MS, 'deliveries')
  for (const member of receivers) {
    member.onMessage = (userId, data) => {
      latencies.push(performance.now() - Number(data))
      deliveries.tick()
    }
  }
  const s2Started = performance.now()
  for (let i = 0; i < MESSAGES; i++) sender.send(String(performance.now()))
  await deliveries.done
  const s2Wall = performance.now() - s2Started

  // S3: all but the last leave at once; the last counts them out.
  const last = all[all.length - 1]
  const leaves = countdown(CLIENTS - 1, PHASE_TIMEOUT_MS, 'leaves')
  last.onLeave = () => leaves.tick()
  const s3Started = performance.now()
  const exits = all.slice(0, -1).map((member) => member.exit())
  await leaves.done
  const s3Wall = performance.now() - s3Started
  await Promise.all(exits)
  await last.exit()
  for (const member of all) member.close()

  const ms = (value) => Math.round(value * 100) / 100
  const result = {
    system: options.system,
    clients: CLIENTS,
    messages: MESSAGES,
    s1: { ...summarize(enters), wall_ms: ms(s1Wall), arrivals_wall_ms: ms(s1ArrivalsWall) },
    s2: {
      ...summarize(latencies),
      deliveries: latencies.length,
      wall_ms: ms(s2Wall),
      deliveries_per_second: Math.round(latencies.length / (s2Wall / 1000)),
    },
    s3: { wall_ms: ms(s3Wall) },
    errors: errors.length,
    first_errors: errors.slice(0, 10),
  }
  console.log(JSON.stringify(result))
  // Sockets still closing must not hold the result back.
  process.exit(errors.length === 0 ? 0 : 1)
}

main().catch((error) => {
  console.error(`rooms.js (${options.system}): ${error.message}`)
  process.exit(1)
})
