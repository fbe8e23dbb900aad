'use strict'
// trtc-electron-sdk apps import their constants from 'trtc-electron-sdk/liteav/trtc_define';
// the same path works here.

// trtcEnum is OpenRoom's helper, not part of trtc_define.
const { trtcEnum: _helper, ...trtcDefine } = require('../lib/trtc-define.js')

module.exports = { ...require('../lib/constants.js'), ...trtcDefine }
