#!/usr/bin/env node
'use strict'
// Puts a build into its platform package, npm/<platform>/: the addon that `npm run build` left
// in the repository (openroom.<platform>.node) and the openroom-server that `npm run
// build:server` left in target/, so that `npm pack` and `napi prepublish` there ship both.
//
//   node scripts/stage-platform-package.js                    this machine's build
//   node scripts/stage-platform-package.js --target <triple>  a build made with --target
//                                                             (cargo puts it in target/<triple>/)
//
// The release workflow runs it after each target's build; the packaging test runs it too.

const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')
const {
  addonFileName,
  currentPlatform,
  platformOfTarget,
  serverFileName,
} = require('../lib/platform.js')

const ROOT = path.join(__dirname, '..')

function main() {
  const { values } = parseArgs({ options: { target: { type: 'string' } } })
  const platform = values.target ? platformOfTarget(values.target) : currentPlatform()
  // cargo-zigbuild's glibc suffix (x86_64-unknown-linux-gnu.2.17) is not part of the directory.
  const cargoDir = values.target
    ? path.join(ROOT, 'target', values.target.replace(/\..*$/, ''), 'release')
    : path.join(ROOT, 'target', 'release')
  const packageDir = path.join(ROOT, 'npm', platform)
  if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
    fail(
      `there is no platform package for ${platform} (no ${packageDir}/package.json): ` +
        `add its target to package.json's napi.targets and run npx napi create-npm-dirs`,
    )
  }
  const copies = [
    [path.join(ROOT, addonFileName(platform)), 'npm run build'],
    [path.join(cargoDir, serverFileName(platform)), 'npm run build:server'],
  ]
  for (const [source, builtBy] of copies) {
    if (!fs.existsSync(source)) fail(`${source} is missing: build it first (${builtBy})`)
    const destination = path.join(packageDir, path.basename(source))
    fs.copyFileSync(source, destination)
    // The server runs as a program: npm keeps the mode it is packed with.
    fs.chmodSync(destination, 0o755)
    console.log(`${path.relative(ROOT, source)} → ${path.relative(ROOT, destination)}`)
  }
}

function fail(message) {
  console.error(`stage-platform-package: ${message}`)
  process.exit(1)
}

main()
