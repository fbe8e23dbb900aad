'use strict'
// A real TCP proxy for fault tests: clients connect to it, it connects to the server, and the
// test breaks the link on command.
//   'pass'      forward every byte
//   'blackhole' swallow every byte both ways and pass on no close (a peer that vanished)
//   'close'     reset every connection now and refuse new ones until the mode changes
//   'stall'     read nothing more either way and keep every connection open (a peer frozen
//               with SIGSTOP): what the other side writes piles up until its writes block

const net = require('node:net')

async function startProxy(upstreamPort) {
  let mode = 'pass'
  let carried = 0
  const pairs = new Set()
  const server = net.createServer((client) => {
    if (mode === 'close') {
      client.destroy()
      return
    }
    const upstream = net.connect(upstreamPort, '127.0.0.1')
    carried += 1
    const pair = { client, upstream }
    pairs.add(pair)
    const forward = (from, to) =>
      from.on('data', (chunk) => {
        if (mode === 'pass') to.write(chunk)
      })
    forward(client, upstream)
    forward(upstream, client)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      // A blackholed link passes on no close either.
      socket.on('close', () => mode !== 'blackhole' && end())
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    /** Connections carried to the server so far. */
    get connections() {
      return carried
    },
    set(next) {
      mode = next
      for (const { client, upstream } of pairs) {
        if (mode === 'stall') {
          client.pause()
          upstream.pause()
        } else {
          client.resume()
          upstream.resume()
        }
      }
      if (mode === 'close') {
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy()
          upstream.resetAndDestroy()
        }
        pairs.clear()
      }
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy()
        upstream.destroy()
      }
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

module.exports = { startProxy }
