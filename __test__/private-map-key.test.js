'use strict'
// genPrivateMapKey and genPrivateMapKeyWithStringRoomID sign what Tencent's TLSSigAPIv2 signs.

const crypto = require('node:crypto')
const zlib = require('node:zlib')
const {
  TRTCSwitchRoomParam,
  TXLiteAVError,
  genPrivateMapKey,
  genPrivateMapKeyWithStringRoomID,
  startServer,
} = require('..')
const { Member } = require('./helpers.js')

const APP = 1400000000
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e'

/**
 * Tencent's privateMapKey userbuf, written from TLSSigAPIv2's published layout with Node's
 * Buffer, independent of the Rust signer: version, userId, sdkAppId, numeric room, expiry
 * (issue time + validity), privilege map, account type, and in version 1 the string room.
 */
function tencentUserbuf(sdkAppId, userId, room, privilegeMap, expiresAt) {
  const str = typeof room === 'string' ? Buffer.from(room) : null
  const u16 = (n) => Buffer.from([n >> 8, n & 0xff])
  const u32 = (n) => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(n)
    return b
  }
  return Buffer.concat([
    Buffer.from([str ? 1 : 0]),
    u16(userId.length),
    Buffer.from(userId),
    u32(sdkAppId),
    u32(str ? 0 : room),
    u32(expiresAt),
    u32(privilegeMap),
    u32(0),
    ...(str ? [u16(str.length), str] : []),
  ])
}

/** The JSON document inside a UserSig-shaped key. */
function decodeKey(key) {
  const b64 = key.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=')
  return JSON.parse(zlib.inflateSync(Buffer.from(b64, 'base64')).toString())
}

/** TLSSigAPIv2's signature over a document's fields. */
function tencentSig(key, doc) {
  const content =
    `TLS.identifier:${doc['TLS.identifier']}\nTLS.sdkappid:${doc['TLS.sdkappid']}\n` +
    `TLS.time:${doc['TLS.time']}\nTLS.expire:${doc['TLS.expire']}\n` +
    `TLS.userbuf:${doc['TLS.userbuf']}\n`
  return crypto.createHmac('sha256', key).update(content).digest('base64')
}

test("the independent implementation reproduces Tencent's own key (Python TLSSigAPIv2)", () => {
  // TLSSigAPIv2.py genPrivateMapKeyWithStringRoomID("xiaojun", 86400, "adbjkl", 42) at
  // 1700000000, also pinned in crates/protocol/src/private_map_key.rs.
  const tencent = decodeKey(
    'eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMWlxalFSaVpICscAx09Ut1zMpKMCgyTcvwqQ9IdwSAqLMwZzHTOd4SKZES5exUmGpXbwt2TmQ4yorjIOztI28XSPcsw3MwzKrfU2d3F163UKz8gxN09O9E41bHUsrLSLdwjxMJWqRYAk-dIFw__',
  )
  const userbuf = tencentUserbuf(APP, 'xiaojun', 'adbjkl', 42, 1700086400)
  expect(tencent['TLS.userbuf']).toBe(userbuf.toString('base64'))
  expect(tencent['TLS.sig']).toBe(tencentSig(KEY, tencent))
})

test.each([
  ['numeric', () => genPrivateMapKey(APP, KEY, 'alice', 1234, 2 | 8 | 32, 300), 1234, 42],
  [
    'string',
    () => genPrivateMapKeyWithStringRoomID(APP, KEY, 'alice', 'team-room', 255, 300),
    'team-room',
    255,
  ],
])('a %s-room key carries the grant Tencent would sign', (_kind, sign, room, privileges) => {
  const before = Math.floor(Date.now() / 1000)
  const doc = decodeKey(sign())
  const after = Math.floor(Date.now() / 1000)
  expect(doc['TLS.time']).toBeGreaterThanOrEqual(before)
  expect(doc['TLS.time']).toBeLessThanOrEqual(after)
  expect(doc).toMatchObject({
    'TLS.ver': '2.0',
    'TLS.identifier': 'alice',
    'TLS.sdkappid': APP,
    'TLS.expire': 300,
  })
  const expected = tencentUserbuf(APP, 'alice', room, privileges, doc['TLS.time'] + 300)
  expect(doc['TLS.userbuf']).toBe(expected.toString('base64'))
  expect(doc['TLS.sig']).toBe(tencentSig(KEY, doc))
})

test('bad arguments are refused with ERR_INVALID_ARG_VALUE and what to fix', () => {
  const refusals = [
    [() => genPrivateMapKey(0, KEY, 'alice', 1, 255, 60), /sdkAppId/],
    [() => genPrivateMapKey(APP, 7, 'alice', 1, 255, 60), /secretKey/],
    [() => genPrivateMapKey(APP, '', 'alice', 1, 255, 60), /secretKey/],
    [() => genPrivateMapKey(APP, KEY, 'a b', 1, 255, 60), /userId/],
    [() => genPrivateMapKey(APP, KEY, 'alice', 0, 255, 60), /roomId/],
    [() => genPrivateMapKey(APP, KEY, 'alice', 4294967295, 255, 60), /roomId/],
    [() => genPrivateMapKey(APP, KEY, 'alice', '1', 255, 60), /roomId/],
    [() => genPrivateMapKey(APP, KEY, 'alice', 1, -1, 60), /privilegeMap/],
    [() => genPrivateMapKey(APP, KEY, 'alice', 1, 255), /expireSeconds/],
    [() => genPrivateMapKeyWithStringRoomID(APP, KEY, 'alice', '', 255, 60), /strRoomId/],
    [() => genPrivateMapKeyWithStringRoomID(APP, KEY, 'alice', 'a/b', 255, 60), /strRoomId/],
    [() => genPrivateMapKeyWithStringRoomID(APP, KEY, 'alice', 5, 255, 60), /strRoomId/],
  ]
  for (const [call, message] of refusals) {
    expect(call).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringMatching(message),
      }),
    )
  }
})

