'use strict'
// Where this machine's native binaries are: the addon (openroom.<platform>.node) that lib/
// calls into, and the standalone room server (openroom-server) that `openroom server` runs.
// Both ship in one package per platform, @openroom/trtc-<platform> (npm/<platform>/ in the
// repository), which npm installs as an optional dependency of @openroom/trtc on the machines
// its os, cpu and libc fields match. In a clone, `npm run build` and `npm run build:server` make
// them in the repository, and those come first, so a developer runs what they built.
//
// This module must not load the addon (lib/native-binding.js asks it where the addon is), so it
// makes its errors itself rather than through errors.js, which needs the addon's constants.

const fs = require('node:fs')
const path = require('node:path')
const packageJson = require('../package.json')

const ROOT = path.join(__dirname, '..')

/** Rust's names for the CPUs in package.json's napi.targets, as Node names them. */
const NODE_ARCH = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32' }

/**
 * The platforms with prebuilt binaries, named as napi-rs names its artefacts and packages
 * (x86_64-apple-darwin → darwin-x64). package.json's napi.targets is the one list: the release
 * workflow builds it and `napi prepublish` makes each an optional dependency.
 */
const PREBUILT_PLATFORMS = packageJson.napi.targets.map(platformOfTarget)

/**
 * A Rust target triple's platform name, for the triples package.json's napi.targets uses. A
 * glibc version suffix (cargo-zigbuild's aarch64-unknown-linux-gnu.2.17) changes nothing.
 */
function platformOfTarget(triple) {
  const [cpu, , os, abi] = triple.replace(/\..*$/, '').split('-')
  return [os === 'windows' ? 'win32' : os, NODE_ARCH[cpu] ?? cpu, abi].filter(Boolean).join('-')
}

/** This machine's platform as napi-rs names it: darwin-arm64, linux-x64-gnu, win32-x64-msvc. */
function currentPlatform() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const libc = isMusl() ? 'musl' : 'gnu'
    return arch === 'arm' ? `linux-arm-${libc}eabihf` : `linux-${arch}-${libc}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** Whether this Linux runs on musl (Alpine, for one): binaries built for glibc do not load there. */
function isMusl() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    // No ldd to read: Node's own report names the glibc it runs on, when there is one.
    return !process.report?.getReport().header.glibcVersionRuntime
  }
}

/** The package that carries (or would carry) a platform's binaries. */
function platformPackage(platform) {
  return `${packageJson.name}-${platform}`
}

/** The path of this machine's native addon, or an ERR_BINARY_MISSING error saying what to do. */
function addonPath() {
  const platform = currentPlatform()
  const file = addonFileName(platform)
  const localPath = path.join(ROOT, file)
  return findBinary({
    what: 'native addon',
    platform,
    file,
    localPath,
    buildCommand: 'npm run build',
  })
}

/** The path of this machine's openroom-server executable, or an ERR_BINARY_MISSING error. */
function serverPath() {
  const platform = currentPlatform()
  const file = serverFileName(platform)
  // Where `npm run build:server` (cargo build --release -p openroom-server) leaves it.
  const localPath = path.join(ROOT, 'target', 'release', file)
  const what = 'room server (openroom-server)'
  return findBinary({ what, platform, file, localPath, buildCommand: 'npm run build:server' })
}

/** The server executable's file name on a platform. */
function serverFileName(platform) {
  return platform.startsWith('win32') ? 'openroom-server.exe' : 'openroom-server'
}

/** The addon's file name on a platform (napi-rs's: <binaryName>.<platform>.node). */
function addonFileName(platform) {
  return `${packageJson.napi.binaryName}.${platform}.node`
}

/**
 * One of this platform's binaries: the clone's own build at localPath if there is one, else
 * `file` in the platform package, which must be of this package's version (the addon's
 * functions change between versions, and a stale package would fail in stranger ways).
 */
function findBinary({ what, platform, file, localPath, buildCommand }) {
  if (fs.existsSync(localPath)) return localPath
  if (fs.existsSync(path.join(ROOT, 'Cargo.toml'))) {
    // A clone of the repository, not an install: its own build is what is missing.
    throw binaryError(
      'ERR_BINARY_MISSING',
      `OpenRoom's ${what} for ${platform} is not built in this clone (${ROOT}): run ` +
        `\`${buildCommand}\` there (it needs Rust 1.88 or newer, https://rustup.rs).`,
    )
  }
  const pkg = platformPackage(platform)
  let manifestPath
  try {
    manifestPath = require.resolve(`${pkg}/package.json`)
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error
    throw missingBinaryError({ what, platform, pkg, cause: error })
  }
  const { version } = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
  if (version !== packageJson.version) {
    throw binaryError(
      'ERR_BINARY_VERSION_MISMATCH',
      `${packageJson.name} ${packageJson.version} found ${pkg} ${version} (${path.dirname(manifestPath)}); ` +
        `they must be the same version. Install ${pkg}@${packageJson.version}, or remove it and ` +
        `reinstall ${packageJson.name}, which brings the right one.`,
    )
  }
  const binary = path.join(path.dirname(manifestPath), file)
  if (!fs.existsSync(binary)) {
    throw binaryError(
      'ERR_BINARY_MISSING',
      `${pkg} (${path.dirname(manifestPath)}) has no ${file}: the package is incomplete. ` +
        `Reinstall ${packageJson.name}.\n${BUILD_FROM_SOURCE}`,
    )
  }
  return binary
}

/** How to get OpenRoom's binaries on a machine with no prebuilt ones. */
const BUILD_FROM_SOURCE =
  'To build them from source: install Rust 1.88 or newer (https://rustup.rs) and a linker (gcc ' +
  'or clang; Visual Studio Build Tools on Windows), ' +
  'clone the OpenRoom repository, run `npm ci && npm run build && npm run build:server` in it, ' +
  'then `npm install /path/to/the/clone` in your app (npm links the directory, so later builds ' +
  'need no reinstall).'

function missingBinaryError({ what, platform, pkg, cause }) {
  const why = PREBUILT_PLATFORMS.includes(platform)
    ? `It comes in the package ${pkg}, which npm installs with ${packageJson.name} as an ` +
      `optional dependency, and that package is not installed. Installing with ` +
      `--omit=optional (or --no-optional) leaves it out, and so can a package-lock.json made ` +
      `on another platform: reinstall without that flag, or delete node_modules and ` +
      `package-lock.json and run npm install again.`
    : `OpenRoom publishes prebuilt binaries for ${PREBUILT_PLATFORMS.join(', ')}, not for ` +
      `${platform} (a package ${pkg} would carry them).`
  return binaryError(
    'ERR_BINARY_MISSING',
    `OpenRoom's ${what} for ${platform} is missing. ${why}\n${BUILD_FROM_SOURCE}`,
    cause,
  )
}

function binaryError(code, message, cause) {
  return Object.assign(new Error(message, { cause }), { code })
}

module.exports = {
  addonPath,
  serverPath,
  currentPlatform,
  platformOfTarget,
  addonFileName,
  serverFileName,
  PREBUILT_PLATFORMS,
}
