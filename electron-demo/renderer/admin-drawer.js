// The admin drawer (dev mode): remove a member or dismiss the room through the REST admin API.
// The main process makes the calls with RoomServiceClient; the secret key never comes here.

import { api, describeError } from './api.js'
import { byId, h } from './dom.js'
import { memberRow, renderMembers } from './member-list.js'

export class AdminDrawer {
  /** @param {(text: string) => void} notify shows a problem to the user */
  constructor(notify) {
    this._notify = notify
    this._drawer = byId('admin-drawer')
    byId('admin-open').addEventListener('click', () => (this._drawer.hidden = false))
    byId('admin-close').addEventListener('click', () => this.close())
    byId('admin-dismiss').addEventListener('click', () => this._act(() => api.dismissRoom()))
  }

  close() {
    this._drawer.hidden = true
  }

  setMembers(members) {
    const rows = members.map((member) =>
      memberRow(member, {
        action: h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Remove ${member.name}`,
            onclick: () => this._act(() => api.removeMember(member.userId)),
          },
          'Remove',
        ),
      }),
    )
    renderMembers(byId('admin-members'), rows)
  }

  async _act(call) {
    try {
      await call()
    } catch (error) {
      this._notify(describeError(error))
    }
  }
}
