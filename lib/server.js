'use strict'
// startServer(): the room server, embedded in this process.

const binding = require('../binding.js')
const { codedError } = require('./errors.js')

/** Longest timer Node allows; the keep-alive timer only needs to exist, never to fire. */
const KEEP_ALIVE_MS = 2 ** 31 - 1

class RoomServer {
  constructor(native) {
    this._native = native
    /** ws://host:port — pass it to new TRTCCloud({ serverUrl }) and new RoomServiceClient(). */
    this.url = native.url
    this.port = native.port
    this.sdkAppId = native.sdkAppId
    /** The secret UserSigs are signed with (the public dev secret in dev mode). */
    this.secretKey = native.secretKey
    /** True when no secretKey was given: anyone can sign UserSigs with the dev credentials. */
    this.devMode = native.devMode
    /** How long a client may be silent before its session is dropped. */
    this.sessionTimeoutMs = native.sessionTimeoutMs
    // Like a listening net.Server, a running room server keeps the process alive until
    // close() (or unref()).
    this._keepAlive = setInterval(() => {}, KEEP_ALIVE_MS)
    this._closing = null
  }

  /** Let the process exit even though the server is running (as net.Server#unref). */
  unref() {
    this._keepAlive.unref()
    return this
  }

  ref() {
    this._keepAlive.ref()
    return this
  }

  /**
   * Stop: every connected client's connection closes (they get onConnectionLost), and the
   * promise resolves when every session and room is gone. Safe to call twice.
   */
  close() {
    if (this._closing === null) {
      clearInterval(this._keepAlive)
      this._closing = this._native.close()
    }
    return this._closing
  }
}

/**
 * Start a room server in this process.
 * @param {object} [options]
 * @param {string} [options.host] IP address to listen on (default 127.0.0.1)
 * @param {number} [options.port] port (default 7788; 0 picks a free port)
 * @param {number} [options.sdkAppId] the app's sdkAppId (default: the dev one)
 * @param {string} [options.secretKey] UserSig secret; without it the server runs in dev mode
 * @param {number} [options.sessionTimeoutMs] drop a client silent this long (default 30000)
 * @param {number} [options.maxMembersPerRoom] members one room may hold (default 300)
 * @param {number} [options.maxRooms] rooms the server may hold open (default 10000)
 * @param {number} [options.emptyRoomTimeoutMs] how long a room stays open empty (default 10000)
 * @param {boolean} [options.autoCreateRooms] whether entering opens a missing room (default true;
 *   false: rooms exist only through REST CreateRoom, other enters fail with -7005)
 * @param {number} [options.customMsgsPerSecond] custom messages one member may send per second
 *   (default 30, TRTC's limit)
 * @param {number} [options.customBytesPerSecond] bytes of custom messages one member may send
 *   per second (default 8192, TRTC's limit)
 * @returns {Promise<RoomServer>}
 */
async function startServer(options = {}) {
  const {
    host,
    port,
    sdkAppId,
    secretKey,
    sessionTimeoutMs,
    maxMembersPerRoom,
    maxRooms,
    emptyRoomTimeoutMs,
    autoCreateRooms,
    customMsgsPerSecond,
    customBytesPerSecond,
  } = options ?? {}
  const count = (n) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 0xffffffff)
  const checks = [
    [
      host === undefined || (typeof host === 'string' && host !== ''),
      'host must be an IP address or host name',
    ],
    [
      port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535),
      `port ${String(port)} is out of range 0-65535`,
    ],
    [
      sdkAppId === undefined ||
        (Number.isInteger(sdkAppId) && sdkAppId > 0 && sdkAppId <= 0xffffffff),
      `sdkAppId ${String(sdkAppId)} is not a positive integer`,
    ],
    [secretKey === undefined || typeof secretKey === 'string', 'secretKey must be a string'],
    [
      sessionTimeoutMs === undefined ||
        (Number.isInteger(sessionTimeoutMs) &&
          sessionTimeoutMs >= 1 &&
          sessionTimeoutMs <= 86_400_000),
      `sessionTimeoutMs ${String(sessionTimeoutMs)} is not an integer from 1 to 86400000`,
    ],
    [
      count(maxMembersPerRoom),
      `maxMembersPerRoom ${String(maxMembersPerRoom)} is not a positive integer`,
    ],
    [count(maxRooms), `maxRooms ${String(maxRooms)} is not a positive integer`],
    [
      count(customMsgsPerSecond),
      `customMsgsPerSecond ${String(customMsgsPerSecond)} is not a positive integer`,
    ],
    [
      count(customBytesPerSecond),
      `customBytesPerSecond ${String(customBytesPerSecond)} is not a positive integer`,
    ],
    [
      emptyRoomTimeoutMs === undefined ||
        (Number.isInteger(emptyRoomTimeoutMs) &&
          emptyRoomTimeoutMs >= 0 &&
          emptyRoomTimeoutMs <= 3 * 3600 * 1000),
      `emptyRoomTimeoutMs ${String(emptyRoomTimeoutMs)} is not an integer from 0 to 10800000 (3 hours)`,
    ],
    [
      autoCreateRooms === undefined || typeof autoCreateRooms === 'boolean',
      `autoCreateRooms must be a boolean, got ${String(autoCreateRooms)}`,
    ],
  ]
  for (const [ok, message] of checks) if (!ok) throw codedError('ERR_INVALID_ARG_VALUE', message)
  try {
    return new RoomServer(
      // Every option was checked above; the binding reads the ones it knows.
      await binding.startServer({ ...(options ?? {}) }),
    )
  } catch (error) {
    const code =
      /^E[A-Z]+(?=:)/.exec(error.message)?.[0] ??
      (error.code === 'InvalidArg' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_SERVER_START')
    throw codedError(code, error.message)
  }
}

module.exports = { startServer, RoomServer }
