'use strict'
// sendCustomCmdMsg: TRTC's signature and limits, what each member sees and in which order.

const { TXLiteAVWarning, startServer } = require('..')
const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

/** Wait until nextTick callbacks (where onWarning is emitted) have run. */
const ticked = () => new Promise((resolve) => setImmediate(resolve))

test("a message reaches every other member as a string (trtc-electron-sdk's), or as a Buffer with customMessageAs: 'buffer', with the sender's seq; string, Buffer and Uint8Array all work", async () => {
  const alice = new Member(ctx.server, 'alice')
  const bob = new Member(ctx.server, 'bob')
  const carol = new Member(ctx.server, 'carol', { customMessageAs: 'buffer' })
  for (const m of [alice, bob, carol]) await m.enter(300)
  await barrier(ctx.server, 300, [alice, bob, carol])
  expect(alice.cloud.sendCustomCmdMsg(1, 'héllo', true, true)).toBe(true)
  expect(alice.cloud.sendCustomCmdMsg(2, Buffer.from([0, 255]), true, true)).toBe(true)
  expect(alice.cloud.sendCustomCmdMsg(3, new Uint8Array([7, 8, 9]).subarray(1), false, false)).toBe(
    true,
  )
  const messages = async (m) => {
    await m.waitFor('onRecvCustomCmdMsg', 'alice', 3, 3)
    return m.events.filter(([name]) => name === 'onRecvCustomCmdMsg')
  }
  // As trtc-electron-sdk delivers them: the data read as UTF-8.
  expect(await messages(bob)).toEqual([
    ['onRecvCustomCmdMsg', 'alice', 1, 1, 'héllo'],
    ['onRecvCustomCmdMsg', 'alice', 2, 2, Buffer.from([0, 255]).toString('utf8')],
    ['onRecvCustomCmdMsg', 'alice', 3, 3, '\b\t'],
  ])
  // The bytes, for an app that sends binary data.
  const buffers = await messages(carol)
  expect(buffers).toEqual([
    ['onRecvCustomCmdMsg', 'alice', 1, 1, Buffer.from('héllo')],
    ['onRecvCustomCmdMsg', 'alice', 2, 2, Buffer.from([0, 255])],
    ['onRecvCustomCmdMsg', 'alice', 3, 3, Buffer.from([8, 9])],
  ])
  expect(Buffer.isBuffer(buffers[0][4])).toBe(true)
  // The sender hears nothing of its own messages.
  await barrier(ctx.server, 300, [alice])
  expect(alice.events.some(([name]) => name === 'onRecvCustomCmdMsg')).toBe(false)
  await Promise.all([alice, bob, carol].map((m) => m.cloud.exitRoom()))
})

test('messages keep their place among the room events: a member sees them in the order the server took them', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  await alice.enter(301)
  await bob.enter(301)
  await bob.waitFor('onRemoteUserEnterRoom', 'alice')
  alice.cloud.sendCustomCmdMsg(1, 'first', true, true)
  await bob.waitFor('onRecvCustomCmdMsg', 'alice', 1, 1)
  const carol = new Member(ctx.server, 'carol')
  await carol.enter(301)
  await bob.waitFor('onRemoteUserEnterRoom', 'carol')
  alice.cloud.sendCustomCmdMsg(1, 'second', true, true)
  await bob.waitFor('onRecvCustomCmdMsg', 'alice', 1, 2)
  expect(bob.roomEvents.slice(1).map(([name, ...args]) => [name, args[0]])).toEqual([
    ['onRemoteUserEnterRoom', 'alice'],
    ['onRecvCustomCmdMsg', 'alice'],
    ['onRemoteUserEnterRoom', 'carol'],
    ['onRecvCustomCmdMsg', 'alice'],
  ])
  // Carol entered after the first message: she gets only the second.
  await carol.waitFor('onRecvCustomCmdMsg', 'alice', 1, 2)
  expect(carol.events.filter(([name]) => name === 'onRecvCustomCmdMsg')).toHaveLength(1)
  await Promise.all([alice, bob, carol].map((m) => m.cloud.exitRoom()))
})

