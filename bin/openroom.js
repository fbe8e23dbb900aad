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
  const forward = (signal) => server.kill(signal)
  if (ownGroup) for (const signal of STOP_SIGNALS) process.on(signal, forward)
  else process.on('SIGINT', () => {})
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
