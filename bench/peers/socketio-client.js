'use strict'
// A member of a Socket.IO room (see socketio-server.js), with the shape bench/rooms.js drives:
// enter(room), send(data), exit(), close(), and the handlers onEnter, onLeave, onMessage and
// onError. Each member has its own connection, made when it enters, as a TRTCCloud does.

const { io } = require('socket.io-client')

class SocketIoMember {
  constructor(url, userId) {
    this.url = url
    this.userId = userId
    this.socket = null
    this.seq = 0
    this.leaving = false
    this.onEnter = () => {}
    this.onLeave = () => {}
    this.onMessage = () => {}
    this.onError = () => {}
  }

  /** Connect and join; resolves at the join's ack (the others were told before it). */
  enter(room) {
    const socket = io(this.url, { transports: ['websocket'], forceNew: true, reconnection: false })
    this.socket = socket
    this.leaving = false
    socket.on('enter', (userId) => this.onEnter(userId))
    socket.on('leave', (userId) => this.onLeave(userId))
    socket.on('msg', (userId, cmdId, seq, data) => this.onMessage(userId, data))
    socket.on('disconnect', (reason) => {
      if (!this.leaving) this.onError(`${this.userId}: disconnected (${reason})`)
    })
    return new Promise((resolve, reject) => {
      socket.once('connect_error', (error) => reject(new Error(`${this.userId}: ${error.message}`)))
      socket.once('connect', () =>
        socket.emit('join', String(room), this.userId, (reply) =>
          reply.error ? reject(new Error(`${this.userId}: ${reply.error}`)) : resolve(),
        ),
      )
    })
  }

  send(data) {
    this.seq += 1
    this.socket.emit('msg', 1, this.seq, data)
  }

  /** Leave the room; resolves at the ack (the others were told before it), then disconnects. */
  exit() {
    return new Promise((resolve) => {
      this.socket.emit('leave', () => {
        this.leaving = true
        this.socket.disconnect()
        resolve()
      })
    })
  }

  close() {
    this.leaving = true
    this.socket?.disconnect()
  }
}

module.exports = { SocketIoMember }
