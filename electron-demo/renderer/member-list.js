// A member as a row: avatar from the initials, display name, userId, and either the audio and
// video pills or an action (the admin drawer's Remove button).

import { avatar, h } from './dom.js'
import { statusPill } from './icons.js'

/** @param {{ userId: string, name: string, hasAudio: boolean, hasVideo: boolean }} member */
export function memberRow(member, { self = false, action = null } = {}) {
  const { userId, name, hasAudio, hasVideo } = member
  return h(
    'li',
    {
      class: 'member',
      dataset: { userId, audio: hasAudio ? 'on' : 'off', video: hasVideo ? 'on' : 'off' },
    },
    avatar(name, userId),
    h(
      'span',
      {},
      h('span', { class: 'member-name' }, self ? `${name} (you)` : name),
      h('span', { class: 'member-id' }, userId),
    ),
    action ??
      h(
        'span',
        { class: 'member-pills' },
        statusPill('mic', hasAudio),
        statusPill('cam', hasVideo),
      ),
  )
}

export function renderMembers(list, rows) {
  list.replaceChildren(...rows)
}