test('every refusal returns false and emits onWarning with its code, never synchronously', async () => {
  const alice = new Member(ctx.server, 'alice')
  // Each refused call returns false and emits nothing inside the call.
  const refuse = (...args) => {
    const before = alice.events.length
    expect(alice.cloud.sendCustomCmdMsg(...args)).toBe(false)
    expect(alice.events.length).toBe(before)
  }
  refuse(1, 'not in a room', true, true)
  await alice.enter(302)
  const bob = new Member(ctx.server, 'bob')
  await bob.enter(302)
  refuse(0, 'x', true, true)
  refuse(11, 'x', true, true)
  refuse(1.5, 'x', true, true)
  refuse('1', 'x', true, true)
  refuse(1, 42, true, true)
  refuse(1, null, true, true)
  refuse(1, Buffer.alloc(1025), true, true)
  await ticked()
  const warnings = alice.events.filter(([name]) => name === 'onWarning')
  expect(warnings.map(([, code]) => code)).toEqual([
    TXLiteAVWarning.WARNING_CUSTOM_CMD_NOT_IN_ROOM,
    ...Array(6).fill(TXLiteAVWarning.WARNING_CUSTOM_CMD_INVALID),
    TXLiteAVWarning.WARNING_CUSTOM_CMD_TOO_LARGE,
  ])
  expect(warnings[1][2]).toMatch(/cmdId must be an integer from 1 to 10, got 0/)
  expect(warnings[5][2]).toMatch(/data must be a string, Buffer or Uint8Array, got number/)
  expect(warnings[7][2]).toMatch(/at most 1024 bytes, got 1025/)

  // 30 a second; the 31st is refused. Then 8 KB a second, from another sender.
  for (let n = 1; n <= 30; n++)
    expect(alice.cloud.sendCustomCmdMsg(4, `m${n}`, true, true)).toBe(true)
  expect(alice.cloud.sendCustomCmdMsg(4, 'm31', true, true)).toBe(false)
  for (let n = 0; n < 8; n++)
    expect(bob.cloud.sendCustomCmdMsg(5, Buffer.alloc(1024), true, true)).toBe(true)
  expect(bob.cloud.sendCustomCmdMsg(5, 'x', true, true)).toBe(false)
  await ticked()
  expect(alice.events.filter(([name]) => name === 'onWarning').at(-1)).toEqual([
    'onWarning',
    TXLiteAVWarning.WARNING_CUSTOM_CMD_RATE_LIMITED,
    expect.stringContaining('at most 30 custom messages per second'),
  ])
  expect(bob.events.filter(([name]) => name === 'onWarning')).toEqual([
    ['onWarning', TXLiteAVWarning.WARNING_CUSTOM_CMD_BANDWIDTH_LIMITED, expect.any(String)],
  ])
  // Bob got exactly the 30 that were accepted, in order.
  await bob.waitFor('onRecvCustomCmdMsg', 'alice', 4, 30)
  const got = bob.events.filter(([name]) => name === 'onRecvCustomCmdMsg')
  expect(got.map(([, , , seq, data]) => `${seq}:${data}`)).toEqual(
    Array.from({ length: 30 }, (_, i) => `${i + 1}:m${i + 1}`),
  )
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})

test("a server's own limits (customMsgsPerSecond) reach its clients as they enter", async () => {
  const server = await startServer({ port: 0, customMsgsPerSecond: 50 })
  try {
    const [alice, bob] = ['alice', 'bob'].map((u) => new Member(server, u))
    await alice.enter(303)
    await bob.enter(303)
    for (let n = 0; n < 50; n++)
      expect(alice.cloud.sendCustomCmdMsg(1, `m${n}`, true, true)).toBe(true)
    expect(alice.cloud.sendCustomCmdMsg(1, 'one too many', true, true)).toBe(false)
    await alice.waitFor('onWarning', TXLiteAVWarning.WARNING_CUSTOM_CMD_RATE_LIMITED)
    const [, , message] = alice.events.find(([name]) => name === 'onWarning')
    expect(message).toMatch(/at most 50 custom messages per second/)
    await bob.waitFor('onRecvCustomCmdMsg', 'alice', 1, 50)
    await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
  } finally {
    await server.close()
  }
})

test('REST SendCustomMessage: from administrator to everyone, or to the users named, all or nothing', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  await alice.enter(303)
  await bob.enter(303)
  await expect(ctx.admin.sendCustomMessage(303, 7, 'to all')).resolves.toMatchObject({ seq: 1 })
  await expect(
    ctx.admin.sendCustomMessage(303, 7, Buffer.from([1, 2]), { userIds: ['bob'] }),
  ).resolves.toMatchObject({ seq: 2 })
  await expect(
    ctx.admin.sendCustomMessage(303, 7, 'x', { userIds: ['bob', 'zed'] }),
  ).rejects.toMatchObject({
    code: 'FailedOperation.UserNotInRoom',
    message: expect.stringContaining('zed not in roomId 303; the message was sent to nobody'),
  })
  await expect(ctx.admin.sendCustomMessage(303, 11, 'x')).rejects.toMatchObject({
    code: 'InvalidParameter.CmdId',
  })
  await expect(ctx.admin.sendCustomMessage(303, 1, Buffer.alloc(1025))).rejects.toMatchObject({
    code: 'InvalidParameter.Data',
  })
  await expect(ctx.admin.sendCustomMessage(304, 1, 'x')).rejects.toMatchObject({
    code: 'FailedOperation.RoomNotExist',
  })
  await bob.waitFor('onRecvCustomCmdMsg', 'administrator', 7, 2)
  await barrier(ctx.server, 303, [alice, bob])
  const messages = (m) => m.events.filter(([name]) => name === 'onRecvCustomCmdMsg')
  expect(messages(bob)).toEqual([
    ['onRecvCustomCmdMsg', 'administrator', 7, 1, 'to all'],
    ['onRecvCustomCmdMsg', 'administrator', 7, 2, '\u0001\u0002'],
  ])
  expect(messages(alice)).toEqual([['onRecvCustomCmdMsg', 'administrator', 7, 1, 'to all']])
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})
