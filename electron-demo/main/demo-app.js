'use strict'
// The demo's main-process logic as a plain Node module: the handlers the renderer calls, and an
// EventEmitter ('event') for what the renderer is told. Electron wires it to ipcMain and
// webContents (main/electron.js); the test wires the same object to HTTP (test/bridge.js), so
// what the test drives is what the app runs.
//
// Secrets stay here: the dev server's secret key, or one from the environment, signs UserSigs
// and admin requests in this process and never crosses to the renderer. Each signs only for its
// own server (main/dev-key.js): the server URL and sdkAppId in the form are the renderer's.

const { EventEmitter } = require('node:events')
const { startServer, genUserSig, RoomServiceClient } = require('./openroom.js')
const { RoomSession } = require('./room-session.js')
const check = require('./ipc-arguments.js')
const { DevKey, sameServer } = require('./dev-key.js')

const { demoError } = check

/** UserSigs this app signs for itself (dev only) last a day: a demo session is never longer. */
const USER_SIG_SECONDS = 24 * 60 * 60

class DemoApp extends EventEmitter {
  /**
   * @param {object} [options] a secret key for development and the one server it is for (the
   *   app's environment: OPENROOM_SECRET_KEY, OPENROOM_SERVER_URL, OPENROOM_SDK_APP_ID; see
   *   devKeyOptions). It signs this app's UserSigs and admin requests for that server and
   *   sdkAppId only. Other servers, but the local dev server, need a UserSig in the form.
   * @param {string} [options.secretKey]
   * @param {string} [options.serverUrl]
   * @param {string|number} [options.sdkAppId]
   */
  constructor({ secretKey, serverUrl, sdkAppId } = {}) {
    super()
    this._devKey = new DevKey({ secretKey, serverUrl, sdkAppId })
    /** The local dev server's start, once asked for, and the server once started; null when off. */
    this._devServerStart = null
    this._devServer = null
    /** The room this app is in (or entering, or last left). */
    this._room = null
    this._closing = null
    /** The IPC handlers, by name: each takes the renderer's (unchecked) arguments. */
    this.handlers = {
      startDevServer: () => this._startDevServer(),
      stopDevServer: () => this._stopDevServer(),
      join: (form) => this._join(check.joinForm(form)),
      leave: () => this._room?.leave(),
      // Each argument is checked first: a bad one is refused as such, in a room or not.
      sendChat: (text) => {
        const checked = check.chatText(text)
        return this._inRoom().sendChat(checked)
      },
      setMute: (mute) => {
        const checked = check.muteState(mute)
        return this._inRoom().setMute(checked)
      },
      adminRemove: (userId) => this._adminRemove(check.userId(userId)),
      adminDismiss: () => this._adminDismiss(),
    }
  }

  /** The running local dev server (a RoomServer), or null. */
  get devServer() {
    return this._devServer
  }

  /**
   * Leave the room (the others see a normal leave, not a lost connection), release the
   * TRTCCloud and stop the dev server. Nothing of the demo is left running. Safe to call twice.
   */
  close() {
    this._closing ??= (async () => {
      const room = this._room
      if (room !== null) {
        await room.leave()
        room.close()
      }
      await this._stopDevServer({ force: true })
    })()
    return this._closing
  }

  async _startDevServer() {
    this._refuseWhenClosing()
    this._devServerStart ??= startServer({ host: '127.0.0.1', port: 0 }).then(
      (server) => (this._devServer = server),
      (error) => {
        this._devServerStart = null
        throw error
      },
    )
    const server = await this._devServerStart
    // The form shows where to connect; the secret key stays in this process.
    return { serverUrl: server.url, sdkAppId: server.sdkAppId }
  }

