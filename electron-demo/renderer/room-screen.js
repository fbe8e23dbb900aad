// The room: the local preview with its mute buttons and Leave, and the member list.

import { api, describeError } from './api.js'
import { byId } from './dom.js'
import { memberRow, renderMembers } from './member-list.js'

export class RoomScreen {
  /** @param {(text: string) => void} notify shows a problem to the user */
  constructor(notify) {
    this._notify = notify
    this._self = null
    this._members = []
    this._muted = { audio: false, video: false }
    this._cameraOpen = false
    this._muteAudio = byId('mute-audio')
    this._muteVideo = byId('mute-video')
    this._muteAudio.addEventListener('click', () => this._setMute({ audio: !this._muted.audio }))
    this._muteVideo.addEventListener('click', () => this._setMute({ video: !this._muted.video }))
    byId('leave').addEventListener('click', () => this._leave())
  }

  /** A new room: `self` is `{ userId, name }`. */
  enter(self) {
    this._self = self
    this._members = []
    this._muted = { audio: false, video: false }
    byId('preview-label').textContent = `${self.name} (you)`
    byId('leave').disabled = false
    this._render()
  }

  setMembers(members) {
    this._members = members
    this._render()
  }

  /** What this app publishes, as the main process confirmed it. */
  setLocal({ audioMuted, videoMuted }) {
    this._muted = { audio: audioMuted, video: videoMuted }
    this._render()
  }

  setCameraOpen(open) {
    this._cameraOpen = open
    this._render()
  }

  _render() {
    const { audio, video } = this._muted
    this._muteAudio.setAttribute('aria-pressed', String(audio))
    this._muteAudio.textContent = audio ? 'Unmute mic' : 'Mute mic'
    this._muteVideo.setAttribute('aria-pressed', String(video))
    this._muteVideo.textContent = video ? 'Unmute cam' : 'Mute cam'
    byId('preview-off').hidden = this._cameraOpen && !video
    if (this._self === null) return
    const self = { ...this._self, hasAudio: !audio, hasVideo: !video }
    const rows = [
      memberRow(self, { self: true }),
      ...this._members.map((member) => memberRow(member)),
    ]
    renderMembers(byId('member-list'), rows)
    byId('member-count').textContent = String(rows.length)
  }

  async _setMute(change) {
    try {
      await api.setMute({ ...this._muted, ...change })
    } catch (error) {
      this._notify(describeError(error))
    }
  }

  async _leave() {
    byId('leave').disabled = true
    try {
      // The exit screen follows the 'exit' event.
      await api.leave()
    } catch (error) {
      byId('leave').disabled = false
      this._notify(describeError(error))
    }
  }
}
