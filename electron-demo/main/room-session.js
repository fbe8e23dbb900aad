'use strict'
// One stay in one room: a TRTCCloud that enters, publishes the camera and microphone, chats and
// leaves, and turns OpenRoom's events into the demo's events for the renderer (see
// renderer/openroom-api.d.ts for their shapes).

const { TRTCCloud, TRTCParams, TRTCAppScene, TRTCVideoStreamType } = require('./openroom.js')
const { CHAT_CMD_ID, encodeChat, decodeChat } = require('./chat-message.js')
const { MAX_DISPLAY_NAME_LENGTH } = require('./ipc-arguments.js')
const { refusalOf } = require('./send-refusal.js')

/**
 * The name a member shows: the `name` in its member data (or the data itself, when another app
 * put a plain string there), else its userId. Held to this app's own length for names.
 */
function displayNameOf(userId, userData) {
  const name = typeof userData === 'string' ? userData : userData?.name
  if (typeof name !== 'string' || name.trim() === '') return userId
  return name.trim().slice(0, MAX_DISPLAY_NAME_LENGTH)
}

class RoomSession {
  /**
   * @param {object} form the checked join form (ipc-arguments.js)
   * @param {(event: object) => void} emit where the demo's events go
   * @param {{ admin: boolean }} options whether this app may use the admin API on this server
   */
  constructor(form, emit, { admin }) {
    this.form = form
    this.admin = admin
    this._emit = emit
    this._cloud = new TRTCCloud({ serverUrl: form.serverUrl })
    /**
     * Names of the members in the room, so that one who is leaving is still named in the log
     * (getRemoteUsers() no longer has it); forgotten once that is said.
     */
    this._names = new Map()
    this._entered = false
    this._exited = false
    this._listen()
  }

  /** Enter the room, then open the camera and microphone (onLocalDevicesChanged says when). */
  async enter(userSig) {
    const { form } = this
    const params = new TRTCParams(form.sdkAppId, form.userId, userSig)
    Object.assign(params, form.room)
    // Member data: the others read it with getRemoteUsers() and show the name instead of the id.
    params.userData = { name: form.displayName }
    try {
      await this._cloud.enterRoom(params, TRTCAppScene.TRTCAppSceneVideoCall)
    } catch (error) {
      this._cloud.destroy()
      throw error
    }
    // Started once in rather than before entering, so a refused enter never opens a device.
    this._cloud.startLocalAudio()
    this._cloud.startLocalPreview()
  }

  /** Send `text` to everyone else; it also appears in this app's own chat. */
  async sendChat(text) {
    const data = encodeChat(text)
    if (!this._cloud.sendCustomCmdMsg(CHAT_CMD_ID, data, true, true)) {
      // Explained by an onWarning that follows: listened for now, in the same tick.
      throw await refusalOf(this._cloud)
    }
    this._emit({ type: 'chat', from: this._self(), text, mine: true })
  }

  /** Stop or resume publishing; the devices stay open, as in TRTC (a mute is not a stop). */
  setMute({ audio, video }) {
    this._cloud.muteLocalAudio(audio)
    this._cloud.muteLocalVideo(TRTCVideoStreamType.TRTCVideoStreamTypeBig, video)
    this._emit({ type: 'local', audioMuted: audio, videoMuted: video })
  }

  /** Leave the room; resolves after onExitRoom(0). */
  leave() {
    return this._cloud.exitRoom()
  }

  /** Leave the room if still in it, and release the instance. */
  close() {
    this._cloud.destroy()
  }

  get exited() {
    return this._exited
  }

  _self() {
    return { userId: this.form.userId, name: this.form.displayName }
  }

  _listen() {
    const cloud = this._cloud
    const on = (name, listener) =>
      cloud.on(name, (...args) => {
        // Nothing is reported after the exit: the renderer has moved on to the exit screen.
        if (!this._exited) listener(...args)
      })
    on('onEnterRoom', (result) => {
      if (result > 0) {
        this._entered = true
        this._emit({ type: 'joined', self: this._self(), room: this.form.room, admin: this.admin })
        this._emit({ type: 'local', audioMuted: false, videoMuted: false })
      }
    })
    on('onRemoteUserEnterRoom', (userId) => {
      this._members()
      this._emit({ type: 'member-joined', userId, name: this._nameOf(userId) })
    })
    on('onRemoteUserLeaveRoom', (userId, reason) => {
      const name = this._nameOf(userId)
      this._members()
      this._emit({ type: 'member-left', userId, name, reason })
      this._names.delete(userId)
    })
    on('onUserAudioAvailable', () => this._members())
    on('onUserVideoAvailable', () => this._members())
    on('onRemoteUserDataUpdated', () => this._members())
    on('onRecvCustomCmdMsg', (userId, cmdId, _seq, message) => {
      const text = decodeChat(cmdId, message)
      if (text !== null) {
        this._emit({
          type: 'chat',
          from: { userId, name: this._nameOf(userId) },
          text,
          mine: false,
        })
      }
    })
    on('onLocalDevicesChanged', (camera, microphone) => {
      this._emit({ type: 'devices', camera, microphone })
    })
    on('onConnectionStateChanged', (state, reason) => {
      this._emit({ type: 'connection', state, reason })
    })
    on('onWarning', (code, message) =>
      this._emit({ type: 'problem', level: 'warning', code, message }),
    )
    on('onError', (code, message) => {
      // A failed enter is answered by join() itself; errors in the room are news.
      if (this._entered) {
        this._emit({ type: 'problem', level: 'error', code, message })
      }
    })
    on('onExitRoom', (reason) => {
      this._exited = true
      this._emit({ type: 'exit', reason })
    })
  }

  /** The members now, as getRemoteUsers() has them (up to date inside every member event). */
  _members() {
    const members = this._cloud.getRemoteUsers().map((user) => ({
      userId: user.userId,
      name: displayNameOf(user.userId, user.userData),
      hasAudio: user.hasAudio,
      hasVideo: user.hasVideo,
    }))
    for (const member of members) this._names.set(member.userId, member.name)
    this._emit({ type: 'members', members })
  }

  _nameOf(userId) {
    return this._names.get(userId) ?? userId
  }
}

module.exports = { RoomSession }
