// window.openroom, as main/preload.js exposes it: the renderer's whole access to OpenRoom.

/** Every call answers an envelope rather than rejecting, so the error's code survives IPC. */
export type Reply<T> =
  { ok: true; value: T } | { ok: false; error: { code: string | number; message: string } }

/** The join form, as typed. `room` is a number id when all digits, else a string room id. */
export interface JoinForm {
  serverUrl: string
  sdkAppId: string | number
  room: string
  userId: string
  displayName: string
  /** From your backend; may be empty with the local dev server (main signs one). */
  userSig?: string
}

export interface Member {
  userId: string
  /** The `name` of the member's data, else its userId. */
  name: string
  hasAudio: boolean
  hasVideo: boolean
}

export type RoomId = { roomId: number } | { strRoomId: string }

/** The main process's events, in the order OpenRoom reported what they describe. */
export type DemoEvent =
  | { type: 'joined'; self: { userId: string; name: string }; room: RoomId; admin: boolean }
  | { type: 'members'; members: Member[] }
  | { type: 'member-joined'; userId: string; name: string }
  /** `reason`: OpenRoom's RemoteLeaveReason (0 left, 1 connection lost, 2 removed, 3 audience). */
  | { type: 'member-left'; userId: string; name: string; reason: number }
  | { type: 'local'; audioMuted: boolean; videoMuted: boolean }
  /** onLocalDevicesChanged: which devices to hold open now. */
  | { type: 'devices'; camera: boolean; microphone: boolean }
  /** onConnectionStateChanged: TRTCConnectionState and ConnectionChangeReason. */
  | { type: 'connection'; state: string; reason: string }
  | { type: 'chat'; from: { userId: string; name: string }; text: string; mine: boolean }
  | { type: 'problem'; level: 'warning' | 'error'; code: number; message: string }
  /** onExitRoom: 0 left, 1 removed by the server, 2 room dismissed, 3 signed in elsewhere. */
  | { type: 'exit'; reason: number }

export interface OpenRoomApi {
  /** Runs startServer() in the main process; the secret key stays there. */
  startDevServer(): Promise<Reply<{ serverUrl: string; sdkAppId: number }>>
  stopDevServer(): Promise<Reply<null>>
  /** Resolves once in the room; the 'joined' event comes first. */
  join(form: JoinForm): Promise<Reply<null>>
  /** Resolves after the 'exit' event. */
  leave(): Promise<Reply<null>>
  sendChat(text: string): Promise<Reply<null>>
  /** true mutes: the others see the stream become unavailable; the device stays open. */
  setMute(mute: { audio: boolean; video: boolean }): Promise<Reply<null>>
  /** REST admin API (needs the server's secret key in the main process: the dev server's). */
  admin: {
    remove(userId: string): Promise<Reply<null>>
    dismiss(): Promise<Reply<null>>
  }
  /** Returns a function that unsubscribes. */
  onEvent(callback: (event: DemoEvent) => void): () => void
}

declare global {
  interface Window {
    openroom: OpenRoomApi
  }
}