describe('a server started with requirePrivateMapKey: true', () => {
  let server
  beforeAll(async () => {
    server = await startServer({ port: 0, requirePrivateMapKey: true })
  })
  afterAll(() => server.close())

  const keyFor = (userId, room, bits) =>
    typeof room === 'number'
      ? genPrivateMapKey(server.sdkAppId, server.secretKey, userId, room, bits, 300)
      : genPrivateMapKeyWithStringRoomID(server.sdkAppId, server.secretKey, userId, room, bits, 300)

  test('lets in whoever holds a key for the room, and refuses the rest with its code', async () => {
    const alice = new Member(server, 'alice')
    const bob = new Member(server, 'bob')
    const noKey = await bob.cloud.enterRoom(bob.params(9), 0).catch((error) => error)
    expect(noKey.code).toBe(TXLiteAVError.ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR)
    expect(noKey.message).toMatch(/requires a privateMapKey/)
    expect(bob.events).toEqual([
      ['onEnterRoom', -100006],
      ['onError', -100006, noKey.message],
    ])

    // Bob's key grants entering only: room 9 does not exist yet.
    const enterOnly = bob.params(9, { privateMapKey: keyFor('bob', 9, 2) })
    await expect(bob.cloud.enterRoom(enterOnly, 0)).rejects.toMatchObject({
      code: TXLiteAVError.ERR_SERVER_CENTER_NO_PRIVILEDGE_CREATE_ROOM,
    })
    await expect(
      alice.cloud.enterRoom(alice.params(9, { privateMapKey: keyFor('alice', 9, 1 | 2) }), 0),
    ).resolves.toBeGreaterThan(0)
    await expect(bob.cloud.enterRoom(enterOnly, 0)).resolves.toBeGreaterThan(0)
    await alice.waitFor('onRemoteUserEnterRoom', 'bob')

    // switchRoom takes the new room's key from TRTCSwitchRoomParam.
    const toTeam = new TRTCSwitchRoomParam(0, 'team', '', keyFor('alice', 'team', 1 | 2))
    await expect(alice.cloud.switchRoom(new TRTCSwitchRoomParam(0, 'team'))).rejects.toMatchObject({
      code: -100006,
    })
    await alice.waitFor('onSwitchRoom', -100006)
    await alice.cloud.switchRoom(toTeam)
    await alice.waitFor('onSwitchRoom', 0)
    await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
    await alice.cloud.exitRoom()
    await bob.cloud.exitRoom()
  })

  test('sending audio needs bit 4 and sending video bit 16: refused with onError, the others see nothing', async () => {
    const ann = new Member(server, 'ann')
    const bob = new Member(server, 'bob')
    await ann.cloud.enterRoom(ann.params(12, { privateMapKey: keyFor('ann', 12, 1 | 2 | 16) }), 0)
    await bob.cloud.enterRoom(bob.params(12, { privateMapKey: keyFor('bob', 12, 2 | 4) }), 0)
    await ann.waitFor('onRemoteUserEnterRoom', 'bob')
    ann.cloud.startLocalAudio()
    await ann.waitFor('onError', TXLiteAVError.ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR)
    bob.cloud.startLocalPreview(null)
    await bob.waitFor('onError', TXLiteAVError.ERR_SERVER_CENTER_NO_PRIVILEDGE_PUSH_VIDEO)
    expect(ann.events.find(([name]) => name === 'onError')[2]).toMatch(/sending audio \(4\)/)
    expect(bob.events.find(([name]) => name === 'onError')[2]).toMatch(/sending video \(16\)/)
    // What each may send reaches the other, after (and instead of) what was refused.
    ann.cloud.startLocalPreview(null)
    bob.cloud.startLocalAudio()
    await bob.waitFor('onUserVideoAvailable', 'ann', 1)
    await ann.waitFor('onUserAudioAvailable', 'bob', 1)
    expect(bob.events.filter(([name]) => name === 'onUserAudioAvailable')).toEqual([])
    expect(ann.events.filter(([name]) => name === 'onUserVideoAvailable')).toEqual([])
    await ann.cloud.exitRoom()
    await bob.cloud.exitRoom()
  })

  test('a privateMapKey that is not a string is refused before it is sent', async () => {
    const carol = new Member(server, 'carol')
    await expect(
      carol.cloud.enterRoom(carol.params(9, { privateMapKey: 42 }), 0),
    ).rejects.toMatchObject({ code: -100006, message: expect.stringMatching(/must be a string/) })
  })
})
