'use strict'
// startServer(): the room server, embedded in this process.

const binding = require('./native-binding.js')
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

/** startServer()'s numeric options: checked here to be numbers, and by the server against
 * their ranges (the one place those live), which refuses a value with the range it must be in. */
const NUMBER_OPTIONS = [
  'port',
  'sdkAppId',
  'sessionTimeoutMs',
  'maxMembersPerRoom',
  'maxRooms',
  'emptyRoomTimeoutMs',
  'createdRoomTimeoutMs',
  'roomsPerUserPerSecond',
  'customMsgsPerSecond',
  'customBytesPerSecond',
  'enterWithinMs',
  'httpHeaderTimeoutMs',
  'httpBodyTimeoutMs',
  'requestsPerSecond',
  'writeTimeoutMs',
  'pingsPerSecond',
  'shutdownGraceMs',
]

/**
 * Start a room server in this process.
 * @param {object} [options]
 * @param {string} [options.host] IP address or host name to listen on (default 127.0.0.1)
 * @param {number} [options.port] port (default 7788; 0 picks a free port)
 * @param {number} [options.sdkAppId] the app's sdkAppId (default: the dev one)
 * @param {string} [options.secretKey] UserSig secret; without it the server runs in dev mode
 * @param {number} [options.sessionTimeoutMs] drop a client silent this long (default 30000)
 * @param {number} [options.maxMembersPerRoom] members one room may hold (default 300)
 * @param {number} [options.maxRooms] rooms the server may hold open (default 10000)
 * @param {number} [options.emptyRoomTimeoutMs] how long a room stays open empty (default 10000)
 * @param {number} [options.createdRoomTimeoutMs] how long a room made by REST CreateRoom waits
 *   for its first member (default 30000)
 * @param {boolean} [options.autoCreateRooms] whether entering opens a missing room (default true;
 *   false: rooms exist only through REST CreateRoom, other enters fail with -7005)
 * @param {boolean} [options.requirePrivateMapKey] refuse entering or switching without a valid
 *   privateMapKey for the room (default false; a key, when given, is checked either way)
 * @param {number} [options.roomsPerUserPerSecond] rooms one userId may open per second by
 *   entering them, in bursts of twice as many (default 10; more fail with -7010)
 * @param {number} [options.customMsgsPerSecond] custom messages one member may send per second
 *   (default 30, TRTC's limit)
 * @param {number} [options.customBytesPerSecond] bytes of custom messages one member may send
 *   per second (default 8192, TRTC's limit)
 * @param {number} [options.enterWithinMs] how soon a connection must enter a room after it
 *   opens or leaves one, or be closed (default 10000)
 * @param {number} [options.httpHeaderTimeoutMs] how long an HTTP client may take to send its
 *   headers; also how long an idle keep-alive connection stays open (default 10000)
 * @param {number} [options.httpBodyTimeoutMs] how long a REST client may take to send its body
 *   (default 10000; 408 after it)
 * @param {number} [options.requestsPerSecond] state changes one session may ask for per second,
 *   in bursts of twice as many (default 10; more fail with -7010)
 * @param {number} [options.writeTimeoutMs] how long a write to a peer may take before the peer
 *   counts as gone (default 10000)
 * @param {number} [options.pingsPerSecond] WebSocket pings one connection may send per second,
 *   in bursts of twice as many; a flood beyond it is closed (default 1000)
 * @param {number} [options.shutdownGraceMs] how long close() waits for sessions (default 5000)
 * @param {{ cert: string | Buffer, key: string | Buffer }} [options.tls] serve wss:// and
 *   https:// with this PEM certificate chain and private key (server.url then starts wss://)
 * @returns {Promise<RoomServer>}
 */
async function startServer(options = {}) {
  const { host, secretKey, autoCreateRooms, requirePrivateMapKey, tls } = options ?? {}
  const pem = (value) => typeof value === 'string' || value instanceof Uint8Array
  const checks = [
    [
      tls === undefined ||
        (tls !== null && typeof tls === 'object' && pem(tls.cert) && pem(tls.key)),
      'tls must be { cert, key }, each the PEM text (a string or a Buffer) of the certificate chain and its private key',
    ],
    [
      host === undefined || (typeof host === 'string' && host !== ''),
      'host must be an IP address or host name',
    ],
    [secretKey === undefined || typeof secretKey === 'string', 'secretKey must be a string'],
    [
      autoCreateRooms === undefined || typeof autoCreateRooms === 'boolean',
      `autoCreateRooms must be a boolean, got ${String(autoCreateRooms)}`,
    ],
    [
      requirePrivateMapKey === undefined || typeof requirePrivateMapKey === 'boolean',
      `requirePrivateMapKey must be a boolean, got ${String(requirePrivateMapKey)}`,
    ],
    ...NUMBER_OPTIONS.map((name) => {
      const value = options?.[name]
      return [
        value === undefined || typeof value === 'number',
        `${name} ${String(value)} is not a number`,
      ]
    }),
  ]
  for (const [ok, message] of checks) if (!ok) throw codedError('ERR_INVALID_ARG_VALUE', message)
  try {
    return new RoomServer(
      // Every option's type was checked above; the server checks the values.
      await binding.startServer({
        ...(options ?? {}),
        tls: tls && { cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) },
      }),
    )
  } catch (error) {
    const code =
      /^E[A-Z]+(?=:)/.exec(error.message)?.[0] ??
      (error.code === 'InvalidArg' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_SERVER_START')
    throw codedError(code, error.message)
  }
}

module.exports = { startServer, RoomServer }
