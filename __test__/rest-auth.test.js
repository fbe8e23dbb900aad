'use strict'
// The REST admin API refuses every bad call with a Tencent-shaped error, and changes nothing.

const crypto = require('node:crypto')
const zlib = require('node:zlib')
const { genUserSig } = require('..')
const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

function post(action, body, authorization) {
  const url = ctx.server.url.replace(/^ws/, 'http') + `/v1/${action}`
  const headers = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }))
}

/**
 * Tencent's TLSSigAPIv2, written from its published algorithm with Node's own crypto and zlib,
 * independent of the Rust signer, and able to sign at any time (for an already expired sig).
 */
function tlsSigApiV2(sdkAppId, key, identifier, time, expire) {
  const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`
  const doc = {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': sdkAppId,
    'TLS.expire': expire,
    'TLS.time': time,
    'TLS.sig': crypto.createHmac('sha256', key).update(content).digest('base64'),
  }
  return zlib
    .deflateSync(Buffer.from(JSON.stringify(doc)))
    .toString('base64')
    .replace(/\+/g, '*')
    .replace(/\//g, '-')
    .replace(/=/g, '_')
}

const adminSig = (overrides = {}) => {
  const { sdkAppId, secretKey } = { ...ctx.server, ...overrides }
  return genUserSig(
    sdkAppId,
    secretKey,
    overrides.identifier ?? 'administrator',
    overrides.expire ?? 300,
  )
}

test('unauthorised calls get 401 with a code saying which check failed, and nobody is removed', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await alice.enter(300)
  await bob.enter(300)
  await barrier(ctx.server, 300, [alice, bob])
  const seen = { alice: alice.events.length, bob: bob.events.length }
  const body = { SdkAppId: ctx.server.sdkAppId, RoomId: 300, UserIds: ['bob'] }

  const cases = [
    [undefined, 'AuthFailure.InvalidAuthorization'],
    ['Basic abc', 'AuthFailure.InvalidAuthorization'],
    ['Bearer not-a-sig', 'AuthFailure.SignatureFailure'],
    [`Bearer ${adminSig({ secretKey: 'wrong-secret' })}`, 'AuthFailure.SignatureFailure'],
    [`Bearer ${adminSig({ identifier: 'alice' })}`, 'AuthFailure.SignatureFailure'],
    [`Bearer ${adminSig({ sdkAppId: 42 })}`, 'AuthFailure.SignatureFailure'],
  ]
  for (const [authorization, code] of cases) {
    const response = await post('RemoveUser', body, authorization)
    expect({
      authorization,
      status: response.status,
      code: response.body.Response.Error.Code,
    }).toEqual({
      authorization,
      status: 401,
      code,
    })
    expect(response.body.Response.RequestId).toEqual(expect.any(String))
  }
  for (const action of [
    'DismissRoom',
    'RemoveUserByStrRoomId',
    'DismissRoomByStrRoomId',
    'DescribeRoom',
    'DescribeRoomByStrRoomId',
    'ListRooms',
  ]) {
    const response = await post(action, { SdkAppId: ctx.server.sdkAppId, RoomId: 300 }, 'Bearer x')
    expect(response.status).toBe(401)
  }

  await barrier(ctx.server, 300, [alice, bob])
  expect(alice.roomEvents.slice(seen.alice)).toEqual([])
  expect(bob.roomEvents.slice(seen.bob)).toEqual([])
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('an expired admin UserSig is AuthFailure.SignatureExpire', async () => {
  const now = Math.floor(Date.now() / 1000)
  const { sdkAppId, secretKey } = ctx.server
  const expired = tlsSigApiV2(sdkAppId, secretKey, 'administrator', now - 3600, 60)
  const response = await post('DismissRoom', { SdkAppId: sdkAppId, RoomId: 1 }, `Bearer ${expired}`)
  expect(response.status).toBe(401)
  expect(response.body.Response.Error.Code).toBe('AuthFailure.SignatureExpire')
  expect(response.body.Response.Error.Message).toMatch(/expired at unix time \d+/)
})

test('a UserSig from an independent TLSSigAPIv2 implementation is accepted', async () => {
  const now = Math.floor(Date.now() / 1000)
  const { sdkAppId, secretKey } = ctx.server
  const sig = tlsSigApiV2(sdkAppId, secretKey, 'administrator', now, 300)
  const response = await post('DismissRoom', { SdkAppId: sdkAppId, RoomId: 303 }, `Bearer ${sig}`)
  // Authorised: the answer is about the room, not the signature.
  expect(response.body.Response.Error.Code).toBe('FailedOperation.RoomNotExist')
})

test('bad bodies get 400 InvalidParameter.* and change nothing', async () => {
  const alice = new Member(ctx.server, 'alice')
  await alice.enter(301)
  const auth = `Bearer ${adminSig()}`
  const app = ctx.server.sdkAppId
  const cases = [
    ['RemoveUser', { RoomId: 301, UserIds: ['alice'] }, 'InvalidParameter.SdkAppId'],
    [
      'RemoveUser',
      { SdkAppId: app + 1, RoomId: 301, UserIds: ['alice'] },
      'InvalidParameter.SdkAppId',
    ],
    ['RemoveUser', { SdkAppId: app, UserIds: ['alice'] }, 'InvalidParameter.RoomId'],
    ['RemoveUser', { SdkAppId: app, RoomId: '301', UserIds: ['alice'] }, 'InvalidParameter.RoomId'],
    ['RemoveUser', { SdkAppId: app, RoomId: 0, UserIds: ['alice'] }, 'InvalidParameter.RoomId'],
    ['RemoveUser', { SdkAppId: app, RoomId: 301 }, 'InvalidParameter.UserIds'],
    ['RemoveUser', { SdkAppId: app, RoomId: 301, UserIds: [] }, 'InvalidParameter.UserIds'],
    [
      'RemoveUser',
      { SdkAppId: app, RoomId: 301, UserIds: Array(11).fill('alice') },
      'InvalidParameter.UserIds',
    ],
    ['RemoveUser', { SdkAppId: app, RoomId: 301, UserIds: ['a b'] }, 'InvalidParameter.UserIds'],
    [
      'RemoveUserByStrRoomId',
      { SdkAppId: app, RoomId: 301, UserIds: ['alice'] },
      'InvalidParameter.RoomId',
    ],
    ['DismissRoomByStrRoomId', { SdkAppId: app, RoomId: 'a/b' }, 'InvalidParameter.RoomId'],
  ]
  for (const [action, body, code] of cases) {
    const response = await post(action, body, auth)
    expect({
      action,
      body,
      status: response.status,
      code: response.body.Response.Error.Code,
    }).toEqual({
      action,
      body,
      status: 400,
      code,
    })
    expect(response.body.Response.Error.Message.length).toBeGreaterThan(10)
  }
  const notJson = await fetch(ctx.server.url.replace(/^ws/, 'http') + '/v1/DismissRoom', {
    method: 'POST',
    headers: { authorization: auth },
    body: '{nope',
  })
  expect(notJson.status).toBe(400)

  await barrier(ctx.server, 301, [alice])
  expect(alice.roomEvents).toEqual([['onEnterRoom', expect.any(Number)]])
  await alice.cloud.exitRoom()
})

test('removing someone absent is all or nothing: 404 FailedOperation.UserNotInRoom, nobody removed', async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  await alice.enter(302)
  await bob.enter(302)
  await expect(ctx.admin.removeUser(302, ['bob', 'zed'])).rejects.toMatchObject({
    code: 'FailedOperation.UserNotInRoom',
    status: 404,
    message: expect.stringContaining('zed'),
  })
  await expect(ctx.admin.removeUser(399, ['bob'])).rejects.toMatchObject({
    code: 'FailedOperation.RoomNotExist',
    status: 404,
  })
  await barrier(ctx.server, 302, [alice, bob])
  expect(bob.roomEvents).toEqual([
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'alice'],
  ])
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test('GET on an action is 405 with a Tencent-shaped error', async () => {
  const response = await fetch(ctx.server.url.replace(/^ws/, 'http') + '/v1/RemoveUser')
  expect(response.status).toBe(405)
  expect((await response.json()).Response.Error.Code).toBe('UnsupportedOperation.Method')
})

test('an unknown action is 404 InvalidAction with the list of actions', async () => {
  const response = await post('KickEveryone', {}, `Bearer ${adminSig()}`)
  expect(response.status).toBe(404)
  expect(response.body.Response.Error).toEqual({
    Code: 'InvalidAction',
    Message: expect.stringContaining('/v1/RemoveUser'),
  })
})

test('an admin UserSig issued ten years ahead of the clock is refused, though not expired', async () => {
  const now = Math.floor(Date.now() / 1000)
  const { sdkAppId, secretKey } = ctx.server
  const tenYears = 10 * 365 * 24 * 3600
  const future = tlsSigApiV2(sdkAppId, secretKey, 'administrator', now + tenYears, 86400)
  const response = await post('ListRooms', { SdkAppId: sdkAppId }, `Bearer ${future}`)
  expect(response.status).toBe(401)
  expect(response.body.Response.Error.Code).toBe('AuthFailure.SignatureFailure')
  expect(response.body.Response.Error.Message).toMatch(/ahead of this server's clock/)
  // A few seconds ahead (a backend whose clock runs fast) is fine.
  const slightly = tlsSigApiV2(sdkAppId, secretKey, 'administrator', now + 5, 300)
  expect((await post('ListRooms', { SdkAppId: sdkAppId }, `Bearer ${slightly}`)).status).toBe(200)
})

test('a request with two Authorization headers is refused with 400, whichever of them is valid', async () => {
  const http = require('node:http')
  const { sdkAppId } = ctx.server
  const url = new URL('/v1/ListRooms', ctx.server.url.replace(/^ws/, 'http'))
  const body = JSON.stringify({ SdkAppId: sdkAppId })
  const response = await new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          // Node sends an array as one header line per value.
          Authorization: [`Bearer ${adminSig()}`, 'Bearer not-a-sig'],
        },
        timeout: 5000,
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }))
      },
    )
    request.on('timeout', () => request.destroy(new Error('no answer in 5 s')))
    request.on('error', reject)
    request.end(body)
  })
  expect(response.status).toBe(400)
  expect(response.body.Response.Error.Code).toBe('AuthFailure.InvalidAuthorization')
  expect(response.body.Response.Error.Message).toMatch(/exactly one Authorization header/)
})
