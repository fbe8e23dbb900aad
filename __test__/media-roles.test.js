'use strict'
// Audio/video availability, device release and roles (trtc-electron-sdk's signatures): the
// exact events each member sees.

const { TRTCAppScene, TRTCRoleType, TRTCVideoStreamType, TRTCAudioQuality } = require('..')
const { Member, barrier, useServer } = require('./helpers.js')

const ctx = useServer()

/** Wait until nextTick callbacks (where onLocalDevicesChanged is emitted) have run. */
const ticked = () => new Promise((resolve) => setImmediate(resolve))

/** The events named `names`, in order. */
const only = (member, ...names) => member.roomEvents.filter(([name]) => names.includes(name))

const LIVE = TRTCAppScene.TRTCAppSceneLIVE
const AUDIENCE = TRTCRoleType.TRTCRoleAudience

test('the others see each publishing change as 1 or 0, a late joiner right after the publisher enters, and an exit ends the streams first', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  alice.cloud.startLocalPreview(null)
  // Reported after the call, never inside it.
  expect(alice.events).toEqual([])
  await ticked()
  expect(alice.events).toEqual([['onLocalDevicesChanged', true, false]])
  await alice.enter(700)
  await bob.enter(700)
  await bob.waitFor('onUserVideoAvailable', 'alice', 1)
  expect(bob.roomEvents.slice(1)).toEqual([
    ['onRemoteUserEnterRoom', 'alice'],
    ['onUserVideoAvailable', 'alice', 1],
  ])

  alice.cloud.startLocalAudio(TRTCAudioQuality.TRTCAudioQualitySpeech)
  alice.cloud.muteLocalAudio(true)
  alice.cloud.muteLocalVideo(TRTCVideoStreamType.TRTCVideoStreamTypeBig, true) // the native order
  alice.cloud.muteLocalVideo(false, TRTCVideoStreamType.TRTCVideoStreamTypeBig) // 13's
  alice.cloud.muteLocalAudio(false)
  await bob.waitFor('onUserAudioAvailable', 'alice', 1)
  await barrier(ctx.server, 700, [bob])
  expect(only(bob, 'onUserAudioAvailable', 'onUserVideoAvailable')).toEqual([
    ['onUserVideoAvailable', 'alice', 1],
    ['onUserAudioAvailable', 'alice', 1],
    ['onUserAudioAvailable', 'alice', 0],
    ['onUserVideoAvailable', 'alice', 0],
    ['onUserVideoAvailable', 'alice', 1],
    ['onUserAudioAvailable', 'alice', 1],
  ])
  // Muting keeps the devices open: one device event for the microphone, none for the mutes.
  expect(only(alice, 'onLocalDevicesChanged')).toEqual([
    ['onLocalDevicesChanged', true, false],
    ['onLocalDevicesChanged', true, true],
  ])

  const before = bob.roomEvents.length
  await alice.cloud.exitRoom()
  await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 0)
  expect(bob.roomEvents.slice(before)).toEqual([
    ['onUserAudioAvailable', 'alice', 0],
    ['onUserVideoAvailable', 'alice', 0],
    ['onRemoteUserLeaveRoom', 'alice', 0],
  ])
  // Room events already on their way (the barrier probe leaving) may come in between.
  expect(only(alice, 'onLocalDevicesChanged', 'onExitRoom').slice(-2)).toEqual([
    ['onLocalDevicesChanged', false, false],
    ['onExitRoom', 0],
  ])
  await bob.cloud.exitRoom()
})

test('removal and dismissal release the devices before onExitRoom', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  for (const m of [alice, bob]) {
    m.cloud.startLocalAudio()
    await m.enter(701)
  }
  await alice.waitFor('onUserAudioAvailable', 'bob', 1)
  await ctx.admin.removeUser(701, ['alice'])
  await alice.waitFor('onExitRoom', 1)
  expect(alice.events.slice(-2)).toEqual([
    ['onLocalDevicesChanged', false, false],
    ['onExitRoom', 1],
  ])
  await bob.waitFor('onRemoteUserLeaveRoom', 'alice', 2)
  expect(bob.roomEvents.slice(-2)).toEqual([
    ['onUserAudioAvailable', 'alice', 0],
    ['onRemoteUserLeaveRoom', 'alice', 2],
  ])
  await ctx.admin.dismissRoom(701)
  await bob.waitFor('onExitRoom', 2)
  expect(bob.events.slice(-2)).toEqual([
    ['onLocalDevicesChanged', false, false],
    ['onExitRoom', 2],
  ])
})

