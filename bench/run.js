'use strict'
// The side-by-side benchmark: OpenRoom against Socket.IO 4 rooms on this machine, each pair
// in turn (A B A B), every server in its own process and started fresh for each scenario.
//   S1–S3 (bench/rooms.js): enter storm, fan-out, exit, with `clients` members in one process.
//   S4 (openroom-loadtest / bench/peers/socketio-load.js): many small rooms held with messages.
// Prints a Markdown table (each figure for both, with the ratio) and writes it with the raw
// JSON to bench-results/. `npm run bench` runs the full sizes; `npm run bench -- --smoke`
// runs tiny ones in seconds (CI runs that, so the benchmark never rots).

const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { flags, machine } = require('./lib/measure.js')

const ROOT = path.join(__dirname, '..')
const options = flags()
const SMOKE = options.smoke === 'true'
const SIZES = SMOKE
  ? { rounds: 1, clients: 20, messages: 10, rooms: 20, members: 5, hold: 2, settle: 0.5 }
  : { rounds: 2, clients: 500, messages: 200, rooms: 2000, members: 5, hold: 60, settle: 2 }
for (const key of Object.keys(SIZES))
  if (typeof options[key] === 'number') SIZES[key] = options[key]
const OUT_DIR = path.join(ROOT, 'bench-results')
const SDK_APP_ID = 1400000001
const SECRET_KEY = crypto.randomBytes(16).toString('hex')
const BIN = path.join(ROOT, 'target', 'release')

function log(message) {
  console.error(`bench: ${message}`)
}

/**
 * Start a server process and resolve once it printed its address. Its log goes to a file: a
 * pipe left undrained would fill and stall the server mid-run.
 */
