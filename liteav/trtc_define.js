'use strict'
// trtc-electron-sdk apps import their constants from 'trtc-electron-sdk/liteav/trtc_define';
// the same path works here.

module.exports = require('../lib/constants.js')
