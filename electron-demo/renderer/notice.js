// A short-lived notice in the corner: warnings and errors from the room, refused actions.

import { byId } from './dom.js'

/** Long enough to read two lines. */
const NOTICE_MS = 6000

let hideTimer = null

export function notify(text) {
  const toast = byId('toast')
  toast.textContent = text
  toast.hidden = false
  clearTimeout(hideTimer)
  hideTimer = setTimeout(() => (toast.hidden = true), NOTICE_MS)
}