  async _stopDevServer({ force = false } = {}) {
    const start = this._devServerStart
    if (start === null) return
    const server = await start.catch(() => null)
    if (!force && this._inRoomOn(server?.url)) {
      throw demoError(
        'ERR_IN_ROOM',
        'This app is in a room on the local dev server: leave it first',
      )
    }
    if (this._devServerStart === start) {
      this._devServerStart = null
      this._devServer = null
    }
    await server?.close()
  }

  async _join(form) {
    this._refuseWhenClosing()
    if (this._room !== null && !this._room.exited) {
      throw demoError(
        'ERR_IN_ROOM',
        'This app is already in a room: leave it before joining another',
      )
    }
    this._room?.close()
    const secretKey = this._secretKeyFor(form)
    let userSig = form.userSig
    if (userSig === '') {
      if (secretKey === null) {
        if (this._devKey.present) throw this._devKey.refusal(form.serverUrl, form.sdkAppId)
        throw demoError(
          'ERR_NO_USER_SIG',
          'Paste a UserSig from your backend, or turn on the local dev server (for development, ' +
            'the app also signs one itself when started with OPENROOM_SECRET_KEY, ' +
            'OPENROOM_SERVER_URL and OPENROOM_SDK_APP_ID naming the server)',
        )
      }
      userSig = genUserSig(form.sdkAppId, secretKey, form.userId, USER_SIG_SECONDS)
    }
    const room = new RoomSession(form, (event) => this.emit('event', event), {
      admin: secretKey !== null,
    })
    this._room = room
    try {
      await room.enter(userSig)
    } catch (error) {
      // Refused: the form may be corrected and sent again.
      if (this._room === room) this._room = null
      throw error
    }
  }

  async _adminRemove(userId) {
    const { admin, room } = this._adminOfRoom()
    if (room.roomId !== undefined) await admin.removeUser(room.roomId, [userId])
    else await admin.removeUserByStrRoomId(room.strRoomId, [userId])
  }

  async _adminDismiss() {
    const { admin, room } = this._adminOfRoom()
    if (room.roomId !== undefined) await admin.dismissRoom(room.roomId)
    else await admin.dismissRoomByStrRoomId(room.strRoomId)
  }

  /** The REST admin client for the room this app is in: it needs the server's secret key. */
  _adminOfRoom() {
    const { form } = this._inRoom()
    const secretKey = this._secretKeyFor(form)
    if (secretKey === null) {
      if (this._devKey.present) throw this._devKey.refusal(form.serverUrl, form.sdkAppId)
      throw demoError(
        'ERR_NOT_ADMIN',
        "Admin actions need the server's secret key: use the local dev server, or start the app " +
          'with OPENROOM_SECRET_KEY, OPENROOM_SERVER_URL and OPENROOM_SDK_APP_ID naming the ' +
          'server (development only; in production call the REST API from your backend)',
      )
    }
    return {
      admin: new RoomServiceClient(form.serverUrl, form.sdkAppId, secretKey),
      room: form.room,
    }
  }

  /**
   * The key main may sign with for the form's server: the dev server's for the dev server, the
   * environment's for the one server and sdkAppId it was given with; else null.
   */
  _secretKeyFor({ serverUrl, sdkAppId }) {
    const devServer = this.devServer
    if (
      devServer !== null &&
      sameServer(devServer.url, serverUrl) &&
      devServer.sdkAppId === sdkAppId
    ) {
      return devServer.secretKey
    }
    return this._devKey.keyFor(serverUrl, sdkAppId)
  }

  _inRoom() {
    if (this._room === null || this._room.exited) {
      throw demoError('ERR_NOT_IN_ROOM', 'Join a room first')
    }
    return this._room
  }

  _inRoomOn(serverUrl) {
    return (
      serverUrl !== undefined &&
      this._room !== null &&
      !this._room.exited &&
      sameServer(this._room.form.serverUrl, serverUrl)
    )
  }

  _refuseWhenClosing() {
    if (this._closing !== null) throw demoError('ERR_CLOSING', 'The app is closing')
  }
}

module.exports = { DemoApp }
