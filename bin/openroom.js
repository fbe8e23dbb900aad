#!/usr/bin/env node
'use strict'
// `openroom server [flags]` (`npx @openroom/trtc server …`): runs the standalone room server,
// openroom-server from crates/server, with the flags given (`openroom server --help` lists
// them). The executable ships in this platform's package next to the addon, so no Rust is
// needed; in a clone, `npm run build:server` builds it (lib/platform.js finds either).

const { spawn } = require('node:child_process')
const { serverPath } = require('../lib/platform.js')

const USAGE = `usage: openroom server [flags]    run the room server (openroom server --help lists the flags)`

/** Signals a supervisor or a terminal sends to stop the server; each reaches it once. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

/**
 * Stop signals this close together are one stop. Under `npx`, npm's run-script forwards the
 * terminal's SIGINT (or a supervisor's SIGTERM) to us as well as the signal itself reaching us,
 * milliseconds apart; the server would take the second as "stop now". A person pressing Ctrl-C
 * again to force it is slower than this.
 */
const SAME_STOP_MS = 1000

function main([command, ...args]) {
  if (command === 'server') return runServer(args)
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE)
    return
  }
  console.error(`openroom: unknown command ${JSON.stringify(command)}\n${USAGE}`)
  process.exitCode = 2
}

function runServer(args) {
  let binary
  try {
    binary = serverPath()
  } catch (error) {
    console.error(`openroom: ${error.message}`)
    process.exitCode = 1
    return
  }
  // On Unix the server gets a process group of its own, so a Ctrl-C in the terminal reaches
  // it once, forwarded from here: in our group it would get the terminal's SIGINT and ours,
  // and it takes a second signal as "stop now, without waiting for sessions". On Windows the
  // console delivers Ctrl-C to both processes and there is nothing to forward: we ignore it,
  // wait for the server to stop, and exit with its status.
  const ownGroup = process.platform !== 'win32'
  const server = spawn(binary, args, { stdio: 'inherit', detached: ownGroup })
  let lastForwarded = -Infinity
  const forward = (signal) => {
    const now = performance.now()
    if (now - lastForwarded < SAME_STOP_MS) return
    lastForwarded = now
    server.kill(signal)
  }
  if (ownGroup) for (const signal of STOP_SIGNALS) process.on(signal, forward)
  else process.on('SIGINT', () => {})
  // In a group of its own, the server outlives us unless told: should we end any other way than
  // by its exit (an uncaught error, process.exit from a preload), it stops too rather than keep
  // the port. A graceful stop, and none if one is under way: a second signal would force it.
  process.on('exit', () => {
    const running = server.exitCode === null && server.signalCode === null
    if (running && lastForwarded === -Infinity) server.kill('SIGTERM')
  })
  server.on('error', (error) => {
    console.error(`openroom: cannot run ${binary}: ${error.message}`)
    process.exit(1)
  })
  server.on('exit', (code, signal) => {
    if (signal === null) process.exit(code)
    // Die of the same signal, so whoever started us sees how the server ended.
    for (const stop of STOP_SIGNALS) process.removeListener(stop, forward)
    process.kill(process.pid, signal)
  })
}

main(process.argv.slice(2))
