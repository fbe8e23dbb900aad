'use strict'
// The peer OpenRoom is measured against: rooms as a team would build them with Socket.IO 4,
// websocket transport only. The same semantics as OpenRoom's signaling:
//   join(room, userId, ack): the others in the room get 'enter'(userId) first, then the
//     joiner's ack with the userIds already there;
//   msg(cmdId, seq, data): everyone else in the room gets 'msg'(userId, cmdId, seq, data);
//   leave(ack): the others get 'leave'(userId), then the leaver's ack; a disconnect without
//     leaving tells the others the same way.
// Usage: node bench/peers/socketio-server.js [--port 0]. Prints `listening on http://…`.

const http = require('node:http')
const { Server } = require('socket.io')
const { flags } = require('../lib/measure.js')

const options = flags()
/** Members of each room: userIds, in joining order. */
const rooms = new Map()

const httpServer = http.createServer()
const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  // No HTTP long-polling upgrade dance and no per-message compression: a plain WebSocket,
  // as OpenRoom's signaling is.
  perMessageDeflate: false,
})

function leave(socket) {
  const { room, userId } = socket.data
  if (room === undefined) return
  socket.data.room = undefined
  socket.leave(room)
  const members = rooms.get(room)
  members?.delete(userId)
  if (members?.size === 0) rooms.delete(room)
  socket.to(room).emit('leave', userId)
}

io.on('connection', (socket) => {
  socket.on('join', (room, userId, ack) => {
    if (typeof room !== 'string' || typeof userId !== 'string' || typeof ack !== 'function') {
      return socket.disconnect(true)
    }
    if (socket.data.room !== undefined) return ack({ error: 'already in a room' })
    socket.to(room).emit('enter', userId)
    socket.join(room)
    socket.data.room = room
    socket.data.userId = userId
    const members = rooms.get(room) ?? new Set()
    rooms.set(room, members)
    const present = [...members]
    members.add(userId)
    ack({ members: present })
  })
  socket.on('msg', (cmdId, seq, data) => {
    const { room, userId } = socket.data
    if (room !== undefined) socket.to(room).emit('msg', userId, cmdId, seq, data)
  })
  socket.on('leave', (ack) => {
    leave(socket)
    if (typeof ack === 'function') ack()
  })
  socket.on('disconnect', () => leave(socket))
})

httpServer.listen(options.port ?? 0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${httpServer.address().port}`)
})
const stop = () => io.close(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
