// The end of a room: why it ended, in words, and the way back to the join form.

import { byId } from './dom.js'
import { icon } from './icons.js'
import { exitReason } from './words.js'

export class ExitScreen {
  /** @param {() => void} onBack called by "Back to the join screen" */
  constructor(onBack) {
    byId('rejoin').addEventListener('click', onBack)
    byId('exit-screen')
      .querySelector('.exit-icon')
      .append(icon('exit', true, 26))
  }

  show(reason) {
    const { title, detail } = exitReason(reason)
    byId('exit-title').textContent = title
    byId('exit-detail').textContent = detail
    byId('exit-screen').querySelector('.exit-card').dataset.reason = String(reason)
    return title
  }
}