test('LIVE: audience members are unseen; switchRole shows an anchor with its streams, and back to audience is a leave with reason 3', async () => {
  const [host, viewer] = ['host', 'viewer'].map((u) => new Member(ctx.server, u))
  host.cloud.startLocalAudio()
  await host.cloud.enterRoom(host.params(702), LIVE)
  viewer.cloud.startLocalPreview()
  await viewer.cloud.enterRoom(viewer.params(702, { role: AUDIENCE }), LIVE)
  await viewer.waitFor('onUserAudioAvailable', 'host', 1)
  expect(viewer.roomEvents).toEqual([
    ['onLocalDevicesChanged', true, false],
    ['onEnterRoom', expect.any(Number)],
    ['onRemoteUserEnterRoom', 'host'],
    ['onUserAudioAvailable', 'host', 1],
  ])
  await expect(ctx.admin.describeRoom(702)).resolves.toMatchObject({
    memberCount: 2,
    anchorCount: 1,
    audienceCount: 1,
    participants: [
      { userId: 'host', role: 20, audio: true, video: false },
      { userId: 'viewer', role: 21, audio: false, video: false },
    ],
  })

  await expect(viewer.cloud.switchRole(TRTCRoleType.TRTCRoleAnchor)).resolves.toBeUndefined()
  await host.waitFor('onUserVideoAvailable', 'viewer', 1)
  await expect(viewer.cloud.switchRole(AUDIENCE)).resolves.toBeUndefined()
  await host.waitFor('onRemoteUserLeaveRoom', 'viewer', 3)
  expect(
    only(host, 'onRemoteUserEnterRoom', 'onRemoteUserLeaveRoom', 'onUserVideoAvailable'),
  ).toEqual([
    ['onRemoteUserEnterRoom', 'viewer'],
    ['onUserVideoAvailable', 'viewer', 1],
    ['onUserVideoAvailable', 'viewer', 0],
    ['onRemoteUserLeaveRoom', 'viewer', 3],
  ])
  expect(only(viewer, 'onSwitchRole')).toEqual([
    ['onSwitchRole', 0, ''],
    ['onSwitchRole', 0, ''],
  ])
  await Promise.all([host, viewer].map((m) => m.cloud.exitRoom()))
})

test('switchRole refusals: a bad role, outside a room, a scene without roles', async () => {
  const alice = new Member(ctx.server, 'alice')
  const refusal = (promise) =>
    promise.then(
      () => null,
      (error) => error.code,
    )
  await expect(refusal(alice.cloud.switchRole(AUDIENCE))).resolves.toBe(-7009)
  await alice.enter(703)
  await expect(refusal(alice.cloud.switchRole(22))).resolves.toBe(-7008)
  await expect(refusal(alice.cloud.switchRole('anchor'))).resolves.toBe(-7008)
  await expect(refusal(alice.cloud.switchRole(AUDIENCE))).resolves.toBe(-7007)
  expect(only(alice, 'onSwitchRole').map(([, code]) => code)).toEqual([-7009, -7008, -7008, -7007])
  expect(only(alice, 'onSwitchRole')[3][2]).toMatch(/LIVE \(1\) and VoiceChatRoom \(3\)/)
  await alice.cloud.exitRoom()
})

