// What happened, in order, at the foot of the page: a developer's view of the events, and the
// record that shows the camera and microphone were stopped before the exit was shown.

import { h } from './dom.js'

export class ActivityLog {
  constructor(list) {
    this._list = list
  }

  /** One line; `kind` and `data` also go on the element as data-* attributes. */
  add(kind, text, data = {}) {
    const time = new Date().toLocaleTimeString([], { hour12: false })
    this._list.append(h('li', { dataset: { kind, ...data } }, `${time}  ${text}`))
    this._list.lastElementChild.scrollIntoView({ block: 'nearest' })
  }
}
