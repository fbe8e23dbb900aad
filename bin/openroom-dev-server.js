#!/usr/bin/env node
'use strict'
// A room server for development: `npm start`. Settings from the environment:
// OPENROOM_HOST (default 127.0.0.1), OPENROOM_PORT (default 7788), OPENROOM_SDK_APP_ID,
// OPENROOM_SECRET_KEY (without it: dev mode with public credentials), OPENROOM_SESSION_TIMEOUT
// (seconds a silent client keeps its session, default 30).

const { startServer } = require('..')

async function main() {
  const env = process.env
  const server = await startServer({
    host: env.OPENROOM_HOST,
    port: env.OPENROOM_PORT === undefined ? undefined : Number(env.OPENROOM_PORT),
    sdkAppId: env.OPENROOM_SDK_APP_ID === undefined ? undefined : Number(env.OPENROOM_SDK_APP_ID),
    secretKey: env.OPENROOM_SECRET_KEY,
    sessionTimeoutMs:
      env.OPENROOM_SESSION_TIMEOUT === undefined
        ? undefined
        : Number(env.OPENROOM_SESSION_TIMEOUT) * 1000,
  })
  console.log(`openroom room server listening on ${server.url}`)
  console.log(`REST admin API: ${server.url.replace(/^ws/, 'http')}/v1/<Action>`)
  if (server.devMode) {
    console.warn('')
    console.warn('  DEV MODE: no OPENROOM_SECRET_KEY set. Anyone can sign UserSigs with these')
    console.warn('  public credentials. Never expose this server beyond your machine.')
    console.warn(`    sdkAppId:  ${server.sdkAppId}`)
    console.warn(`    secretKey: ${server.secretKey}`)
    console.warn('')
  }
  const stop = async (signal) => {
    console.log(`${signal}: closing every session`)
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error) => {
  console.error(`openroom-dev-server: ${error.message}`)
  process.exit(1)
})
