'use strict'
// The one place the demo names the OpenRoom package, so renaming it (or copying the demo out of
// this repository) changes one line here and the dependency in package.json.

const PACKAGE_NAME = '@openroom/trtc'

/**
 * The installed dependency (`npm install` in electron-demo links it from `file:..`); inside
 * this repository without that install (the repository's own demo test), the package it sits in.
 */
function loadOpenRoom() {
  try {
    return require(PACKAGE_NAME)
  } catch (error) {
    // Only a missing dependency falls back; a broken one (no addon built for this platform, say)
    // must say so rather than be hidden behind a second failure.
    if (error.code !== 'MODULE_NOT_FOUND' || !error.message.includes(`'${PACKAGE_NAME}'`)) {
      throw error
    }
    return require('../..')
  }
}

module.exports = loadOpenRoom()
