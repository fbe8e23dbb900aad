'use strict'
// index.d.ts types the package the way apps import it (CommonJS and ES modules), and catches
// the mistakes it claims to catch: each @ts-expect-error line in the fixtures must be an error.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('TypeScript apps (CommonJS and ES module) type-check against index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const fixtures = ['app.ts', 'app.mts'].map((f) => path.join(__dirname, 'types', f))
  const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16']
  const run = spawnSync(process.execPath, [tsc, ...args, '--target', 'es2022', ...fixtures], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  })
  expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: '' })
}, 60000)
