// What OpenRoom's numbers and states mean, in words a person reads.

/** onExitRoom's reason (OpenRoom's ExitRoomReason, TRTC's numbers). */
const EXIT_REASONS = {
  0: { title: 'Left', detail: 'You left the room.' },
  1: { title: 'Removed by the server', detail: 'An admin removed you from the room.' },
  2: { title: 'Room dismissed', detail: 'The room was closed for everyone.' },
  3: { title: 'Signed in elsewhere', detail: 'Your user ID joined this room from another device.' },
}

export function exitReason(reason) {
  return EXIT_REASONS[reason] ?? { title: 'Left', detail: `The room ended (reason ${reason}).` }
}

/** onRemoteUserLeaveRoom's reason (RemoteLeaveReason). */
const LEAVE_REASONS = {
  0: 'left',
  1: 'lost the connection',
  2: 'was removed',
  3: 'stopped publishing (audience)',
}

export function leaveReason(reason) {
  return LEAVE_REASONS[reason] ?? 'left'
}

/** onConnectionStateChanged's state (TRTCConnectionState). */
const CONNECTION_STATES = {
  DISCONNECTED: 'Offline',
  CONNECTING: 'Connecting…',
  CONNECTED: 'Connected',
  RECONNECTING: 'Reconnecting…',
}

export function connectionState(state) {
  return CONNECTION_STATES[state] ?? state
}
