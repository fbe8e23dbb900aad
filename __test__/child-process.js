'use strict'
// A child process a test watches: what it printed so far, a promise for any text it prints,
// and one for its exit. Each is killed when the test ends, so a failed test leaves no process
// (nor the server it started) behind.

const { spawn } = require('node:child_process')

const running = new Set()

afterEach(async () => {
  // SIGTERM first: `openroom server` passes it on to the server it started in a process group
  // of its own, which SIGKILL would leave running. Then SIGKILL for whatever did not stop.
  const left = [...running]
  for (const { proc } of left) proc.kill('SIGTERM')
  let timer
  await Promise.race([
    Promise.all(left.map(({ exited }) => exited)),
    new Promise((resolve) => (timer = setTimeout(resolve, 3000))),
  ])
  clearTimeout(timer)
  for (const { proc, group } of running) {
    if (group) {
      try {
        process.kill(-proc.pid, 'SIGKILL')
      } catch {
        // The group is gone already.
      }
    } else proc.kill('SIGKILL')
  }
  running.clear()
})

/**
 * Start `command` with `args`. `options` go to spawn; `detached: true` puts the child in a
 * process group of its own (Unix), as a terminal puts a command it runs.
 */
function launch(command, args, options = {}) {
  const proc = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  const entry = { proc, group: Boolean(options.detached) && process.platform !== 'win32' }
  const output = { stdout: '', stderr: '' }
  proc.stdout.on('data', (chunk) => (output.stdout += chunk))
  proc.stderr.on('data', (chunk) => (output.stderr += chunk))
  entry.exited = new Promise((resolve) =>
    proc.on('close', (code, signal) => {
      running.delete(entry)
      resolve({ code, signal, ...output })
    }),
  )
  running.add(entry)
  const { exited } = entry
  /** Resolves with stdout once it matches `pattern`; rejects if the child exits first. */
  const printed = (pattern) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = output.stdout.match(pattern)
        if (match) resolve(match)
      }
      proc.stdout.on('data', check)
      check()
      exited.then(({ code, signal, stdout, stderr }) =>
        reject(
          new Error(`exited (${code ?? signal}) before printing ${pattern}: ${stdout}${stderr}`),
        ),
      )
    })
  return { proc, output, exited, printed }
}

module.exports = { launch }
