'use strict'
// What the benchmark scripts share: percentiles, a process's memory and CPU from /proc, and
// the one line of JSON each script prints as its result.

const fs = require('node:fs')
const os = require('node:os')

/** p50/p99/max (milliseconds) of a list of latencies in milliseconds. */
function summarize(latencies) {
  if (latencies.length === 0) return { count: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 }
  const sorted = Float64Array.from(latencies).sort()
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  const round = (ms) => Math.round(ms * 1000) / 1000
  return {
    count: sorted.length,
    p50_ms: round(at(0.5)),
    p99_ms: round(at(0.99)),
    max_ms: round(sorted[sorted.length - 1]),
  }
}

/** A process's resident memory in KiB (VmRSS), or null where /proc cannot tell. */
function rssKib(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** CPU seconds (user + system) a process has used, or null. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/** The flags of a script: --name value pairs, numbers where they parse. */
function flags(argv = process.argv.slice(2)) {
  const parsed = {}
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i])
    if (!match) throw new Error(`unexpected argument ${argv[i]}`)
    const [, name, inline] = match
    const value = inline ?? (argv[i + 1]?.startsWith('--') === false ? argv[++i] : 'true')
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())
    parsed[key] = value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value
  }
  return parsed
}

/**
 * A count to wait for: `tick()` once per awaited thing; `done` resolves at the `target`th
 * tick, or rejects after `ms` naming `what` and how far it got. Event-driven: waiting costs no
 * CPU, which matters when the clients share two cores with the server.
 */
function countdown(target, ms, what) {
  let count = 0
  let settle
  const done = new Promise((resolve, reject) => {
    if (target <= 0) return resolve()
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}: ${count}/${target}`)),
      ms,
    )
    settle = () => {
      clearTimeout(timer)
      resolve()
    }
  })
  return {
    done,
    tick() {
      count += 1
      if (count === target) settle()
    },
    get count() {
      return count
    },
  }
}

/** The machine the benchmark ran on. */
function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  }
}

module.exports = { summarize, rssKib, cpuSeconds, flags, countdown, machine }
