// The chat: bubbles for messages (custom messages carrying JSON, see main/chat-message.js),
// centred lines for arrivals and departures, and the composer.

import { api, describeError } from './api.js'
import { avatar, byId, h } from './dom.js'

export class ChatPanel {
  /** @param {(text: string) => void} notify shows a problem to the user */
  constructor(notify) {
    this._log = byId('chat-log')
    this._form = byId('chat-form')
    this._notify = notify
    this._form.addEventListener('submit', (event) => {
      event.preventDefault()
      this._send()
    })
  }

  clear() {
    this._log.replaceChildren()
  }

  /** @param {{ from: { userId: string, name: string }, text: string, mine: boolean }} message */
  message({ from, text, mine }) {
    const bubble = h('div', { class: 'bubble' }, text)
    const row = mine
      ? h('li', { class: 'bubble-row mine', dataset: { from: from.userId } }, bubble)
      : h(
          'li',
          { class: 'bubble-row', dataset: { from: from.userId } },
          avatar(from.name, from.userId),
          h('div', {}, h('div', { class: 'bubble-author' }, from.name), bubble),
        )
    this._append(row)
  }

  system(text) {
    this._append(h('li', { class: 'system-line' }, text))
  }

  _append(row) {
    this._log.append(row)
    row.scrollIntoView({ block: 'end' })
  }

  async _send() {
    const input = this._form.elements.namedItem('text')
    const text = input.value.trim()
    if (text === '') return
    try {
      await api.sendChat(text)
      input.value = ''
    } catch (error) {
      // The text stays in the box, to send again.
      this._notify(describeError(error))
    }
  }
}
