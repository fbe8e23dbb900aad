'use strict'
// RoomServiceClient: the REST admin API from Node (the shape of livekit-server-sdk's).

const binding = require('./native-binding.js')
const { genUserSig } = require('./usersig.js')
const { codedError } = require('./errors.js')
const { checkInteger } = require('./arg-checks.js')
const https = require('node:https')
const tls = require('node:tls')

/** The admin UserSig is short-lived: each request signs a fresh one. */
const ADMIN_SIG_SECONDS = 300
/** The identity whose UserSig authorises the REST admin API; from the Rust core. */
const ADMIN_IDENTIFIER = binding.adminIdentifier()

/**
 * How long one call may take, answer included, by default. fetch itself never gives up on a
 * server that accepts the connection and does not answer, and the caller would wait for ever.
 */
const DEFAULT_TIMEOUT_MS = 10000
/** setTimeout's (and so AbortSignal.timeout's) longest delay. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

class RoomServiceClient {
  /**
   * @param {string} url the server, as ws://host:port or http://host:port
   * @param {number} sdkAppId
   * @param {string} secretKey
   * @param {object} [options]
   * @param {number} [options.timeoutMs] how long one call may wait for the server's whole answer
   *   before it fails with code 'ETIMEDOUT' (default 10000)
   * @param {string|Buffer} [options.ca] for an https:// (wss://) server: PEM certificates to
   *   trust besides Node's own roots (a private CA)
   */
  constructor(url, sdkAppId, secretKey, options = {}) {
    this.baseUrl = String(url)
      .replace(/^ws(s?):\/\//i, 'http$1://')
      .replace(/\/+$/, '')
    if (!/^https?:\/\//i.test(this.baseUrl)) {
      throw codedError('ERR_INVALID_ARG_VALUE', `url ${url} is not a ws:// or http:// URL`)
    }
    if (typeof options !== 'object' || options === null) {
      throw codedError('ERR_INVALID_ARG_VALUE', `options must be an object, got ${String(options)}`)
    }
    const { timeoutMs = DEFAULT_TIMEOUT_MS, ca } = options
    this.timeoutMs = checkInteger('timeoutMs', timeoutMs, 1, MAX_TIMEOUT_MS)
    if (ca !== undefined && typeof ca !== 'string' && !(ca instanceof Uint8Array)) {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `ca must be the PEM text (a string or a Buffer) of the certificates to trust, got ${typeof ca}`,
      )
    }
    /** Node's roots plus the private CA: given alone, `ca` would replace Node's roots. */
    this._ca = ca === undefined ? null : [...tls.rootCertificates, Buffer.from(ca).toString()]
    this.sdkAppId = sdkAppId
    this.secretKey = secretKey
  }

  /** Remove users (at most 10) from a numeric room; each gets onExitRoom(1). */
  removeUser(roomId, userIds) {
    return this._call('RemoveUser', { RoomId: roomId, UserIds: userIds }).then(requestIdOnly)
  }

  removeUserByStrRoomId(strRoomId, userIds) {
    return this._call('RemoveUserByStrRoomId', { RoomId: strRoomId, UserIds: userIds }).then(
      requestIdOnly,
    )
  }

  /**
   * Send a custom message from 'administrator' to a numeric room's members, or only to
   * `userIds`: each gets onRecvCustomCmdMsg('administrator', cmdId, seq, message). `data` is a
   * string (UTF-8) or bytes, at most 1024. Resolves to `{ requestId, seq }`.
   */
  sendCustomMessage(roomId, cmdId, data, options = {}) {
    return this._call('SendCustomMessage', messageBody(roomId, cmdId, data, options)).then(sent)
  }

  sendCustomMessageByStrRoomId(strRoomId, cmdId, data, options = {}) {
    return this._call(
      'SendCustomMessageByStrRoomId',
      messageBody(strRoomId, cmdId, data, options),
    ).then(sent)
  }

  /** Dismiss a numeric room; every member gets onExitRoom(2). */
  dismissRoom(roomId) {
    return this._call('DismissRoom', { RoomId: roomId }).then(requestIdOnly)
  }

  dismissRoomByStrRoomId(strRoomId) {
    return this._call('DismissRoomByStrRoomId', { RoomId: strRoomId }).then(requestIdOnly)
  }

  /**
   * Create a numeric room ahead of time, with its own settings: `maxMembers` (up to the server's
   * limit) and `emptyRoomTimeoutMs` (0 to 3 hours). Nobody entering, it closes after 30 s.
   */
  createRoom(roomId, settings = {}) {
    return this._call('CreateRoom', { RoomId: roomId, ...roomSettings(settings) }).then(
      roomDescription,
    )
  }

  createRoomByStrRoomId(strRoomId, settings = {}) {
    return this._call('CreateRoomByStrRoomId', {
      RoomId: strRoomId,
      ...roomSettings(settings),
    }).then(roomDescription)
  }

  /** A numeric room's members (in the order they entered) and settings. */
  describeRoom(roomId) {
    return this._call('DescribeRoom', { RoomId: roomId }).then(roomDescription)
  }

  describeRoomByStrRoomId(strRoomId) {
    return this._call('DescribeRoomByStrRoomId', { RoomId: strRoomId }).then(roomDescription)
  }

  /** A page of the open rooms with their member counts: numeric ids ascending, then string ids. */
  listRooms({ offset = 0, limit = 20 } = {}) {
    return this._call('ListRooms', { Offset: offset, Limit: limit }).then((r) => ({
      total: r.Total,
      offset: r.Offset,
      limit: r.Limit,
      rooms: r.Rooms.map((room) => ({ ...roomIdOf(room), ...counts(room) })),
      requestId: r.RequestId,
    }))
  }

  /**
   * POST one action. Resolves to the API's `Response` object; rejects with an Error whose
   * `code` is the API's error code (e.g. 'FailedOperation.RoomNotExist'), with `status` and
   * `requestId`; a network error's code (e.g. 'ECONNREFUSED'); or 'ETIMEDOUT' when the whole
   * answer did not come within timeoutMs.
   */
  async _call(action, body) {
    const sig = genUserSig(this.sdkAppId, this.secretKey, ADMIN_IDENTIFIER, ADMIN_SIG_SECONDS)
    const url = `${this.baseUrl}/v1/${action}`
    // One deadline for the headers and the body alike: a server may stall in either.
    const signal = AbortSignal.timeout(this.timeoutMs)
    let response
    let text
    try {
      const request = {
        method: 'POST',
        headers: { authorization: `Bearer ${sig}`, 'content-type': 'application/json' },
        body: JSON.stringify({ SdkAppId: this.sdkAppId, ...body }),
        signal,
      }
      // fetch takes no CA of its own: with one, node:https makes the call.
      ;({ response, text } =
        this._ca !== null && url.startsWith('https:')
          ? await postWithCa(url, request, this._ca)
          : await fetch(url, request).then(async (r) => ({ response: r, text: await r.text() })))
    } catch (error) {
      if (signal.aborted) {
        throw codedError(
          'ETIMEDOUT',
          `${action}: ${url} did not answer in ${this.timeoutMs} ms (the timeoutMs option)`,
        )
      }
      // fetch says only "fetch failed"; the cause (ECONNREFUSED, ENOTFOUND …) is what helps.
      const cause = error.cause ?? error
      throw codedError(
        cause.code ?? 'ERR_NETWORK',
        `${action}: cannot reach ${url}: ${cause.message}`,
      )
    }
    let payload
    try {
      payload = JSON.parse(text).Response
    } catch {
      throw codedError(
        'ERR_BAD_RESPONSE',
        `${action}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`,
        {
          status: response.status,
        },
      )
    }
    if (payload?.Error) {
      throw codedError(payload.Error.Code, `${action}: ${payload.Error.Message}`, {
        status: response.status,
        requestId: payload.RequestId,
      })
    }
    return payload
  }
}

