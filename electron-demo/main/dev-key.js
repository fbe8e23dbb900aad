'use strict'
// A secret key the app was started with (development only) and the one server it is for. The
// server URL and sdkAppId in the join form come from the renderer, which is untrusted: a key
// that signed for whatever the form names would give a UserSig (and the admin bearer) for any
// user to any URL the page picks. So the key comes with its server, from the same environment,
// and signs for that server and sdkAppId only.

const { demoError } = require('./ipc-arguments.js')

/** Where the app's environment names the key and its server. */
const ENV = {
  secretKey: 'OPENROOM_SECRET_KEY',
  serverUrl: 'OPENROOM_SERVER_URL',
  sdkAppId: 'OPENROOM_SDK_APP_ID',
}

/**
 * A server URL reduced to what names the server: ws:// and http:// (wss:// and https://) are
 * the same server to OpenRoom, the host is as URL normalises it, and a trailing / is nothing.
 * Null for what is not such a URL, or carries credentials.
 */
function serverOf(url) {
  let parsed
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  const scheme = parsed.protocol.replace(/^http/, 'ws')
  if ((scheme !== 'ws:' && scheme !== 'wss:') || parsed.username !== '' || parsed.password !== '') {
    return null
  }
  return `${scheme}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`
}

/** Whether two URLs name the same server. */
function sameServer(a, b) {
  const server = serverOf(a)
  return server !== null && server === serverOf(b)
}

class DevKey {
  /**
   * @param {object} [options] each as the environment has it (ENV), or missing
   * @param {string} [options.secretKey]
   * @param {string} [options.serverUrl] the one server the key signs for
   * @param {string|number} [options.sdkAppId] the one sdkAppId it signs for
   */
  constructor({ secretKey, serverUrl, sdkAppId } = {}) {
    this._secretKey = secretKey || null
    const appId = Number(sdkAppId)
    const bound =
      this._secretKey !== null &&
      serverOf(serverUrl) !== null &&
      Number.isSafeInteger(appId) &&
      appId > 0
    /** The server and sdkAppId the key signs for; null when the key is missing or not bound. */
    this.server = bound ? { serverUrl, sdkAppId: appId } : null
  }

  /** Whether the app was started with a key at all (bound to a server or not). */
  get present() {
    return this._secretKey !== null
  }

  /** The key, when `serverUrl` and `sdkAppId` are its server's; else null. */
  keyFor(serverUrl, sdkAppId) {
    const { server } = this
    if (server === null) return null
    const ours = sameServer(server.serverUrl, serverUrl) && server.sdkAppId === sdkAppId
    return ours ? this._secretKey : null
  }

  /** Why the key does not sign for `serverUrl` and `sdkAppId`: an error the page shows. */
  refusal(serverUrl, sdkAppId) {
    if (this.server === null) {
      return demoError(
        'ERR_KEY_NOT_FOR_SERVER',
        `The app was started with ${ENV.secretKey} but not with the server it is for: set ` +
          `${ENV.serverUrl} and ${ENV.sdkAppId} too (it signs for that server only), or paste ` +
          'a UserSig from your backend',
      )
    }
    return demoError(
      'ERR_KEY_NOT_FOR_SERVER',
      `${ENV.secretKey} signs only for ${this.server.serverUrl} with sdkAppId ` +
        `${this.server.sdkAppId} (${ENV.serverUrl}, ${ENV.sdkAppId}), not for ${serverUrl} with ` +
        `sdkAppId ${sdkAppId}: paste a UserSig from your backend for that server`,
    )
  }
}

/** DemoApp's options from the app's environment: the key and the server it is for. */
function devKeyOptions(env) {
  return {
    secretKey: env[ENV.secretKey],
    serverUrl: env[ENV.serverUrl],
    sdkAppId: env[ENV.sdkAppId],
  }
}

module.exports = { DevKey, devKeyOptions, sameServer, ENV }