function startServer(command, args, pattern, name) {
  fs.mkdirSync(OUT_DIR, { recursive: true })
  const log = fs.openSync(path.join(OUT_DIR, `${name}.log`), 'a')
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', log],
      // Warnings only: per-enter info lines would cost OpenRoom CPU the peer does not spend.
      env: { ...process.env, OPENROOM_LOG: 'warn' },
    })
    fs.closeSync(log)
    let output = ''
    const onData = (chunk) => {
      output += chunk
      const match = pattern.exec(output)
      if (match) {
        child.stdout.off('data', onData)
        child.stdout.resume()
        resolve({ child, url: match[1] })
      }
    }
    child.stdout.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}): ${output}`)))
    child.once('error', reject)
  })
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve()
    server.child.removeAllListeners('exit')
    server.child.once('exit', resolve)
    server.child.kill('SIGTERM')
  })
}

const SERVERS = {
  openroom: () =>
    startServer(
      path.join(BIN, 'openroom-server'),
      [
        '--listen=127.0.0.1:0',
        `--sdk-app-id=${SDK_APP_ID}`,
        `--secret-key=${SECRET_KEY}`,
        // The storm's room is bigger than TRTC's 300, and S2's sender bursts 200 messages.
        '--max-members-per-room=10000',
        '--custom-msgs-per-second=100000',
        '--custom-bytes-per-second=100000000',
      ],
      /listening on (ws:\/\/\S+)/,
      'openroom-server',
    ),
  socketio: () =>
    startServer(
      process.execPath,
      [path.join(__dirname, 'peers', 'socketio-server.js')],
      /listening on (http:\/\/\S+)/,
      'socketio-server',
    ),
}

/** Run a client to its JSON result, draining its output as it comes; a failure is reported. */
function runClient(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => (output += chunk))
    child.once('close', (status) => {
      try {
        // openroom-loadtest prints pretty JSON; the node scripts one line.
        resolve(JSON.parse(output.trim()))
      } catch {
        const name = path.basename(args[0] ?? command)
        resolve({ errors: 1, first_errors: [`${name} exited ${status}`] })
      }
    })
  })
}

async function scenarios(system) {
  const server = await SERVERS[system]()
  const rooms = await runClient(process.execPath, [
    path.join(__dirname, 'rooms.js'),
    `--system=${system}`,
    `--url=${server.url}`,
    `--clients=${SIZES.clients}`,
    `--messages=${SIZES.messages}`,
    `--sdk-app-id=${SDK_APP_ID}`,
    `--secret-key=${SECRET_KEY}`,
  ])
  await stopServer(server)

  const fresh = await SERVERS[system]()
  const shape = [
    `--rooms=${SIZES.rooms}`,
    `--members=${SIZES.members}`,
    `--hold=${SIZES.hold}`,
    `--settle=${SIZES.settle}`,
    '--msg-rate=1',
    '--join-rate=1000',
    `--server-pid=${fresh.child.pid}`,
    `--url=${fresh.url}`,
  ]
  const load =
    system === 'openroom'
      ? await runClient(path.join(BIN, 'openroom-loadtest'), [
          ...shape,
          `--sdk-app-id=${SDK_APP_ID}`,
          `--secret-key=${SECRET_KEY}`,
          '--quiet',
        ])
      : await runClient(process.execPath, [
          path.join(__dirname, 'peers', 'socketio-load.js'),
          ...shape,
        ])
  await stopServer(fresh)
  return { rooms, load }
}

/** The figures of the table: [scenario, label, pick(result), which way is better]. */
const FIGURES = [
  ['S1 enter storm', 'enter p50 (ms)', (r) => r.rooms.s1?.p50_ms, 'lower'],
  ['S1 enter storm', 'enter p99 (ms)', (r) => r.rooms.s1?.p99_ms, 'lower'],
  ['S1 enter storm', 'wall time (ms)', (r) => r.rooms.s1?.wall_ms, 'lower'],
  ['S2 fan-out', 'deliveries per second', (r) => r.rooms.s2?.deliveries_per_second, 'higher'],
  ['S2 fan-out', 'delivery p50 (ms)', (r) => r.rooms.s2?.p50_ms, 'lower'],
  ['S2 fan-out', 'delivery p99 (ms)', (r) => r.rooms.s2?.p99_ms, 'lower'],
  ['S3 exit', 'wall time to the last leave (ms)', (r) => r.rooms.s3?.wall_ms, 'lower'],
  ['S4 many rooms', 'connections held', (r) => r.load.joined, 'higher'],
  ['S4 many rooms', 'errors', (r) => (r.rooms.errors ?? 0) + (r.load.errors ?? 0), 'lower'],
  [
    'S4 many rooms',
    'server RSS per idle connection (KiB)',
    (r) => r.load.server?.rss_per_idle_connection_kib,
    'lower',
  ],
  [
    'S4 many rooms',
    'server RSS per connection under load (KiB)',
    (r) => r.load.server?.rss_per_connection_under_load_kib,
    'lower',
  ],
  [
    'S4 many rooms',
    'server CPU while holding (% of a core)',
    (r) => r.load.server?.cpu_hold_percent,
    'lower',
  ],
  [
    'S4 many rooms',
    'server CPU while joining (% of a core)',
    (r) => r.load.server?.cpu_join_percent,
    'lower',
  ],
  ['S4 many rooms', 'join p99 (ms)', (r) => r.load.join?.p99_ms, 'lower'],
  ['S4 many rooms', 'delivery p50 (ms)', (r) => r.load.delivery?.p50_ms, 'lower'],
  ['S4 many rooms', 'delivery p99 (ms)', (r) => r.load.delivery?.p99_ms, 'lower'],
  ['S4 many rooms', 'deliveries missing', (r) => r.load.missing_deliveries, 'lower'],
]

/** The median of the rounds' values (the mean of the middle two for an even count). */
function median(values) {
  const known = values.filter((v) => typeof v === 'number').sort((a, b) => a - b)
  if (known.length === 0) return null
  const mid = Math.floor(known.length / 2)
  return known.length % 2 ? known[mid] : (known[mid - 1] + known[mid]) / 2
}

function table(runs) {
  // Counts and rates (a median of two can end in .5) with thousands separators; times with
  // two decimals.
  const fmt = (v) =>
    v === null
      ? '—'
      : Math.abs(v) >= 1000
        ? Math.round(v).toLocaleString('en-US')
        : Number.isInteger(v)
          ? String(v)
          : v.toFixed(2)
  const lines = [
    '| Scenario | Figure | OpenRoom | Socket.IO | OpenRoom ÷ Socket.IO |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  for (const [scenario, label, pick, better] of FIGURES) {
    const a = median(runs.openroom.map(pick))
    const b = median(runs.socketio.map(pick))
    const ratio = a !== null && b !== null && b !== 0 ? `${(a / b).toFixed(2)}×` : '—'
    const mark =
      a === null || b === null || a === b ? '' : (better === 'lower') === a < b ? ' ✓' : ''
    lines.push(`| ${scenario} | ${label} | ${fmt(a)}${mark} | ${fmt(b)} | ${ratio} |`)
  }
  return lines.join('\n')
}

async function main() {
  if (!options.noBuild) {
    log('building the release server and load tester')
    const build = spawnSync(
      'cargo',
      ['build', '--release', '-p', 'openroom-server', '-p', 'openroom-loadtest'],
      { cwd: ROOT, stdio: 'inherit' },
    )
    if (build.status !== 0) throw new Error('cargo build failed')
  }
  const runs = { openroom: [], socketio: [] }
  for (let round = 1; round <= SIZES.rounds; round++) {
    for (const system of ['openroom', 'socketio']) {
      log(`round ${round}/${SIZES.rounds}: ${system}`)
      runs[system].push(await scenarios(system))
    }
  }
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    sizes: SIZES,
    runs,
  }
  const markdown = [
    `Sizes: S1–S3 ${SIZES.clients} clients in one room, ${SIZES.messages} messages; ` +
      `S4 ${SIZES.rooms} rooms × ${SIZES.members} members held ${SIZES.hold} s, 1 message/s per room. ` +
      `Median of ${SIZES.rounds} round(s), run A B A B. ✓: OpenRoom is better.`,
    `Machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memory_gib} GiB, ` +
      `${result.machine.os}, Node ${result.machine.node}.`,
    '',
    table(runs),
  ].join('\n')
  fs.mkdirSync(OUT_DIR, { recursive: true })
  const stem = SMOKE ? 'smoke' : 'latest'
  fs.writeFileSync(path.join(OUT_DIR, `${stem}.json`), `${JSON.stringify(result, null, 2)}\n`)
  fs.writeFileSync(path.join(OUT_DIR, `${stem}.md`), `${markdown}\n`)
  console.log(markdown)
  console.log(`\nRaw results: ${path.relative(process.cwd(), path.join(OUT_DIR, `${stem}.json`))}`)
  const failed = Object.values(runs)
    .flat()
    .filter((run) => (run.rooms.errors ?? 1) + (run.load.errors ?? 1) > 0)
  if (failed.length > 0) {
    for (const run of failed) console.error(run.rooms.first_errors, run.load.first_errors)
    throw new Error(`${failed.length} run(s) had errors`)
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`)
  process.exit(1)
})
