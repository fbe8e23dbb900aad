// The page's side of window.openroom (main/preload.js): each call's envelope turned back into a
// value or a thrown Error with the main process's `code`.

const openroom = window.openroom

async function unwrap(reply) {
  const answer = await reply
  if (!answer.ok) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
  return answer.value
}

export const api = {
  startDevServer: () => unwrap(openroom.startDevServer()),
  stopDevServer: () => unwrap(openroom.stopDevServer()),
  join: (form) => unwrap(openroom.join(form)),
  leave: () => unwrap(openroom.leave()),
  sendChat: (text) => unwrap(openroom.sendChat(text)),
  setMute: (mute) => unwrap(openroom.setMute(mute)),
  removeMember: (userId) => unwrap(openroom.admin.remove(userId)),
  dismissRoom: () => unwrap(openroom.admin.dismiss()),
  onEvent: (callback) => openroom.onEvent(callback),
}

/** An error as the page shows it: its message, with the code that names it. */
export function describeError(error) {
  return error.code === undefined ? error.message : `${error.message} (${error.code})`
}
