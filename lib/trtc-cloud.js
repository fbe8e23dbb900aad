'use strict'
// TRTCCloud: trtc-electron-sdk's room API over the Rust engine. This file owns the JS-facing
// behaviour (EventEmitter, promises, the share instance); the engine decides everything else.

const { EventEmitter } = require('node:events')
const binding = require('./native-binding.js')
const { codedError, fromNative, handled } = require('./errors.js')
const { startSession } = require('./event-pump.js')
const {
  TRTCAudioQuality,
  TRTCVideoStreamType,
  TXLiteAVError,
  TXLiteAVWarning,
} = require('./constants.js')
const { checkBoolean } = require('./arg-checks.js')
const { installCompatMethods } = require('./trtc-compat.js')

/** The fields of TRTCParams the engine reads. */
const PARAM_FIELDS = [
  'sdkAppId',
  'userId',
  'userSig',
  'roomId',
  'strRoomId',
  'role',
  'privateMapKey',
  'businessInfo',
  'createIfMissing',
]

/**
 * A value the engine can read: JSON values (objects too) pass as they are; anything else (NaN,
 * Infinity, a BigInt, a Symbol, a function) is passed as its string, so the engine refuses it
 * with the field's TRTC error code and names it in the message.
 */
function jsonValue(value) {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'object') {
    try {
      return JSON.parse(JSON.stringify(value))
    } catch {
      // A cycle or a BigInt inside: its string still names it.
    }
  }
  return String(value)
}

/** A plain copy of the known fields of a TRTCParams or plain object; null when there is none. */
function plainParams(params) {
  if (params === null || typeof params !== 'object') return null
  const plain = {}
  for (const field of PARAM_FIELDS) {
    if (params[field] !== undefined) plain[field] = jsonValue(params[field])
  }
  return plain
}

/**
 * Member data as the engine takes it: the JSON text of `value` (a string or any
 * JSON-serialisable value), or null for none. Throws ERR_USER_DATA_INVALID (-7011) for a value
 * JSON cannot carry; the engine checks the size.
 */
function userDataText(value) {
  if (value === undefined || value === null) return null
  let text
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw codedError(
      TXLiteAVError.ERR_USER_DATA_INVALID,
      `userData must be JSON-serialisable: ${error.message}`,
    )
  }
  if (text === undefined) {
    throw codedError(
      TXLiteAVError.ERR_USER_DATA_INVALID,
      `userData must be JSON-serialisable, got a ${typeof value}`,
    )
  }
  return text
}

/** A remote member as getRemoteUsers() returns it: a fresh copy each time. */
function remoteUser(member) {
  return {
    userId: member.userId,
    userData: member.userData === null ? null : JSON.parse(member.userData),
    hasAudio: member.hasAudio,
    hasVideo: member.hasVideo,
    hasSubStream: false,
  }
}

