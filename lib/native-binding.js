'use strict'
// The native addon (src/lib.rs). Every lib/ module that calls into Rust requires it from here,
// so a machine without the binary fails at the first require, with OpenRoom's own message
// (lib/platform.js) instead of a bare "Cannot find module".

const { addonPath } = require('./platform.js')

module.exports = require(addonPath())
