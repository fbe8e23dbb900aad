// The top bar: which room, the connection state pill, and the admin button.

import { byId } from './dom.js'
import { connectionState } from './words.js'

export class TopBar {
  constructor() {
    this._room = byId('room-title')
    this._pill = byId('connection-pill')
    this.adminButton = byId('admin-open')
  }

  /** `room` is `{ roomId }` or `{ strRoomId }`; null outside a room. */
  setRoom(room) {
    // Emptied rather than hidden: the bar's three columns stay where they are.
    this._room.textContent = room === null ? '' : `Room ${room.roomId ?? room.strRoomId}`
  }

  setConnection(state, reason) {
    this._pill.dataset.state = state
    this._pill.textContent = connectionState(state)
    this._pill.title = reason ? `${state} (${reason})` : state
  }

  showAdmin(show) {
    this.adminButton.hidden = !show
  }
}