test('bad media arguments throw a coded error and change nothing', async () => {
  const alice = new Member(ctx.server, 'alice')
  const code = (call) => {
    try {
      call()
      return null
    } catch (error) {
      return error.code
    }
  }
  expect(code(() => alice.cloud.startLocalAudio(7))).toBe('ERR_INVALID_ARG_VALUE')
  expect(code(() => alice.cloud.muteLocalAudio('yes'))).toBe('ERR_INVALID_ARG_VALUE')
  expect(
    code(() => alice.cloud.muteLocalVideo(TRTCVideoStreamType.TRTCVideoStreamTypeSub, true)),
  ).toBe('ERR_INVALID_ARG_VALUE')
  expect(code(() => alice.cloud.muteLocalVideo(0, 'no'))).toBe('ERR_INVALID_ARG_VALUE')
  expect(
    code(() => alice.cloud.muteLocalVideo(true, TRTCVideoStreamType.TRTCVideoStreamTypeSub)),
  ).toBe('ERR_INVALID_ARG_VALUE')
  // The stream type may be left out: the big one.
  expect(code(() => alice.cloud.muteLocalVideo(true))).toBe(null)
  await ticked()
  expect(alice.events).toEqual([])
  // Changes within one tick are reported once, as the state they leave.
  alice.cloud.startLocalPreview()
  alice.cloud.stopLocalPreview()
  await ticked()
  expect(alice.events).toEqual([])
  alice.cloud.startLocalPreview()
  await ticked()
  alice.cloud.destroy()
  expect(code(() => alice.cloud.startLocalPreview())).toBe('ERR_DESTROYED')
  await expect(alice.cloud.switchRole(20)).rejects.toMatchObject({ code: 'ERR_DESTROYED' })
  await ticked()
  // destroy() releases what was open.
  expect(alice.events).toEqual([
    ['onLocalDevicesChanged', true, false],
    ['onLocalDevicesChanged', false, false],
  ])
})

test('a switchRole after exitRoom() is refused at once, never left unanswered', async () => {
  const host = new Member(ctx.server, 'host')
  await host.cloud.enterRoom(host.params(704), LIVE)
  const exiting = host.cloud.exitRoom()
  await expect(host.cloud.switchRole(AUDIENCE)).rejects.toMatchObject({ code: -7009 })
  await exiting
  expect(only(host, 'onSwitchRole')).toEqual([['onSwitchRole', -7009, expect.any(String)]])
})

test('audience members cannot send custom messages (7106) until they become anchors', async () => {
  const [host, viewer] = ['host', 'viewer'].map((u) => new Member(ctx.server, u))
  await host.cloud.enterRoom(host.params(705), LIVE)
  await viewer.cloud.enterRoom(viewer.params(705, { role: AUDIENCE }), LIVE)
  expect(viewer.cloud.sendCustomCmdMsg(1, 'hi', true, true)).toBe(false)
  await viewer.waitFor('onWarning', 7106)
  await viewer.cloud.switchRole(TRTCRoleType.TRTCRoleAnchor)
  expect(viewer.cloud.sendCustomCmdMsg(1, 'hi', true, true)).toBe(true)
  await host.waitFor('onRecvCustomCmdMsg', 'viewer', 1, 1)
  // The host saw the viewer arrive before its message, never a message from nobody.
  expect(host.roomEvents.slice(1).map(([name]) => name)).toEqual([
    'onRemoteUserEnterRoom',
    'onRecvCustomCmdMsg',
  ])
  await Promise.all([host, viewer].map((m) => m.cloud.exitRoom()))
})

test('a device call crossing a forced exit leaves the app told what the engine holds', async () => {
  const [alice, bob] = ['alice', 'bob'].map((u) => new Member(ctx.server, u))
  alice.cloud.startLocalPreview()
  await alice.enter(706)
  await bob.enter(706)
  await bob.waitFor('onUserVideoAvailable', 'alice', 1)
  // Another login of alice replaces this one. Hold the JS thread until the engine has
  // released the devices, so the release event is queued behind the call that follows.
  const newer = new Member(ctx.server, 'alice')
  await newer.enter(707) // warm up its connection first
  newer.cloud.switchRoom({ roomId: 706 })
  const deadline = Date.now() + 5000
  while (alice.cloud._engine.localDevices().camera && Date.now() < deadline);
  alice.cloud.startLocalAudio()
  await alice.waitFor('onExitRoom', 3)
  await ticked()
  const last = only(alice, 'onLocalDevicesChanged').at(-1)
  expect(last).toEqual(['onLocalDevicesChanged', false, true])
  // The engine holds the microphone as reported: entering again publishes audio.
  await newer.cloud.exitRoom()
  await alice.enter(706)
  await bob.waitFor('onUserAudioAvailable', 'alice', 1)
  await Promise.all([alice, bob].map((m) => m.cloud.exitRoom()))
})
