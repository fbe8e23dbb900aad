// The page: three screens (join, room, exit) driven by the main process's events. Every change of
// screen follows an event rather than a call's answer, so the page shows what OpenRoom reported,
// in the order it reported it.

import { ActivityLog } from './activity-log.js'
import { AdminDrawer } from './admin-drawer.js'
import { api } from './api.js'
import { ChatPanel } from './chat-panel.js'
import { byId } from './dom.js'
import { ExitScreen } from './exit-screen.js'
import { JoinScreen } from './join-screen.js'
import { LocalMedia } from './local-media.js'
import { notify } from './notice.js'
import { RoomScreen } from './room-screen.js'
import { TopBar } from './topbar.js'
import { leaveReason } from './words.js'

const activity = new ActivityLog(byId('activity-log'))
const log = (kind, text, data) => activity.add(kind, text, data)
const media = new LocalMedia(byId('local-preview'), log)
const topBar = new TopBar()
const joinScreen = new JoinScreen()
const roomScreen = new RoomScreen(notify)
const chat = new ChatPanel(notify)
const admin = new AdminDrawer(notify)
const exitScreen = new ExitScreen(() => show('join'))

function show(screen) {
  for (const name of ['join', 'room', 'exit']) byId(`${name}-screen`).hidden = name !== screen
  if (screen === 'join') joinScreen.reset()
}

/** Each event of the main process (their shapes: openroom-api.d.ts). */
const handlers = {
  joined({ self, room, admin: isAdmin }) {
    media.reset()
    chat.clear()
    roomScreen.enter(self)
    admin.setMembers([])
    topBar.setRoom(room)
    topBar.showAdmin(isAdmin)
    show('room')
    log('joined', `joined room ${room.roomId ?? room.strRoomId} as ${self.name} (${self.userId})`)
  },
  members({ members }) {
    roomScreen.setMembers(members)
    admin.setMembers(members)
  },
  'member-joined'({ userId, name }) {
    chat.system(`${name} joined`)
    log('member-joined', `${name} (${userId}) joined`)
  },
  'member-left'({ userId, name, reason }) {
    chat.system(`${name} ${leaveReason(reason)}`)
    log('member-left', `${name} (${userId}) ${leaveReason(reason)}`)
  },
  local(state) {
    roomScreen.setLocal(state)
    media.setMuted({ audio: state.audioMuted, video: state.videoMuted })
  },
  devices({ camera, microphone }) {
    log(
      'devices',
      `OpenRoom: hold camera ${camera ? 'open' : 'closed'}, microphone ${microphone ? 'open' : 'closed'}`,
    )
    roomScreen.setCameraOpen(camera)
    media.want({ camera, microphone })
  },
  connection({ state, reason }) {
    topBar.setConnection(state, reason)
    log('connection', `connection ${state} (${reason})`)
  },
  chat(message) {
    chat.message(message)
  },
  problem({ level, code, message }) {
    notify(`${message} (${code})`)
    log(level, `${level} ${code}: ${message}`)
  },
  async exit({ reason }) {
    // The camera and microphone are stopped before the exit is shown: OpenRoom reported
    // onLocalDevicesChanged(false, false) first, and this waits for any open still under way.
    await media.release()
    admin.close()
    topBar.setRoom(null)
    topBar.showAdmin(false)
    const title = exitScreen.show(reason)
    show('exit')
    log('exit-shown', `exit shown: ${title}`, {
      reason: String(reason),
      trackStates: media.openedTrackStates(),
    })
  },
}

api.onEvent((event) => {
  const handler = handlers[event.type]
  if (handler === undefined) log('unknown', `an event this page does not know: ${event.type}`)
  else handler(event)
})
