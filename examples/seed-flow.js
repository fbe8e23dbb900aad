'use strict'
// The seed flow, end to end: an embedded room server, three members entering room 1001, one
// exiting, one removed through the REST admin API, and the room dismissed. Every event each
// member receives is printed. Run it with `npm run example` (or `node examples/seed-flow.js`).

const {
  TRTCCloud,
  TRTCParams,
  TRTCAppScene,
  ExitRoomReason,
  startServer,
  genUserSig,
  RoomServiceClient,
} = require('..')

const ROOM_ID = 1001
const NAMES = ['alice', 'bob', 'carol']
const EVENTS = [
  'onEnterRoom',
  'onExitRoom',
  'onRemoteUserEnterRoom',
  'onRemoteUserLeaveRoom',
  'onError',
  'onConnectionLost',
]
/** How long to wait for an expected event before giving up. */
const EVENT_TIMEOUT_MS = 5000

/**
 * A promise of the next `event` that `cloud` emits with arguments accepted by `match`; it
 * resolves to those arguments, or rejects after `timeoutMs` with a message naming what never
 * came. Create it before the action that causes the event, so the event cannot be missed.
 */
function nextEvent(cloud, name, event, match = () => true, timeoutMs = EVENT_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const listener = (...args) => {
      if (!match(...args)) return
      clearTimeout(timer)
      cloud.off(event, listener)
      resolve(args)
    }
    const timer = setTimeout(() => {
      cloud.off(event, listener)
      reject(new Error(`${name} did not receive ${event} within ${timeoutMs} ms`))
    }, timeoutMs)
    cloud.on(event, listener)
  })
}

/** Throw unless an event arrived with the expected reason. */
function expectReason(name, event, [reason], expected) {
  if (reason !== expected) throw new Error(`${name} got ${event}(${reason}), expected ${expected}`)
}

function step(title) {
  console.log(`\n== ${title}`)
}

async function main() {
  step('start an embedded room server')
  const server = await startServer({ port: 0 })
  console.log(`listening on ${server.url}, sdkAppId ${server.sdkAppId}, dev mode ${server.devMode}`)

  const members = {}
  for (const name of NAMES) {
    const cloud = new TRTCCloud({ serverUrl: server.url })
    for (const event of EVENTS) {
      cloud.on(event, (...args) => console.log(`${name.padEnd(5)} ${event}(${args.join(', ')})`))
    }
    members[name] = cloud
  }
  const { alice, bob, carol } = members

  try {
    // Each member enters in turn. The newcomer learns of everyone already inside, and they
    // see it arrive; those events may come after enterRoom resolves, so wait for them too.
    const present = []
    for (const name of NAMES) {
      step(`${name} enters room ${ROOM_ID}`)
      const userSig = genUserSig(server.sdkAppId, server.secretKey, name)
      const params = new TRTCParams(server.sdkAppId, name, userSig, ROOM_ID)
      const seen = present.flatMap((other) => [
        nextEvent(members[other], other, 'onRemoteUserEnterRoom', (userId) => userId === name),
        nextEvent(members[name], name, 'onRemoteUserEnterRoom', (userId) => userId === other),
      ])
      await members[name].enterRoom(params, TRTCAppScene.TRTCAppSceneVideoCall)
      await Promise.all(seen)
      present.push(name)
    }

    step('carol exits')
    const carolLeft = [alice, bob].map((cloud, i) =>
      nextEvent(cloud, NAMES[i], 'onRemoteUserLeaveRoom', (userId) => userId === 'carol'),
    )
    await carol.exitRoom()
    await Promise.all(carolLeft)

    step('bob is removed (REST RemoveUser)')
    const admin = new RoomServiceClient(server.url, server.sdkAppId, server.secretKey)
    const bobOut = nextEvent(bob, 'bob', 'onExitRoom')
    const bobLeft = nextEvent(alice, 'alice', 'onRemoteUserLeaveRoom', (userId) => userId === 'bob')
    await admin.removeUser(ROOM_ID, ['bob'])
    expectReason('bob', 'onExitRoom', await bobOut, ExitRoomReason.Removed)
    await bobLeft

    step(`room ${ROOM_ID} is dismissed (REST DismissRoom)`)
    const aliceOut = nextEvent(alice, 'alice', 'onExitRoom')
    await admin.dismissRoom(ROOM_ID)
    expectReason('alice', 'onExitRoom', await aliceOut, ExitRoomReason.Dismissed)
  } finally {
    step('close the server')
    await server.close()
  }
  console.log('done')
}

main().catch((error) => {
  console.error(`seed-flow failed: ${error.message}`)
  process.exitCode = 1
})