function deferred() {
  let resolve
  let reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const isPositiveInteger = (v) => Number.isInteger(v) && v > 0 && v <= 0xffffffff

/** The fields of config.reconnect, with a check for each. */
const RECONNECT_CHECKS = {
  allowReconnect: [(v) => typeof v === 'boolean', 'a boolean'],
  numberOfAttempts: [
    (v) => Number.isInteger(v) && v >= 0 && v <= 1000,
    'an integer from 0 to 1000',
  ],
  intervalMs: [isPositiveInteger, 'a positive integer'],
  maxIntervalMs: [isPositiveInteger, 'a positive integer'],
}

/** config.reconnect: an object of known fields, each valid; throws a message that says which. */
function checkReconnect(reconnect) {
  if (reconnect === null || typeof reconnect !== 'object') {
    return 'an object such as { allowReconnect: true, numberOfAttempts: 8, intervalMs: 500 }'
  }
  for (const [key, value] of Object.entries(reconnect)) {
    const check = RECONNECT_CHECKS[key]
    if (check === undefined) {
      return `an object of ${Object.keys(RECONNECT_CHECKS).join(', ')}; ${key} is not one`
    }
    if (value !== undefined && !check[0](value)) {
      return `an object whose ${key} is ${check[1]} (got ${String(value)})`
    }
  }
  return null
}

/** The options of new TRTCCloud(config), with a check for each. */
const CONFIG_CHECKS = {
  serverUrl: [(v) => typeof v === 'string', 'a string such as ws://127.0.0.1:7788'],
  enterTimeoutMs: [isPositiveInteger, 'a positive integer'],
  exitTimeoutMs: [isPositiveInteger, 'a positive integer'],
  reconnect: [(v) => checkReconnect(v) === null, (v) => checkReconnect(v)],
  customMessageAs: [(v) => v === 'string' || v === 'buffer', "'string' or 'buffer'"],
  tls: [
    (v) =>
      v !== null &&
      typeof v === 'object' &&
      Object.keys(v).every((key) => key === 'ca') &&
      (v.ca === undefined || typeof v.ca === 'string' || v.ca instanceof Uint8Array),
    '{ ca } with ca the PEM text of the certificates to trust (a string or a Buffer)',
  ],
}

/**
 * Check the constructor's config: a wrong value throws ERR_INVALID_ARG_VALUE; an unknown key
 * (a typo such as serverURL, or a trtc-electron-sdk option OpenRoom does not have) is ignored
 * with a process warning, so an app never silently talks to the default server by mistake.
 */
function checkConfig(config) {
  if (config === undefined || config === null) return {}
  if (typeof config !== 'object') {
    throw codedError(
      'ERR_INVALID_ARG_VALUE',
      `config must be an object such as { serverUrl }, got ${String(config)}`,
    )
  }
  for (const [key, value] of Object.entries(config)) {
    const check = CONFIG_CHECKS[key]
    if (check === undefined) {
      process.emitWarning(
        `new TRTCCloud(): unknown option ${key} ignored; known: ${Object.keys(CONFIG_CHECKS).join(', ')}`,
        {
          code: 'OPENROOM_UNKNOWN_OPTION',
        },
      )
    } else if (value !== undefined && !check[0](value)) {
      const expected = typeof check[1] === 'function' ? check[1](value) : check[1]
      const got = typeof value === 'object' ? JSON.stringify(value) : String(value)
      throw codedError('ERR_INVALID_ARG_VALUE', `${key} must be ${expected}, got ${got}`)
    }
  }
  return config
}

/**
 * The shared instance: the first TRTCCloud made (not a sub-cloud), as in trtc-electron-sdk,
 * or the one getTRTCShareInstance() makes when there is none.
 */
let shareInstance = null
/** Set while createSubCloud() makes a sub-cloud, which never becomes the shared instance. */
let makingSubCloud = false

class TRTCCloud extends EventEmitter {
  /**
   * @param {object} [config]
   * @param {string} [config.serverUrl] the room server, e.g. 'ws://127.0.0.1:7788'
   *   (default: $OPENROOM_SERVER_URL, else ws://127.0.0.1:7788)
   * @param {number} [config.enterTimeoutMs] onEnterRoom(-3308) after this long (default 10000)
   * @param {number} [config.exitTimeoutMs] wait this long for the server's exit ack (default 3000)
   * @param {object} [config.reconnect] what to do when the connection breaks: allowReconnect
   *   (default true), numberOfAttempts (default 8), intervalMs (first wait, default 500; doubled
   *   each attempt up to maxIntervalMs, default 8000)
   * @param {'string'|'buffer'} [config.customMessageAs] what onRecvCustomCmdMsg delivers: a
   *   string (the data read as UTF-8, as trtc-electron-sdk does; the default) or a Buffer (for
   *   binary data)
   * @param {{ ca?: string | Buffer }} [config.tls] for a wss:// server: PEM certificates to
   *   trust besides the system's and NODE_EXTRA_CA_CERTS (a private CA)
   */
  constructor(config = {}) {
    super()
    const options = checkConfig(config)
    const reconnect = options.reconnect ?? {}
    this._engine = new binding.RoomEngine({
      serverUrl: options.serverUrl ?? process.env.OPENROOM_SERVER_URL ?? undefined,
      enterTimeoutMs: options.enterTimeoutMs,
      exitTimeoutMs: options.exitTimeoutMs,
      reconnectAttempts: reconnect.allowReconnect === false ? 0 : reconnect.numberOfAttempts,
      reconnectIntervalMs: reconnect.intervalMs,
      reconnectMaxIntervalMs: reconnect.maxIntervalMs,
      // Checked by the engine: a PEM with no usable certificate throws ERR_INVALID_ARG_VALUE.
      tlsCa: options.tls?.ca === undefined ? undefined : Buffer.from(options.tls.ca),
    })
    /** The current session's promises; null when idle. */
    this._session = null
    /** The options it was made with, for its sub-clouds. */
    this._config = options
    /** Sub-clouds made by createSubCloud(), destroyed with this instance. */
    this._subClouds = new Set()
    /** The instance whose createSubCloud() made this one; null for a main instance. */
    this._mainCloud = null
    this._destroyed = false
    /** The devices last reported with onLocalDevicesChanged. */
    this._reportedDevices = { camera: false, microphone: false }
    /** 'string' (trtc-electron-sdk's) or 'buffer': what onRecvCustomCmdMsg delivers. */
    this._customMessageAs = options.customMessageAs ?? 'string'
    /** The remote members seen, by userId, as the events delivered so far tell. */
    this._remoteUsers = new Map()
    if (shareInstance === null && !makingSubCloud) shareInstance = this
  }

  /**
   * The process-wide shared instance: the first TRTCCloud made, as in trtc-electron-sdk, or
   * one made now (with `config`) when there is none.
   */
  static getTRTCShareInstance(config) {
    if (shareInstance === null) shareInstance = new TRTCCloud(config)
    return shareInstance
  }

  /** Destroy the shared instance; the next getTRTCShareInstance() creates a new one. */
  static destroyTRTCShareInstance() {
    if (shareInstance !== null) {
      shareInstance.destroy()
      shareInstance = null
    }
  }

  /**
   * Enter a room. Emits onEnterRoom(elapsedMs > 0) on success, or onEnterRoom(code < 0) then
   * onError(code, message) on failure; never synchronously. Resolves to the elapsed ms, or
   * rejects with an Error whose `.code` is the TRTC error code.
   */
  enterRoom(params, scene) {
    const session = { entered: deferred(), closed: deferred(), switches: [], roleSwitches: [] }
    handled(session.entered.promise)
    const plain = plainParams(params)
    if (plain !== null && params.userData !== undefined) {
      try {
        plain.userData = userDataText(params.userData)
      } catch (error) {
        // In a room already, or destroyed: the call is refused as any such enterRoom is,
        // with onError alone; the room the instance is in is untouched.
        if (this._session !== null || this._destroyed) return this._refuse('onError', error)
        return this._refuseEnter(error)
      }
    }
    try {
      startSession(
        (pump, id) => this._engine.enterRoom(plain, jsonValue(scene), pump, id),
        (name, args) => this._dispatch(session, name, args),
      )
    } catch (nativeError) {
      // Refused before starting (already in a room, destroyed): the current room is untouched.
      return this._refuse('onError', nativeError)
    }
    this._session = session
    this._remoteUsers.clear()
    return session.entered.promise
  }

  /**
   * OpenRoom's: replace this member's data (`userData` given at enter: a string or any
   * JSON-serialisable value, at most 4096 bytes as JSON; null clears it). The others get
   * onRemoteUserDataUpdated(userId, userData). Resolves once it is on its way; rejects with
   * -7011 (ERR_USER_DATA_INVALID) for data that is not JSON or too large, -7009 outside a
   * room. A room whose member data is full (512 bytes for each member it may hold, 64 KiB to
   * 1 MiB) refuses it later with onError(-7011), and the old data stays.
   */
  setUserData(userData) {
    try {
      this._engine.setUserData(userDataText(userData))
    } catch (error) {
      return handled(Promise.reject(typeof error.code === 'number' ? error : fromNative(error)))
    }
    return Promise.resolve()
  }

  /**
   * OpenRoom's (Qiniu's getRemoteUsers): the other members this instance sees now, in the
   * order they entered, each `{ userId, userData, hasAudio, hasVideo, hasSubStream }`. Up to
   * date with the events delivered so far: inside an onRemoteUserEnterRoom listener the new
   * member is listed. Empty outside a room.
   */
  getRemoteUsers() {
    return [...this._remoteUsers.values()].map(remoteUser)
  }

  /**
   * Leave the room. Local audio and video stop first: onLocalDevicesChanged(false, false) if
   * any device was open, and the others see onUserAudioAvailable / onUserVideoAvailable(userId,
   * 0) before onRemoteUserLeaveRoom(userId, 0); then this instance gets onExitRoom(0).
   * Resolves after onExitRoom; resolves at once when not in a room (a preview started before
   * entering stays on). Calling it again while exiting returns the same wait.
   */
  exitRoom() {
    const session = this._session
    if (session === null) return Promise.resolve()
    this._devicesChanged(this._engine.exitRoom().released)
    return session.closed.promise
  }

  /**
   * Start publishing audio: the app should open the microphone (onLocalDevicesChanged), and
   * in a room the others get onUserAudioAvailable(userId, 1). `quality` is a TRTCAudioQuality
   * (default TRTCAudioQualityDefault). Before entering, it is published from the moment the
   * instance enters. An audience member's audio is not published until it becomes an anchor.
   */
  startLocalAudio(quality = TRTCAudioQuality.TRTCAudioQualityDefault) {
    if (!Object.values(TRTCAudioQuality).includes(quality)) {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `quality must be a TRTCAudioQuality (1 speech, 2 default, 3 music), got ${String(quality)}`,
      )
    }
    this._media('startLocalAudio')
  }

  /** Stop publishing audio and release the microphone; the others get onUserAudioAvailable(userId, 0). */
  stopLocalAudio() {
    this._media('stopLocalAudio')
  }

  /**
   * Mute (true) or unmute the published audio. The microphone stays open (as in TRTC); the
   * others get onUserAudioAvailable(userId, 0 / 1).
   */
  muteLocalAudio(mute) {
    this._media('muteLocalAudio', checkBoolean('mute', mute))
  }

  /**
   * Start the camera and publish video: the app should open the camera
   * (onLocalDevicesChanged) and render it itself; the others get onUserVideoAvailable(userId,
   * 1). `view` is accepted for trtc-electron-sdk's signature and not used: OpenRoom carries
   * no media.
   */
  startLocalPreview(view) {
    this._media('startLocalPreview')
  }

  /** Stop the camera; the others get onUserVideoAvailable(userId, 0). */
  stopLocalPreview() {
    this._media('stopLocalPreview')
  }

  /**
   * Mute (true) or unmute the published video; the camera stays open. trtc-electron-sdk 13's
   * muteLocalVideo(mute, streamType?), or the native order muteLocalVideo(streamType, mute)
   * that older releases took. Only the big (camera) stream exists: TRTCVideoStreamTypeSub
   * (screen sharing) throws.
   */
  muteLocalVideo(muteOrStreamType, streamTypeOrMute) {
    const [mute, streamType = TRTCVideoStreamType.TRTCVideoStreamTypeBig] =
      typeof muteOrStreamType === 'boolean'
        ? [muteOrStreamType, streamTypeOrMute]
        : [streamTypeOrMute, muteOrStreamType]
    if (streamType !== TRTCVideoStreamType.TRTCVideoStreamTypeBig) {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `streamType must be TRTCVideoStreamTypeBig (0): OpenRoom has no sub (screen sharing) or small stream; got ${String(streamType)}`,
      )
    }
    this._media('muteLocalVideo', checkBoolean('mute', mute))
  }

  /**
   * Become an anchor (TRTCRoleAnchor, 20) or an audience member (TRTCRoleAudience, 21), in the
   * LIVE and VoiceChatRoom scenes. Emits onSwitchRole(0, '') on success: the others saw an
   * audience member who becomes an anchor enter (onRemoteUserEnterRoom, then what it
   * publishes), and an anchor who becomes audience stop its streams and leave (reason 3).
   * On failure onSwitchRole(code, message): -7007 in a scene without roles, -7008 for a bad
   * role, -7009 outside a room. Resolves on success; rejects with an Error carrying the code.
   */
  switchRole(role) {
    const session = this._session
    try {
      if (!Number.isSafeInteger(role)) {
        throw codedError(
          'ERR_ROLE_INVALID',
          `role must be TRTCRoleAnchor (20) or TRTCRoleAudience (21), got ${String(role)}`,
        )
      }
      this._engine.switchRole(role)
    } catch (nativeError) {
      return this._refuse('onSwitchRole', nativeError)
    }
    const switched = deferred()
    handled(switched.promise)
    // Answered in call order.
    session.roleSwitches.push(switched)
    return switched.promise
  }

  /**
   * Move to another room (TRTCSwitchRoomParam: roomId or strRoomId, and userSig — empty means
   * the one given to enterRoom). Emits onSwitchRoom(0, '') then onRemoteUserLeaveRoom for the
   * old room's members and onRemoteUserEnterRoom for the new room's; on failure
   * onSwitchRoom(code, message) and the instance is still in its old room. Resolves on
   * success; rejects with an Error carrying `.code`.
   */
  switchRoom(config) {
    const session = this._session
    try {
      this._engine.switchRoom(plainParams(config))
    } catch (nativeError) {
      return this._refuse('onSwitchRoom', nativeError)
    }
    const switched = deferred()
    handled(switched.promise)
    // The session handles switches one after another, so their outcomes arrive in call order.
    session.switches.push(switched)
    return switched.promise
  }

  /**
   * Send a custom message to the room's other members (TRTC's signature). `data` is a string
   * (sent as UTF-8), a Buffer or a Uint8Array; the receivers get a Buffer in
   * onRecvCustomCmdMsg(userId, cmdId, seq, message). Returns true when the message is on its
   * way; false, with onWarning(code, message), when it was refused: not in a room (7101), a
   * cmdId outside 1–10 or bad data (7102), over 1 KB (7103), over 30 messages (7104) or 8 KB
   * (7105) in the last second, an audience member (7106).
   */
  sendCustomCmdMsg(cmdId, data, reliable = true, ordered = true) {
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data, 'utf8')
        : data instanceof Uint8Array
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : null
    let warning
    if (!Number.isSafeInteger(cmdId)) {
      warning = {
        code: TXLiteAVWarning.WARNING_CUSTOM_CMD_INVALID,
        message: `cmdId must be an integer from 1 to 10, got ${String(cmdId)}`,
      }
    } else if (bytes === null) {
      warning = {
        code: TXLiteAVWarning.WARNING_CUSTOM_CMD_INVALID,
        message: `data must be a string, Buffer or Uint8Array, got ${data === null ? 'null' : typeof data}`,
      }
    } else {
      warning = this._engine.sendCustomCmdMsg(cmdId, bytes, reliable !== false, ordered !== false)
    }
    if (warning) {
      process.nextTick(() => this.emit('onWarning', warning.code, warning.message))
      return false
    }
    return true
  }

  /**
   * The connection to the room server now: 'DISCONNECTED', 'CONNECTING', 'CONNECTED' or
   * 'RECONNECTING' (TRTCConnectionState), as the last onConnectionStateChanged reported it.
   */
  getConnectionState() {
    return this._engine.connectionState()
  }

  /**
   * Another TRTCCloud, with this one's options, that enters a room of its own (TRTC's
   * sub-cloud: the same user in several rooms at once). It has its own events and shares this
   * instance's connection to the server. Destroying this instance destroys its sub-clouds, each ending with its own
   * onExitRoom(0). A sub-cloud's createSubCloud() makes a sibling owned by the same main instance.
   */
  createSubCloud() {
    if (this._mainCloud !== null) return this._mainCloud.createSubCloud()
    if (this._destroyed) {
      throw codedError('ERR_DESTROYED', 'this instance was destroyed; create a new TRTCCloud')
    }
    makingSubCloud = true
    let sub
    try {
      sub = new TRTCCloud(this._config)
    } finally {
      makingSubCloud = false
    }
    // Its own room, over this instance's connection.
    sub._engine = this._engine.createSubEngine()
    sub._mainCloud = this
    this._subClouds.add(sub)
    return sub
  }

  /** Destroy a sub-cloud made by this instance's createSubCloud() (as subCloud.destroy() does). */
  destroySubCloud(subCloud) {
    if (!this._subClouds.has(subCloud)) {
      throw codedError('ERR_INVALID_ARG_VALUE', 'not a sub-cloud of this instance')
    }
    subCloud.destroy()
  }

  /**
   * Exit the room (if any), destroy the sub-clouds, and release the engine; later enterRoom
   * calls fail with ERR_DESTROYED.
   */
  destroy() {
    this._destroyed = true
    // A destroyed instance is of no use to share: the next getTRTCShareInstance() makes one.
    if (shareInstance === this) shareInstance = null
    for (const sub of this._subClouds) sub.destroy()
    this._mainCloud?._subClouds.delete(this)
    this._devicesChanged(this._engine.destroy().released)
  }

  /** A local media call on the engine; the device change it made is emitted after the call. */
  _media(call, ...args) {
    try {
      this._devicesChanged(this._engine[call](...args))
    } catch (nativeError) {
      throw fromNative(nativeError)
    }
  }

  /** A call changed the devices: report it later, not inside the call. */
  _devicesChanged(devices) {
    if (devices) process.nextTick(() => this._reportDevices())
  }

  /**
   * onLocalDevicesChanged(camera, microphone) with the engine's devices now, when they differ
   * from the last report. Reporting the state now rather than the change that was queued keeps
   * the app right when its own call and the end of a room cross: a release the session queued
   * before a later startLocalAudio() cannot arrive last and close what the engine holds open.
   */
  _reportDevices() {
    const { camera, microphone } = this._engine.localDevices()
    const last = this._reportedDevices
    if (camera === last.camera && microphone === last.microphone) return
    this._reportedDevices = { camera, microphone }
    this.emit('onLocalDevicesChanged', camera, microphone)
  }

  /**
   * A call the engine refused before starting (busy, not in a room, destroyed): reported like
   * every outcome, later and not inside the call, with `event(code, message)` emitted before
   * the rejection. Events carry TRTC's numeric codes only; ERR_DESTROYED (a programming error,
   * not a room error) is reported through the rejection alone.
   */
  _refuse(event, nativeError) {
    const error = fromNative(nativeError)
    return handled(
      new Promise((resolve, reject) => {
        process.nextTick(() => {
          if (typeof error.code === 'number') this.emit(event, error.code, error.message)
          reject(error)
        })
      }),
    )
  }

  /** enterRoom refused in JS (its userData): reported as a refused enter is. */
  _refuseEnter(error) {
    return handled(
      new Promise((resolve, reject) => {
        process.nextTick(() => {
          this.emit('onEnterRoom', error.code)
          this.emit('onError', error.code, error.message)
          reject(error)
        })
      }),
    )
  }

  _dispatch(session, name, args) {
    switch (name) {
      // The member view is brought up to date before the app hears of the change.
      case 'onRemoteUserEnterRoom': {
        const [userId, userData] = args
        this._remoteUsers.set(userId, { userId, userData, hasAudio: false, hasVideo: false })
        this.emit('onRemoteUserEnterRoom', userId)
        break
      }
      case 'onRemoteUserDataUpdated': {
        const [userId, userData] = args
        const member = this._remoteUsers.get(userId)
        if (member) member.userData = userData
        this.emit(
          'onRemoteUserDataUpdated',
          userId,
          userData === null ? null : JSON.parse(userData),
        )
        break
      }
      case 'onRemoteUserLeaveRoom':
        this._remoteUsers.delete(args[0])
        this.emit(name, ...args)
        break
      case 'onUserAudioAvailable':
      case 'onUserVideoAvailable': {
        const [userId, available] = args
        const member = this._remoteUsers.get(userId)
        if (member) member[name === 'onUserAudioAvailable' ? 'hasAudio' : 'hasVideo'] = !!available
        this.emit(name, ...args)
        break
      }
      case 'onExitRoom':
        this._remoteUsers.clear()
        this.emit(name, ...args)
        break
      case 'onEnterRoom': {
        const [result, message] = args
        // Settle before emitting, so a listener that throws cannot leave the promise pending
        // (awaiting code still runs after the listeners: promise callbacks are microtasks). A
        // failure is settled once onError has been emitted too, so a catch block that cleans
        // up listeners does not miss it.
        if (result > 0) session.entered.resolve(result)
        else session.failure = codedError(result, message)
        this.emit('onEnterRoom', result)
        break
      }
      case 'onError':
        if (session.failure) {
          session.entered.reject(session.failure)
          session.failure = null
        }
        this.emit('onError', ...args)
        break
      case 'onSwitchRoom': {
        const [code, message] = args
        const switching = session.switches.shift()
        // Settle first, as for onEnterRoom: a throwing listener cannot strand the promise.
        if (switching) {
          if (code === 0) switching.resolve()
          else switching.reject(codedError(code, message))
        }
        this.emit('onSwitchRoom', code, message)
        break
      }
      case 'onSwitchRole': {
        const [code, message] = args
        const switching = session.roleSwitches.shift()
        if (switching) {
          if (code === 0) switching.resolve()
          else switching.reject(codedError(code, message))
        }
        this.emit('onSwitchRole', code, message)
        break
      }
      case 'onRecvCustomCmdMsg': {
        const [userId, cmdId, seq, data] = args
        const bytes = Buffer.from(data, 'base64')
        const message = this._customMessageAs === 'buffer' ? bytes : bytes.toString('utf8')
        this.emit('onRecvCustomCmdMsg', userId, cmdId, seq, message)
        break
      }
      case 'onLocalDevicesChanged':
        this._reportDevices()
        break
      case 'sessionClosed':
        // A switch still pending when the session ends (it was lost or ended meanwhile).
        for (const switching of session.switches.splice(0)) {
          switching.reject(
            codedError(
              TXLiteAVError.ERR_ROOM_ENTER_FAIL,
              'the room session ended during switchRoom',
            ),
          )
        }
        // The session answers every switchRole before it closes; this is a safety net.
        for (const switching of session.roleSwitches.splice(0)) {
          switching.reject(
            codedError(TXLiteAVError.ERR_NOT_IN_ROOM, 'the room session ended during switchRole'),
          )
        }
        // A failure without onError (cancelled by exitRoom) is settled here.
        if (session.failure) session.entered.reject(session.failure)
        if (this._session === session) this._session = null
        session.closed.resolve()
        break
      default:
        this.emit(name, ...args)
    }
  }
}

// The rest of trtc-electron-sdk's TRTCCloud: log and media settings, and the media methods
// that throw ERR_NOT_SUPPORTED (lib/trtc-compat.js).
installCompatMethods(TRTCCloud.prototype)

module.exports = { TRTCCloud }