/** Most bytes of an answer read through postWithCa: the API's answers are a few KiB. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024

/** A POST through node:https trusting `ca`; resolves to `{ response: { status }, text }`. */
function postWithCa(url, { method, headers, body, signal }, ca) {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, headers, ca, signal }, (answer) => {
      const chunks = []
      let size = 0
      answer.on('data', (chunk) => {
        size += chunk.length
        if (size > MAX_ANSWER_BYTES) {
          answer.destroy(
            codedError('ERR_BAD_RESPONSE', `the answer is over ${MAX_ANSWER_BYTES} bytes`),
          )
        } else chunks.push(chunk)
      })
      answer.on('error', reject)
      answer.on('end', () =>
        resolve({
          response: { status: answer.statusCode },
          text: Buffer.concat(chunks).toString(),
        }),
      )
    })
    request.on('error', reject)
    request.end(body)
  })
}

const requestIdOnly = (response) => ({ requestId: response.RequestId })

const sent = (response) => ({ requestId: response.RequestId, seq: response.Seq })

/** SendCustomMessage's body: a string goes as Text, bytes as base64 Data. */
const messageBody = (room, cmdId, data, { userIds }) => ({
  RoomId: room,
  CmdId: cmdId,
  ...(typeof data === 'string'
    ? { Text: data }
    : data instanceof Uint8Array
      ? { Data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') }
      : { Data: data }),
  ...(userIds === undefined ? {} : { UserIds: userIds }),
})

/** `{ roomId }` or `{ strRoomId }`, as the room was named. */
const roomIdOf = (room) =>
  'StrRoomId' in room ? { strRoomId: room.StrRoomId } : { roomId: room.RoomId }

/** A room's description; a just-created room has no members yet. */
/** MemberCount, and how many are anchors and audience members (audience members are not announced in the room). */
const counts = (r) => ({
  memberCount: r.MemberCount ?? 0,
  anchorCount: r.AnchorCount ?? 0,
  audienceCount: r.AudienceCount ?? 0,
})

const roomDescription = (r) => ({
  ...roomIdOf(r),
  ...counts(r),
  members: (r.Members ?? []).map((m) => m.UserId),
  participants: (r.Members ?? []).map((m) => ({
    userId: m.UserId,
    role: m.Role,
    audio: m.Audio,
    video: m.Video,
    userData: m.UserData ?? null,
  })),
  maxMembers: r.MaxMembers,
  emptyRoomTimeoutMs: r.EmptyRoomTimeoutMs,
  requestId: r.RequestId,
})

/** CreateRoom's optional settings, under the API's names. */
const roomSettings = ({ maxMembers, emptyRoomTimeoutMs }) => ({
  ...(maxMembers === undefined ? {} : { MaxMembers: maxMembers }),
  ...(emptyRoomTimeoutMs === undefined ? {} : { EmptyRoomTimeoutMs: emptyRoomTimeoutMs }),
})

module.exports = { RoomServiceClient }
