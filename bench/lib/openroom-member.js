'use strict'
// A member of an OpenRoom room: a TRTCCloud instance, with the shape bench/rooms.js drives
// (the same as bench/peers/socketio-client.js).

const { TRTCCloud, TRTCParams, TRTCAppScene, genUserSig } = require('../..')

class OpenRoomMember {
  /** `server`: { url, sdkAppId, secretKey }. */
  constructor(server, userId) {
    this.userId = userId
    this.server = server
    this.cloud = new TRTCCloud({ serverUrl: server.url })
    // Signed ahead of time: the benchmark times entering, not signing.
    this.sig = genUserSig(server.sdkAppId, server.secretKey, userId, 3600)
    this.onEnter = () => {}
    this.onLeave = () => {}
    this.onMessage = () => {}
    this.onError = () => {}
    this.cloud.on('onRemoteUserEnterRoom', (userId) => this.onEnter(userId))
    this.cloud.on('onRemoteUserLeaveRoom', (userId) => this.onLeave(userId))
    this.cloud.on('onRecvCustomCmdMsg', (userId, cmdId, seq, data) =>
      this.onMessage(userId, data.toString()),
    )
    this.cloud.on('onError', (code, message) => this.onError(`${userId}: ${code} ${message}`))
    this.cloud.on('onWarning', (code, message) => this.onError(`${userId}: ${code} ${message}`))
  }

  /** Enter; resolves at onEnterRoom (the room told the others in the same step as it answered). */
  enter(room) {
    const params = new TRTCParams(this.server.sdkAppId, this.userId, this.sig, room, '')
    return this.cloud.enterRoom(params, TRTCAppScene.TRTCAppSceneVideoCall)
  }

  send(data) {
    this.cloud.sendCustomCmdMsg(1, data, true, true)
  }

  /** Leave; resolves at onExitRoom (the others were told before the server's answer). */
  exit() {
    return this.cloud.exitRoom()
  }

  close() {
    this.cloud.destroy()
  }
}

module.exports = { OpenRoomMember }
