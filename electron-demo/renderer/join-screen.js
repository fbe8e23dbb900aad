// The join form: where to connect and as whom, and the local dev server switch.

import { api, describeError } from './api.js'
import { byId } from './dom.js'

export class JoinScreen {
  constructor() {
    this._form = byId('join-form')
    this._devSwitch = byId('dev-server-switch')
    this._error = byId('join-error')
    this._button = byId('join-button')
    this._field('userId').value ||= `guest-${Math.floor(1000 + Math.random() * 9000)}`
    this._devSwitch.addEventListener('change', () => this._switchDevServer())
    this._form.addEventListener('submit', (event) => {
      event.preventDefault()
      this._join()
    })
  }

  /** Ready for another join: the form keeps what was typed. */
  reset() {
    this._busy(false)
    this._showError(null)
  }

  async _switchDevServer() {
    const on = this._devSwitch.checked
    this._devSwitch.disabled = true
    this._showError(null)
    try {
      if (on) {
        const { serverUrl, sdkAppId } = await api.startDevServer()
        this._field('serverUrl').value = serverUrl
        this._field('sdkAppId').value = String(sdkAppId)
      } else {
        await api.stopDevServer()
      }
      this._useDevServer(on)
    } catch (error) {
      this._devSwitch.checked = !on
      this._showError(describeError(error))
    } finally {
      this._devSwitch.disabled = false
    }
  }

  /** With the dev server on, main fills where to connect and signs the UserSig itself. */
  _useDevServer(on) {
    this._field('serverUrl').readOnly = on
    this._field('sdkAppId').readOnly = on
    byId('user-sig-field').hidden = on
    if (on) this._field('userSig').value = ''
  }

  async _join() {
    this._busy(true)
    this._showError(null)
    const value = (name) => this._field(name).value
    try {
      // The screen changes on the 'joined' event; this only waits for the answer.
      await api.join({
        serverUrl: value('serverUrl'),
        sdkAppId: value('sdkAppId'),
        room: value('room'),
        userId: value('userId'),
        displayName: value('displayName'),
        userSig: value('userSig'),
      })
    } catch (error) {
      this._showError(describeError(error))
      this._busy(false)
    }
  }

  _busy(busy) {
    this._button.disabled = busy
    this._button.textContent = busy ? 'Joining…' : 'Join room'
  }

  _showError(message) {
    this._error.hidden = message === null
    this._error.textContent = message ?? ''
  }

  _field(name) {
    return this._form.elements.namedItem(name)
  }
}
