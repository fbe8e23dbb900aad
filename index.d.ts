// Type definitions for openroom: trtc-electron-sdk's TRTCCloud room API on a self-hosted server.

import { EventEmitter } from 'node:events'
import Define = require('./lib/trtc-define')

// The module is TRTCCloud itself (module.exports = TRTCCloud, as trtc-electron-sdk's default
// export), with everything else as its properties: `export =` with a merged namespace types
// `require('@openroom/trtc')`, `import TRTCCloud from '@openroom/trtc'` and
// `import { TRTCParams } from '@openroom/trtc'` alike.

/** trtc-electron-sdk's TRTCCloud, backed by an OpenRoom server. */
declare class TRTCCloud extends EventEmitter {
  constructor(config?: TRTCCloud.TRTCCloudConfig)
  /**
   * The process-wide shared instance: the first TRTCCloud made (not a sub-cloud), as in
   * trtc-electron-sdk, or one made now with `config` when there is none.
   */
  static getTRTCShareInstance(config?: TRTCCloud.TRTCCloudConfig): TRTCCloud
  /** Destroy the shared instance; the next getTRTCShareInstance() creates a new one. */
  static destroyTRTCShareInstance(): void

  /**
   * Enter a room. Emits onEnterRoom (and onError on failure); resolves to the elapsed ms or
   * rejects with an OpenRoomError whose code is the TRTC error code. Calling it while in,
   * entering or exiting a room rejects with -3301 (and emits onError) and leaves that room untouched.
   * The promise never causes an unhandled rejection if you ignore it.
   *
   * exitRoom() while entering: if the server has not let us in yet, entering is cancelled
   * (onEnterRoom(-3301), then onExitRoom(0)); if it already has, the enter completes
   * (onEnterRoom(ms)) and the exit follows (onExitRoom(0)). Either way onExitRoom(0) is last.
   */
  enterRoom(
    params: TRTCCloud.TRTCParams | TRTCCloud.TRTCParamsLike | null | undefined,
    scene?: TRTCCloud.TRTCAppScene,
  ): Promise<number>
  /**
   * Leave the room. Local audio and video stop at once: onLocalDevicesChanged(false, false)
   * when a device was open, and the others see onUserAudioAvailable / onUserVideoAvailable(userId,
   * 0) for what was published, then onRemoteUserLeaveRoom(userId, 0) — the server tells every
   * other member before it acknowledges the exit; then this instance gets onExitRoom(0). (Each member has
   * its own connection, so in one process another member's event may still be on its way when
   * this onExitRoom arrives.) Resolves after onExitRoom; resolves at once when not in a room.
   * If the server is unreachable the exit completes locally within exitTimeoutMs.
   */
  exitRoom(): Promise<void>
  /**
   * Move to another room in one step. Emits onSwitchRoom(0, '') and then, with nothing in
   * between, onRemoteUserLeaveRoom(userId, 0) for each member of the old room and
   * onRemoteUserEnterRoom for each member of the new one; the old room's members see this
   * instance leave (reason 0), the new room's see it arrive. On failure (room full, bad
   * UserSig, already in that room, not in a room) onSwitchRoom(code, message) and the
   * instance is still in its old room, untouched. Resolves on success, rejects with an
   * OpenRoomError carrying the code.
   */
  switchRoom(
    config: TRTCCloud.TRTCSwitchRoomParam | Partial<TRTCCloud.TRTCSwitchRoomParam> | null,
  ): Promise<void>
  /**
   * The connection to the room server now, as the last onConnectionStateChanged reported it:
   * 'DISCONNECTED' when not in a room.
   */
  getConnectionState(): TRTCCloud.TRTCConnectionState
  /**
   * OpenRoom's (Qiniu's getRemoteUsers): the other members this instance sees now, in the order
   * they entered, with their data and what they publish. Up to date with the events delivered
   * so far: inside an onRemoteUserEnterRoom listener the new member is listed. A fresh copy on
   * every call; empty outside a room.
   */
  getRemoteUsers(): TRTCCloud.RemoteUser[]
  /**
   * OpenRoom's: replace this member's data (TRTCParams.userData; null clears it). The others
   * who see this member get onRemoteUserDataUpdated(userId, userData). Resolves once it is on
   * its way (set while reconnecting, it is told once back); a room whose member data is full
   * (512 bytes for each member it may hold, 64 KiB to 1 MiB) refuses it later with
   * onError(-7011), and the old data stays.
   * @throws (rejects) -7011 ERR_USER_DATA_INVALID: not JSON-serialisable, or over 4096 bytes as
   *   JSON; -7009 ERR_NOT_IN_ROOM outside a room
   */
  setUserData(userData: TRTCCloud.UserData | null): Promise<void>
  /**
   * Another TRTCCloud, with this instance's options, that enters a room of its own (TRTC's
   * sub-cloud: the same user in several rooms at once). It has its own events and shares this
   * instance's connection to the server (one WebSocket, one channel per room; reconnected
   * together). destroy() of this instance destroys its sub-clouds, each ending with its own
   * onExitRoom(0). A sub-cloud's createSubCloud() makes a sibling owned by the same main instance.
   * @throws OpenRoomError 'ERR_DESTROYED' after destroy()
   */
  createSubCloud(): TRTCCloud
  /**
   * Destroy a sub-cloud made by createSubCloud() (as subCloud.destroy() does).
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for an instance that is not one of its sub-clouds
   */
  destroySubCloud(subCloud: TRTCCloud): void
  /**
   * Send a custom message to the room's other members (TRTC's signature and limits). They get
   * onRecvCustomCmdMsg(userId, cmdId, seq, message) with `message` as a string (a Buffer with
   * `customMessageAs: 'buffer'`); the sender gets
   * nothing back. Messages from one sender arrive in the order sent, each once, also across a
   * resumed connection. `reliable: false` messages may be dropped for a member that falls behind,
   * which then gets onMissCustomCmdMsg; `ordered` is accepted (every message is ordered).
   * @param cmdId 1 to 10
   * @param data a string (sent as UTF-8), Buffer or Uint8Array, at most 1024 bytes
   * @returns true when the message is on its way; false, with onWarning(code, message) emitted
   *   afterwards, when refused: 7101 not in a room, 7102 bad cmdId or data, 7103 over 1 KB,
   *   7104 over 30 messages or 7105 over 8 KB in the last second, 7106 an audience member,
   *   7107 1024 messages already wait for the server to take them (see TXLiteAVWarning). A
   *   message that returned true is never dropped to make room: it reaches the others, or the
   *   connection is lost and onConnectionLost says so.
   */
  sendCustomCmdMsg(
    cmdId: number,
    data: string | Uint8Array,
    reliable?: boolean,
    ordered?: boolean,
  ): boolean
  /**
   * Start publishing audio. OpenRoom carries no media: the app opens the microphone itself when
   * onLocalDevicesChanged says so. In a room the others get onUserAudioAvailable(userId, 1);
   * before entering, the audio is published from the moment the instance enters. An audience
   * member's audio is kept back until it becomes an anchor.
   * @param quality a TRTCAudioQuality; default TRTCAudioQualityDefault
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for another value; 'ERR_DESTROYED' after destroy()
   */
  startLocalAudio(quality?: TRTCCloud.TRTCAudioQuality): void
  /** Stop publishing audio and close the microphone (onLocalDevicesChanged); the others get onUserAudioAvailable(userId, 0). */
  stopLocalAudio(): void
  /**
   * Mute or unmute the published audio: the others get onUserAudioAvailable(userId, 0 / 1). The
   * microphone stays open, as in TRTC. The mute holds until the room ends or destroy(), also
   * across start/stop.
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' when mute is not a boolean
   */
  muteLocalAudio(mute: boolean): void
  /**
   * Start the camera and publish video: the app opens the camera and renders it itself
   * (onLocalDevicesChanged); the others get onUserVideoAvailable(userId, 1).
   * @param view accepted for trtc-electron-sdk's signature and not used
   */
  startLocalPreview(view?: unknown): void
  /** Stop the camera (onLocalDevicesChanged); the others get onUserVideoAvailable(userId, 0). */
  stopLocalPreview(): void
  /**
   * Mute or unmute the published video; the camera stays open. The others get
   * onUserVideoAvailable(userId, 0 / 1).
   * @param streamType TRTCVideoStreamTypeBig (0, the default); OpenRoom has no sub (screen sharing) or small stream
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for another stream type or a mute that is not a boolean
   */
  muteLocalVideo(mute: boolean, streamType?: TRTCCloud.TRTCVideoStreamType): void
  /** The native order, which trtc-electron-sdk releases before 13 took. */
  muteLocalVideo(streamType: TRTCCloud.TRTCVideoStreamType, mute: boolean): void
  /**
   * Become an anchor or an audience member (LIVE and VoiceChatRoom scenes). On success
   * onSwitchRole(0, ''), after the others saw it: an audience member becoming an anchor enters
   * (onRemoteUserEnterRoom, then onUserAudioAvailable / onUserVideoAvailable for what it
   * publishes); an anchor becoming audience stops its streams (… 0) and leaves
   * (onRemoteUserLeaveRoom(userId, 3)). Asking for the current role succeeds and changes
   * nothing. A switch asked for while reconnecting is made once back.
   * @returns resolves on success; rejects with an OpenRoomError after onSwitchRole(code, message):
   *   -7007 in a scene without roles, -7008 not a TRTCRoleType, -7009 outside a room or after
   *   exitRoom(); 'ERR_DESTROYED' after destroy()
   */
  switchRole(role: TRTCCloud.TRTCRoleType): Promise<void>

  // The log (process-wide, as in TRTC; docs/logging.md).
  /** OpenRoom's version (the package's), where trtc-electron-sdk gives its own. */
  getSDKVersion(): string
  /**
   * What the log lets through, for every output: TRTCLogLevelVerbose (0) … TRTCLogLevelNone
   * (6); default TRTCLogLevelInfo. Nothing is logged until an output is on.
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for another value
   */
  setLogLevel(level: TRTCCloud.TRTCLogLevel): void
  /** Write the log to stderr (default false). */
  setConsoleEnabled(enabled: boolean): void
  /** Accepted for trtc-electron-sdk's signature: OpenRoom's log files are always plain text. */
  setLogCompressEnabled(enabled: boolean): void
  /**
   * Write the log also to openroom.<UTC date>.log in `path` (created if missing; a file:/// URL
   * works too), a file a day, the newest seven kept.
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' when the directory cannot be made or written
   */
  setLogDirPath(path: string): void
  /**
   * Pass each log line to `callback` (on the main thread, after the line was written): the
   * formatted line, its TRTCLogLevel and its module ('openroom_client::session', 'app' …).
   * null stops it.
   */
  setLogCallback(
    callback: ((log: string, level: TRTCCloud.TRTCLogLevel, module: string) => void) | null,
  ): void
  /** Write the app's own line into the log, at Info, module 'app'. */
  log(info: string): void

  // Settings of media OpenRoom does not carry: checked (a bad argument throws an OpenRoomError
  // 'ERR_INVALID_ARG_VALUE'), and with nothing to apply them to (docs/media.md).
  /** Whether to receive remote audio and video on entering. Checked; no effect. */
  setDefaultStreamRecvMode(autoRecvAudio: boolean, autoRecvVideo: boolean): void
  /** Stop (true) or resume receiving a member's audio. Checked; no effect (onUserAudioAvailable is unchanged, as in TRTC). */
  muteRemoteAudio(userId: string, mute: boolean): void
  /** Stop (true) or resume receiving every member's audio. Checked; no effect. */
  muteAllRemoteAudio(mute: boolean): void
  /** A member's playback volume, an integer 0–150. Checked; no effect. */
  setRemoteAudioVolume(userId: string, volume: number): void
  /** Stop (true) or resume receiving a member's video. Checked; no effect. */
  muteRemoteVideoStream(
    userId: string,
    mute: boolean,
    streamType?: TRTCCloud.TRTCVideoStreamType,
  ): void
  /** The native order, which trtc-electron-sdk releases before 13 took. */
  muteRemoteVideoStream(
    userId: string,
    streamType: TRTCCloud.TRTCVideoStreamType,
    mute: boolean,
  ): void
  /** Stop (true) or resume receiving every member's video. Checked; no effect. */
  muteAllRemoteVideoStreams(mute: boolean): void
  /** The capture volume, an integer 0–150, kept for getAudioCaptureVolume(). */
  setAudioCaptureVolume(volume: number): void
  /** What setAudioCaptureVolume() set on this instance; 100 until then. */
  getAudioCaptureVolume(): number
  /** @deprecated trtc-electron-sdk's older name for setAudioCaptureVolume(). */
  setMicVolumeOnMixing(volume: number): void
  /** The playout volume, an integer 0–150, kept for getAudioPlayoutVolume(). */
  setAudioPlayoutVolume(volume: number): void
  /** What setAudioPlayoutVolume() set on this instance; 100 until then. */
  getAudioPlayoutVolume(): number
  /** Volume reports every `interval` ms (0 or less: off). Checked; onUserVoiceVolume never comes. */
  enableAudioVolumeEvaluation(interval: number): void
  /** The audio quality. Checked; no effect. */
  setAudioQuality(quality: TRTCCloud.TRTCAudioQuality): void

  /**
   * Exit the room if in one (onExitRoom(0) still arrives), close the devices
   * (onLocalDevicesChanged(false, false) when one was open, in a room or not); later enterRoom
   * calls reject with 'ERR_DESTROYED'.
   */
  destroy(): void

  on<E extends TRTCCloud.TRTCCloudEventName>(event: E, listener: TRTCCloud.TRTCCloudEvents[E]): this
  once<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  off<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  addListener<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  removeListener<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  prependListener<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  prependOnceListener<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    listener: TRTCCloud.TRTCCloudEvents[E],
  ): this
  emit<E extends TRTCCloud.TRTCCloudEventName>(
    event: E,
    ...args: Parameters<TRTCCloud.TRTCCloudEvents[E]>
  ): boolean
}

/**
 * trtc-electron-sdk's media methods (docs/media.md): present so a ported app fails where it
 * calls one, each throwing an OpenRoomError 'ERR_NOT_SUPPORTED' that names it.
 */
interface TRTCCloud extends TRTCCloud.UnsupportedMethods {}

declare namespace TRTCCloud {
  /**
   * trtc-electron-sdk's TRTCCloud methods OpenRoom does not support, by kind (lib/unsupported-methods.js):
   * each throws an OpenRoomError 'ERR_NOT_SUPPORTED' naming the method, whatever its arguments.
   */
  export interface UnsupportedMethods {
    // Cross-room calls
    /** Not supported (cross-room calls): throws 'ERR_NOT_SUPPORTED'. */
    connectOtherRoom(...args: unknown[]): never
    /** Not supported (cross-room calls): throws 'ERR_NOT_SUPPORTED'. */
    disconnectOtherRoom(...args: unknown[]): never

    // CDN publishing and stream mixing
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    startPublishMediaStream(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    updatePublishMediaStream(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    stopPublishMediaStream(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    startPublishing(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    stopPublishing(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    startPublishCDNStream(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    stopPublishCDNStream(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    setMixTranscodingConfig(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    createLocalMediaTranscoder(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    destroyLocalMediaTranscoder(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    getMediaMixingManager(...args: unknown[]): never
    /** Not supported (CDN publishing and stream mixing): throws 'ERR_NOT_SUPPORTED'. */
    getMediaMixingService(...args: unknown[]): never

    // Video rendering
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    getConfigObject(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setExternalRenderEnabled(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setCaptureLocalVideoEnabled(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    updateLocalView(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    startRemoteView(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    stopRemoteView(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    updateRemoteView(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    stopAllRemoteView(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setLocalRenderParams(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setLocalViewFillMode(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteRenderParams(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteViewFillMode(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setLocalViewRotation(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteViewRotation(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setLocalViewMirror(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setRenderMode(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setEnableRenderFrame(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    addLocalVideoRenderCallback(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    removeLocalVideoRenderCallback(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setLocalVideoRenderCallback(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteVideoRenderCallback(...args: unknown[]): never
    /** Not supported (video rendering): throws 'ERR_NOT_SUPPORTED'. */
    snapshotVideo(...args: unknown[]): never

    // Video capture and encoding
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setCameraCaptureParams(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setVideoMuteImage(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setVideoEncoderParam(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setNetworkQosParam(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setVideoEncoderRotation(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setVideoEncoderMirror(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    enableSmallVideoStream(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteVideoStreamType(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setPriorRemoteVideoStreamType(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setBeautyStyle(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    setWaterMark(...args: unknown[]): never
    /** Not supported (video capture and encoding): throws 'ERR_NOT_SUPPORTED'. */
    sendSEIMsg(...args: unknown[]): never

    // Recording
    /** Not supported (recording): throws 'ERR_NOT_SUPPORTED'. */
    startLocalRecording(...args: unknown[]): never
    /** Not supported (recording): throws 'ERR_NOT_SUPPORTED'. */
    stopLocalRecording(...args: unknown[]): never
    /** Not supported (recording): throws 'ERR_NOT_SUPPORTED'. */
    startAudioRecording(...args: unknown[]): never
    /** Not supported (recording): throws 'ERR_NOT_SUPPORTED'. */
    stopAudioRecording(...args: unknown[]): never

    // Audio processing
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteAudioParallelParams(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    enable3DSpatialAudioEffect(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    updateSelf3DSpatialPosition(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    updateRemote3DSpatialPosition(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    set3DSpatialReceivingRange(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    enableVoiceEarMonitor(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setVoiceEarMonitorVolume(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setVoiceCaptureVolume(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setVoicePitch(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setVoiceReverbType(...args: unknown[]): never
    /** Not supported (audio processing): throws 'ERR_NOT_SUPPORTED'. */
    setVoiceChangerType(...args: unknown[]): never

    // Devices
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCameraDevicesList(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentCameraDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentCameraDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getMicDevicesList(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentMicDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentMicDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentMicDeviceVolume(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentMicDeviceVolume(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentMicDeviceMute(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentMicDeviceMute(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getSpeakerDevicesList(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentSpeakerDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentSpeakerDevice(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentSpeakerVolume(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentSpeakerVolume(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    setCurrentSpeakerDeviceMute(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    getCurrentSpeakerDeviceMute(...args: unknown[]): never
    /** Not supported (devices): throws 'ERR_NOT_SUPPORTED'. */
    enableFollowingDefaultAudioDevice(...args: unknown[]): never

    // Screen sharing and the sub stream
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    startRemoteSubStreamView(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    stopRemoteSubStreamView(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteSubStreamViewFillMode(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    setRemoteSubStreamViewRotation(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    getScreenCaptureSources(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    selectScreenCaptureTarget(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    startScreenCapture(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    pauseScreenCapture(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    resumeScreenCapture(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    stopScreenCapture(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    setSubStreamEncoderParam(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    setSubStreamMixVolume(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    addExcludedShareWindow(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    removeExcludedShareWindow(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    removeAllExcludedShareWindow(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    addIncludedShareWindow(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    removeIncludedShareWindow(...args: unknown[]): never
    /** Not supported (screen sharing and the sub stream): throws 'ERR_NOT_SUPPORTED'. */
    removeAllIncludedShareWindow(...args: unknown[]): never

    // Custom capture and raw audio
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    enableCustomAudioCapture(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    sendCustomAudioData(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    enableMixExternalAudioFrame(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    mixExternalAudioFrame(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    setMixExternalAudioVolume(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    generateCustomPTS(...args: unknown[]): never
    /** Not supported (custom capture and raw audio): throws 'ERR_NOT_SUPPORTED'. */
    setAudioFrameCallback(...args: unknown[]): never

    // Music, background music, sound effects and system audio
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    playBGM(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    stopBGM(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    pauseBGM(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    resumeBGM(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    getBGMDuration(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setBGMPosition(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setBGMVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setBGMPlayoutVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setBGMPublishVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    startSystemAudioLoopback(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    stopSystemAudioLoopback(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setSystemAudioLoopbackVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setMusicObserver(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    startPlayMusic(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    stopPlayMusic(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    pausePlayMusic(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    resumePlayMusic(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    getMusicCurrentPosInMS(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    getMusicDurationInMS(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    seekMusicToPosInTime(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setAllMusicVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setMusicPlayoutVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setMusicPublishVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setMusicPitch(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    playAudioEffect(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setAudioEffectVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    stopAudioEffect(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    stopAllAudioEffects(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    setAllAudioEffectsVolume(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    pauseAudioEffect(...args: unknown[]): never
    /** Not supported (music, background music, sound effects and system audio): throws 'ERR_NOT_SUPPORTED'. */
    resumeAudioEffect(...args: unknown[]): never

    // Device and network tests
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    startSpeedTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    stopSpeedTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    startCameraDeviceTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    stopCameraDeviceTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    startMicDeviceTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    stopMicDeviceTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    startSpeakerDeviceTest(...args: unknown[]): never
    /** Not supported (device and network tests): throws 'ERR_NOT_SUPPORTED'. */
    stopSpeakerDeviceTest(...args: unknown[]): never

    // Media plugins and experimental APIs
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    setPluginParams(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    addPlugin(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    removePlugin(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    setPluginCallback(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    initPluginManager(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    destroyPluginManager(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    getPluginList(...args: unknown[]): never
    /** Not supported (media plugins and experimental apis): throws 'ERR_NOT_SUPPORTED'. */
    callExperimentalAPI(...args: unknown[]): never
  }

  // The rest of trtc-electron-sdk's trtc_define: its enums and parameter classes (lib/trtc-define.d.ts).
  export import TRTCVideoResolution = Define.TRTCVideoResolution
  export import TRTCVideoResolutionMode = Define.TRTCVideoResolutionMode
  export import TRTCQuality = Define.TRTCQuality
  export import TRTCVideoFillMode = Define.TRTCVideoFillMode
  export import TRTCVideoRotation = Define.TRTCVideoRotation
  export import TRTCBeautyStyle = Define.TRTCBeautyStyle
  export import TRTCVideoPixelFormat = Define.TRTCVideoPixelFormat
  export import TRTCVideoBufferType = Define.TRTCVideoBufferType
  export import TRTCVideoMirrorType = Define.TRTCVideoMirrorType
  export import TRTCRecordType = Define.TRTCRecordType
  export import TRTCQosControlMode = Define.TRTCQosControlMode
  export import TRTCVideoQosPreference = Define.TRTCVideoQosPreference
  export import TRTCAudioFrameFormat = Define.TRTCAudioFrameFormat
  export import TRTCScreenCaptureSourceType = Define.TRTCScreenCaptureSourceType
  export import TRTCImageBuffer = Define.TRTCImageBuffer
  export import TRTCScreenCaptureSourceInfo = Define.TRTCScreenCaptureSourceInfo
  export import TRTCScreenCaptureProperty = Define.TRTCScreenCaptureProperty
  export import TRTCDeviceInfo = Define.TRTCDeviceInfo
  export import TRTCVideoFrame = Define.TRTCVideoFrame
  export import TRTCAudioFrame = Define.TRTCAudioFrame
  export import TRTCLogLevel = Define.TRTCLogLevel
  export import TRTCDeviceState = Define.TRTCDeviceState
  export import TRTCDeviceType = Define.TRTCDeviceType
  export import TRTCCameraCaptureMode = Define.TRTCCameraCaptureMode
  export import TRTCVideoColorRange = Define.TRTCVideoColorRange
  export import TRTCVideoColorSpace = Define.TRTCVideoColorSpace
  export import TRTCVideoEncodeComplexity = Define.TRTCVideoEncodeComplexity
  export import TRTCWaterMarkSrcType = Define.TRTCWaterMarkSrcType
  export import TRTCVideoEncParam = Define.TRTCVideoEncParam
  export import TRTCRenderParams = Define.TRTCRenderParams
  export import TRTCNetworkQosParam = Define.TRTCNetworkQosParam
  export import TRTCQualityInfo = Define.TRTCQualityInfo
  export import TRTCVolumeInfo = Define.TRTCVolumeInfo
  export import TRTCSpeedTestParams = Define.TRTCSpeedTestParams
  export import TRTCSpeedTestResult = Define.TRTCSpeedTestResult
  export import Rect = Define.Rect
  export import TRTCMixUser = Define.TRTCMixUser
  export import TRTCTranscodingConfigMode = Define.TRTCTranscodingConfigMode
  export import TRTCMixInputType = Define.TRTCMixInputType
  export import TRTCAudioRecordingContent = Define.TRTCAudioRecordingContent
  export import TRTCPublishMode = Define.TRTCPublishMode
  export import TRTCVoiceReverbType = Define.TRTCVoiceReverbType
  export import TRTCVoiceChangerType = Define.TRTCVoiceChangerType
  export import TRTCPluginType = Define.TRTCPluginType
  export import TRTCTranscodingConfig = Define.TRTCTranscodingConfig
  export import TRTCPublishCDNParam = Define.TRTCPublishCDNParam
  export import TRTCAudioRecordingParams = Define.TRTCAudioRecordingParams
  export import TRTCAudioEffectParam = Define.TRTCAudioEffectParam
  export import TRTCLocalStatistics = Define.TRTCLocalStatistics
  export import TRTCRemoteStatistics = Define.TRTCRemoteStatistics
  export import TRTCStatistics = Define.TRTCStatistics
  export import AudioMusicParam = Define.AudioMusicParam
  export import VideoBufferInfo = Define.VideoBufferInfo

  /** What kind of room this is (trtc-electron-sdk's TRTCAppScene). */
  export const TRTCAppScene: Readonly<{
    TRTCAppSceneVideoCall: 0
    TRTCAppSceneLIVE: 1
    TRTCAppSceneAudioCall: 2
    TRTCAppSceneVoiceChatRoom: 3
    readonly [value: number]: string
  }>
  export type TRTCAppScene = 0 | 1 | 2 | 3

  /** Anchors publish; audience members watch (trtc-electron-sdk's TRTCRoleType). */
  export const TRTCRoleType: Readonly<{
    TRTCRoleAnchor: 20
    TRTCRoleAudience: 21
    readonly [value: number]: string
  }>
  export type TRTCRoleType = 20 | 21

  /** startLocalAudio's argument (trtc-electron-sdk's TRTCAudioQuality). */
  export const TRTCAudioQuality: Readonly<{
    TRTCAudioQualitySpeech: 1
    TRTCAudioQualityDefault: 2
    TRTCAudioQualityMusic: 3
    readonly [value: number]: string
  }>
  export type TRTCAudioQuality = 1 | 2 | 3

  /** Video stream types (trtc-electron-sdk's TRTCVideoStreamType); OpenRoom has the big one. */
  export const TRTCVideoStreamType: Readonly<{
    TRTCVideoStreamTypeBig: 0
    TRTCVideoStreamTypeSmall: 1
    TRTCVideoStreamTypeSub: 2
    readonly [value: number]: string
  }>
  export type TRTCVideoStreamType = 0 | 1 | 2

  /** Error codes under their TRTC names. */
  /** OpenRoom's warning codes (onWarning), 7101 and up. */
  export const TXLiteAVWarning: Readonly<{
    /** 7101: sendCustomCmdMsg outside a room. */
    WARNING_CUSTOM_CMD_NOT_IN_ROOM: 7101
    /** 7102: a cmdId outside 1–10, or data that is not a string, Buffer or Uint8Array. */
    WARNING_CUSTOM_CMD_INVALID: 7102
    /** 7103: more than 1024 bytes of data. */
    WARNING_CUSTOM_CMD_TOO_LARGE: 7103
    /** 7104: more than 30 custom messages in the last second. */
    WARNING_CUSTOM_CMD_RATE_LIMITED: 7104
    /** 7105: more than 8 KB of custom messages in the last second. */
    WARNING_CUSTOM_CMD_BANDWIDTH_LIMITED: 7105
    /** 7106: sendCustomCmdMsg from an audience member (LIVE, VoiceChatRoom): only anchors send. */
    WARNING_CUSTOM_CMD_AUDIENCE: 7106
    /** 7107: 1024 custom messages wait for the server to take them (it is slow, or the connection is down): this one was not sent. */
    WARNING_CUSTOM_CMD_SEND_BUFFER_FULL: 7107
    /** 7108: the server sent a frame this client cannot read (a newer or broken server); it was skipped. */
    WARNING_SERVER_FRAME_UNREADABLE: 7108
    /** 7109: the connection was lost and the server no longer held the session: custom messages written just before the loss, not yet confirmed, may not have reached the room (the message says how many). */
    WARNING_CUSTOM_CMD_UNCONFIRMED: 7109
  }>

  export const TXLiteAVError: Readonly<{
    /** -3301: entering failed: the server is unreachable or refused (the message says why). */
    ERR_ROOM_ENTER_FAIL: -3301
    /** -3308: the server did not let us in within enterTimeoutMs. */
    ERR_ROOM_REQUEST_ENTER_ROOM_TIMEOUT: -3308
    /** -3316: enterRoom was called without params. */
    ERR_ENTER_ROOM_PARAM_NULL: -3316
    /** -3317: sdkAppId is missing, invalid, or not the server's. */
    ERR_SDK_APPID_INVALID: -3317
    /** -3318: neither a valid roomId (1–4294967294) nor a valid strRoomId. */
    ERR_ROOM_ID_INVALID: -3318
    /** -3319: userId is missing or not 1–32 bytes of [A-Za-z0-9_-]. */
    ERR_USER_ID_INVALID: -3319
    /** -3320: the UserSig is missing, forged, expired, or for another user or app. */
    ERR_USER_SIG_INVALID: -3320
    /** -100006: the privateMapKey is forged, expired, for another user, app or room; or the server requires one and none was given. */
    ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR: -100006
    /** -102010: the room does not exist and the privateMapKey does not grant creating rooms (bit 1). */
    ERR_SERVER_CENTER_NO_PRIVILEDGE_CREATE_ROOM: -102010
    /** -102011: the privateMapKey does not grant entering the room (bit 2). */
    ERR_SERVER_CENTER_NO_PRIVILEDGE_ENTER_ROOM: -102011
    /** -102013: the privateMapKey does not grant sending video (bit 16): onError after startLocalPreview / muteLocalVideo(false) (or entering or switching with the camera on); the others do not see the video. Sending audio without bit 4 is refused with -100006, as trtc_code.js has no code for it. */
    ERR_SERVER_CENTER_NO_PRIVILEDGE_PUSH_VIDEO: -102013
    /** -7001 (OpenRoom's own): the room holds its limit of members (maxMembersPerRoom, default 300). */
    ERR_ROOM_FULL: -7001
    /** -7002 (OpenRoom's own): the server holds its limit of rooms (maxRooms, default 10000). */
    ERR_SERVER_ROOM_LIMIT: -7002
    /** -7003 (OpenRoom's own, internal): the server no longer held the session a reconnect asked for; the client enters again by itself. */
    ERR_SESSION_EXPIRED: -7003
    /** -7004 (OpenRoom's own): the connection was lost and reconnecting failed in every attempt (or is off); onExitRoom(0) follows. */
    ERR_RECONNECT_FAILED: -7004
    /** -7005 (OpenRoom's own): the room does not exist and createIfMissing is false, or the server opens rooms only through CreateRoom. */
    ERR_ROOM_NOT_FOUND: -7005
    /** -7006 (OpenRoom's own): the errCode of onMissCustomCmdMsg. */
    ERR_CUSTOM_CMD_MISSED: -7006
    /** -7007 (OpenRoom's own): switchRole in a scene without roles (VideoCall, AudioCall: everyone is an anchor). */
    ERR_ROLE_NOT_SUPPORTED: -7007
    /** -7008 (OpenRoom's own): switchRole with a value that is not a TRTCRoleType. */
    ERR_ROLE_INVALID: -7008
    /** -7009 (OpenRoom's own): switchRole outside a room. */
    ERR_NOT_IN_ROOM: -7009
    /** -7010 (OpenRoom's own): too many requests of one kind in a short time (rooms opened by one user, state changes by one session, switchRoom/switchRole calls waiting); nothing changed. */
    ERR_RATE_LIMITED: -7010
    /** -7011 (OpenRoom's own): userData that is not JSON-serialisable, over 4096 bytes as JSON, or more than the room's member data budget holds (512 bytes for each member it may hold, 64 KiB to 1 MiB); nothing changed. */
    ERR_USER_DATA_INVALID: -7011
    /** -7012 (OpenRoom's own, internal): a resume that did not prove it came from the client that entered (a recorded resume played again, or a forged one); the session is untouched. Seen only by a raw protocol client. */
    ERR_RESUME_REFUSED: -7012
  }>

  /** onExitRoom's reasons. */
  export const ExitRoomReason: Readonly<{
    /** The app called exitRoom() or destroy(). */
    Exited: 0
    /** The server removed this user (REST RemoveUser). */
    Removed: 1
    /** The room was dismissed (REST DismissRoom). */
    Dismissed: 2
    /** Another login of the same userId entered this room (another device); the newer one wins. */
    Replaced: 3
  }>
  export type ExitRoomReason = 0 | 1 | 2 | 3

  /** onRemoteUserLeaveRoom's reasons (TRTC's values). */
  export const RemoteLeaveReason: Readonly<{
    /** The member called exitRoom() or closed its connection cleanly. */
    Exited: 0
    /**
     * Timed out: the member's connection was lost without a goodbye (including a process that
     * ended without exitRoom()), or it was silent for the server's session timeout.
     */
    ConnectionLost: 1
    /** The server removed the member (REST RemoveUser). */
    Removed: 2
    /** The anchor switched to audience (switchRole): still in the room, no longer seen. */
    SwitchedToAudience: 3
  }>
  export type RemoteLeaveReason = 0 | 1 | 2 | 3

  /** getConnectionState() and the first argument of onConnectionStateChanged. */
  export const TRTCConnectionState: Readonly<{
    DISCONNECTED: 'DISCONNECTED'
    CONNECTING: 'CONNECTING'
    CONNECTED: 'CONNECTED'
    RECONNECTING: 'RECONNECTING'
  }>
  export type TRTCConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED' | 'RECONNECTING'

  /** Why the connection state changed: the second argument of onConnectionStateChanged. */
  export const ConnectionChangeReason: Readonly<{
    /** enterRoom() started connecting (→ CONNECTING). */
    ENTER_ROOM: 'ENTER_ROOM'
    /** The server let us in (→ CONNECTED). */
    ENTERED: 'ENTERED'
    /** Entering failed or was cancelled by exitRoom() (→ DISCONNECTED). */
    ENTER_FAILED: 'ENTER_FAILED'
    /** The connection broke; reconnecting (→ RECONNECTING). */
    CONNECTION_LOST: 'CONNECTION_LOST'
    /** The same session goes on over a new connection; nobody else noticed (→ CONNECTED). */
    RESUMED: 'RESUMED'
    /** The server had lost the session; entered the room again (→ CONNECTED). */
    REENTERED: 'REENTERED'
    /** The room was left: exitRoom(), removal, dismissal, another login (→ DISCONNECTED). */
    EXITED: 'EXITED'
    /** The connection broke and reconnecting failed or is off (→ DISCONNECTED). */
    GAVE_UP: 'GAVE_UP'
  }>
  export type ConnectionChangeReason =
    | 'ENTER_ROOM'
    | 'ENTERED'
    | 'ENTER_FAILED'
    | 'CONNECTION_LOST'
    | 'RESUMED'
    | 'REENTERED'
    | 'EXITED'
    | 'GAVE_UP'

  /** What a TRTCCloud does when its connection breaks (EnableX's allow_reconnect, number_of_attempts, timeout_interval). */
  export interface ReconnectOptions {
    /** Reconnect at all. Default true; false ends the room at once with onError(-7004) and onExitRoom(0). */
    allowReconnect?: boolean
    /** Attempts before giving up, 0–1000. Default 8 (about 30 s with the default intervals). */
    numberOfAttempts?: number
    /** The first attempt is immediate; the wait before the second is this, doubled for each later one (±20 % jitter). Default 500. */
    intervalMs?: number
    /** The longest wait between attempts. Default 8000. */
    maxIntervalMs?: number
  }

  /** An Error with the code of what went wrong. */
  export interface OpenRoomError extends Error {
    /**
     * A TRTC error number (see TXLiteAVError) for room errors; a string where TRTC has none:
     * 'ERR_DESTROYED', 'ERR_INVALID_ARG_VALUE', 'EADDRINUSE', or a REST API code such as
     * 'FailedOperation.RoomNotExist'.
     */
    code: number | string
    /** HTTP status, for RoomServiceClient errors. */
    status?: number
    /** The REST API's RequestId, for RoomServiceClient errors. */
    requestId?: string
  }

  /** enterRoom's parameters, with trtc-electron-sdk's constructor argument order. */
  export class TRTCParams {
    constructor(
      sdkAppId?: number,
      userId?: string,
      userSig?: string,
      roomId?: number,
      strRoomId?: string,
      role?: TRTCRoleType,
      privateMapKey?: string | null,
      businessInfo?: string | null,
      streamId?: string | null,
      userDefineRecordId?: string | null,
    )
    /** The app's sdkAppId; must be the server's. */
    sdkAppId: number
    /** 1–32 bytes of [A-Za-z0-9_-]. */
    userId: string
    /** A UserSig for userId (genUserSig or Tencent's TLSSigAPIv2). */
    userSig: string
    /** Numeric room, 1–4294967294; 0 means "use strRoomId". A non-zero roomId wins over strRoomId. */
    roomId: number
    /** String room: at most 64 bytes of letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~, */
    strRoomId: string
    /** Default TRTCRoleAnchor. */
    role: TRTCRoleType
    /** Room permission ticket (genPrivateMapKey or TLSSigAPIv2); checked whenever given, required when the server says so. */
    privateMapKey: string | null
    /** Accepted for compatibility; not used yet. */
    businessInfo: string | null
    /** Accepted for compatibility; not used (OpenRoom relays no streams). */
    streamId: string | null
    /** Accepted for compatibility; not used (OpenRoom records nothing). */
    userDefineRecordId: string | null
    /** OpenRoom's: whether entering may open the room when it does not exist (default true; false fails with -7005). */
    createIfMissing?: boolean
    /**
     * OpenRoom's member data (Qiniu's userData, LiveKit's metadata): what the others show of
     * this member — a display name, an avatar URL. A string or any JSON-serialisable value, at
     * most 4096 bytes as JSON; the others get it back as given, through getRemoteUsers().
     * Changed with setUserData(); kept across reconnection and switchRoom.
     */
    userData?: UserData | null
  }

  /** Member data: a string or any value JSON can carry. */
  export type UserData = string | number | boolean | null | UserData[] | { [key: string]: UserData }

  /** A remote member, as getRemoteUsers() lists it. */
  export interface RemoteUser {
    userId: string
    /** Its TRTCParams.userData as it gave it (parsed back from JSON); null when it gave none. */
    userData: UserData | null
    /** It publishes audio (the last onUserAudioAvailable said 1). */
    hasAudio: boolean
    /** It publishes video (the last onUserVideoAvailable said 1). */
    hasVideo: boolean
    /** Always false: OpenRoom has no sub (screen-sharing) stream. */
    hasSubStream: boolean
  }

  /** switchRoom's parameters, with trtc-electron-sdk's constructor argument order. */
  export class TRTCSwitchRoomParam {
    constructor(roomId?: number, strRoomId?: string, userSig?: string, privateMapKey?: string)
    /** Numeric room; 0 means "use strRoomId". */
    roomId: number
    strRoomId: string
    /** A UserSig for the same userId; empty means the one given to enterRoom. */
    userSig: string
    /** Accepted for compatibility; not used yet. */
    privateMapKey: string
    /** OpenRoom's (ZIM's isCreateWhenRoomNotExisted): whether switching may open the room when it does not exist (default true; false fails with -7005). */
    createIfMissing?: boolean
  }

  /** A plain object works wherever a TRTCParams does. */
  export type TRTCParamsLike = Partial<Omit<TRTCParams, 'role'>> & { role?: TRTCRoleType }

  /**
   * OpenRoom's options for new TRTCCloud(config). A wrong value throws 'ERR_INVALID_ARG_VALUE';
   * an unknown key is ignored with a process warning (code 'OPENROOM_UNKNOWN_OPTION').
   */
  export interface TRTCCloudConfig {
    /** The room server: ws://host:port or http://host:port. Default: $OPENROOM_SERVER_URL, else ws://127.0.0.1:7788. */
    serverUrl?: string
    /** onEnterRoom(-3308) when entering takes longer than this. Default 10000. */
    enterTimeoutMs?: number
    /** How long exitRoom() waits for the server's acknowledgement before completing locally. Default 3000. */
    exitTimeoutMs?: number
    /** Reconnection after a lost connection; see ReconnectOptions. */
    reconnect?: ReconnectOptions
    /**
     * What onRecvCustomCmdMsg delivers: 'string' (the data read as UTF-8, as trtc-electron-sdk
     * does; the default) or 'buffer' (the bytes, for binary data).
     */
    customMessageAs?: 'string' | 'buffer'
    /**
     * For a wss:// (or https://) serverUrl: `ca`, the PEM text of certificates to trust besides
     * the system's store and NODE_EXTRA_CA_CERTS (a private CA). Host names are always checked;
     * a refused certificate fails the enter with -3301 saying why, and ends reconnection.
     * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' when ca holds no PEM certificate
     */
    tls?: { ca?: string | Buffer }
  }

  /**
   * The events of TRTCCloud, with each callback's parameters.
   *
   * Order, per instance: onEnterRoom first for a room; on success one onRemoteUserEnterRoom per
   * member already present, then the room's events in the order the server produced them;
   * onExitRoom last. Events are never emitted synchronously inside the call that caused them.
   */
  /**
   * trtc-electron-sdk's events that OpenRoom never emits (docs/media.md): each reports on media,
   * devices or a feature OpenRoom does not have. A listener for one compiles, so a ported app
   * builds, and is never called.
   */
  export interface NeverEmittedEvents {
    // Cross-room calls
    /** @deprecated Never emitted by OpenRoom (cross-room calls). */
    onConnectOtherRoom: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (cross-room calls). */
    onDisconnectOtherRoom: (...args: any[]) => void
    // Media arriving and leaving
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onFirstVideoFrame: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onFirstAudioFrame: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onSendFirstLocalVideoFrame: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onSendFirstLocalAudioFrame: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onUserSubStreamAvailable: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onUserVoiceVolume: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (media arriving and leaving). */
    onRecvSEIMsg: (...args: any[]) => void
    // Deprecated member events
    /** @deprecated Never emitted by OpenRoom (deprecated member events). */
    onUserEnter: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (deprecated member events). */
    onUserExit: (...args: any[]) => void
    // Network quality and statistics
    /** @deprecated Never emitted by OpenRoom (network quality and statistics). */
    onNetworkQuality: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (network quality and statistics). */
    onStatistics: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (network quality and statistics). */
    onSpeedTest: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (network quality and statistics). */
    onSpeedTestResult: (...args: any[]) => void
    // Devices
    /** @deprecated Never emitted by OpenRoom (devices). */
    onCameraDidReady: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onMicDidReady: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onDeviceChange: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onTestMicVolume: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onTestSpeakerVolume: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onAudioDeviceCaptureVolumeChanged: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (devices). */
    onAudioDevicePlayoutVolumeChanged: (...args: any[]) => void
    // CDN publishing and mixing
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStartPublishing: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStopPublishing: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStartPublishCDNStream: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStopPublishCDNStream: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onSetMixTranscodingConfig: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStartPublishMediaStream: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onUpdatePublishMediaStream: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onStopPublishMediaStream: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (CDN publishing and mixing). */
    onCdnStreamStateChanged: (...args: any[]) => void
    // Screen sharing
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCaptureCovered: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCaptureStarted: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCapturePaused: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCaptureResumed: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCaptureStopped: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (screen sharing). */
    onScreenCaptureStoped: (...args: any[]) => void
    // Sound effects, recording, snapshots, system audio
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onAudioEffectFinished: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onLocalRecordBegin: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onLocalRecording: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onLocalRecordComplete: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onSnapshotComplete: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (sound effects, recording, snapshots, system audio). */
    onSystemAudioLoopbackError: (...args: any[]) => void
    // Raw video frames
    /** @deprecated Never emitted by OpenRoom (raw video frames). */
    onVideoData: (...args: any[]) => void
    /** @deprecated Never emitted by OpenRoom (raw video frames). */
    onLocalVideoData: (...args: any[]) => void
  }

  export interface TRTCCloudEvents extends NeverEmittedEvents {
    /**
     * Entering finished.
     * @param result elapsed milliseconds (> 0) on success; a negative TXLiteAVError code on failure
     *   (then onError follows with the message).
     */
    onEnterRoom: (result: number) => void
    /**
     * This instance left the room; the last event of a room. The instance may be released after it.
     * @param reason 0 exitRoom() was called; 1 removed by the server (RemoveUser); 2 the room was
     *   dismissed; 3 replaced by a newer login of the same userId (the others saw nothing).
     */
    onExitRoom: (reason: ExitRoomReason) => void
    /**
     * Another member is in the room: once for each member already present right after onEnterRoom,
     * then once per arrival.
     * @param userId the member's userId
     */
    onRemoteUserEnterRoom: (userId: string) => void
    /**
     * OpenRoom's: another member replaced its data with setUserData (null: cleared it).
     * getRemoteUsers() shows the new data when this fires.
     */
    onRemoteUserDataUpdated: (userId: string, userData: UserData | null) => void
    /**
     * Another member left.
     * @param userId the member's userId
     * @param reason 0 exited; 1 connection lost; 2 removed by the server; 3 an anchor switched
     *   to audience. What the member published ends first (onUserAudioAvailable /
     *   onUserVideoAvailable(userId, 0)).
     */
    onRemoteUserLeaveRoom: (userId: string, reason: RemoteLeaveReason) => void
    /**
     * Another member started (1) or stopped (0) publishing audio: startLocalAudio, stopLocalAudio,
     * muteLocalAudio, a role switch, or leaving. For a member already publishing, right after its
     * onRemoteUserEnterRoom. A number, as trtc-electron-sdk passes it.
     */
    onUserAudioAvailable: (userId: string, available: 0 | 1) => void
    /** Likewise for video: startLocalPreview, stopLocalPreview, muteLocalVideo. */
    onUserVideoAvailable: (userId: string, available: 0 | 1) => void
    /**
     * switchRole finished.
     * @param errCode 0 on success; else -7007, -7008 or -7009 (TXLiteAVError)
     */
    onSwitchRole: (errCode: number, errMsg: string) => void
    /**
     * OpenRoom's: the devices this instance should hold open changed. Carries the state now, only
     * when it differs from the last report (calls within one tick are reported once). OpenRoom carries no media:
     * open the camera / microphone (getUserMedia in Electron) when true, release them when false.
     * Emitted after startLocalAudio, stopLocalAudio, startLocalPreview, stopLocalPreview (mutes
     * keep the devices open), and with (false, false) when the room ends — exitRoom(), removal,
     * dismissal, another login, giving up reconnecting — always before onExitRoom.
     */
    onLocalDevicesChanged: (camera: boolean, microphone: boolean) => void
    /**
     * switchRoom finished.
     * @param errCode 0 on success; else a TXLiteAVError code (the instance stayed in its old room)
     * @param errMsg '' on success; else what went wrong
     */
    onSwitchRoom: (errCode: number, errMsg: string) => void
    /**
     * Something failed. Always a TRTC numeric code; errors without one (such as 'ERR_DESTROYED')
     * reach you only as a promise rejection.
     * @param errCode a TXLiteAVError code (negative), e.g. -3320
     * @param errMsg what went wrong and what to fix
     */
    onError: (errCode: number, errMsg: string) => void
    /**
     * The connection to the room server broke while in a room: it closed, failed, or the
     * server was silent for two of the ping intervals it announced (a peer can vanish without
     * closing). Reconnection starts at once (see ReconnectOptions): onTryToReconnect before each
     * attempt, then onConnectionRecovery, or onError(-7004) and onExitRoom(0) when it gives up.
     * exitRoom() meanwhile completes with onExitRoom(0) within exitTimeoutMs (the others see reason 0 when the server can be reached).
     * @param message why the connection ended
     */
    onConnectionLost: (message: string) => void
    /**
     * A reconnection attempt starts.
     * @param attempt 1 for the first attempt, then 2, 3 … (OpenRoom adds it; TRTC passes nothing)
     */
    onTryToReconnect: (attempt: number) => void
    /**
     * Back in the room after onConnectionLost. Every room event of the outage has been emitted
     * before it, once and in order: the events the server kept for a resumed session, or, when
     * the session had to be entered again, onRemoteUserLeaveRoom(userId, 0) for each member who
     * left meanwhile and onRemoteUserEnterRoom for each who arrived.
     */
    onConnectionRecovery: () => void
    /**
     * The connection state changed (Qiniu's and Agora's model). Emitted right before the event it
     * explains (e.g. CONNECTED/ENTERED before onEnterRoom, DISCONNECTED before onExitRoom).
     */
    onConnectionStateChanged: (state: TRTCConnectionState, reason: ConnectionChangeReason) => void
    /**
     * A custom message from another member (sendCustomCmdMsg), or from 'administrator' over REST.
     * @param seq the sender's message number: 1, 2, 3 … for each message it sent this session
     * @param message the data read as UTF-8, as trtc-electron-sdk delivers it; a Buffer of the
     *   bytes with `customMessageAs: 'buffer'` in the instance's config
     */
    onRecvCustomCmdMsg: (
      userId: string,
      cmdId: number,
      seq: number,
      message: string | Buffer,
    ) => void
    /**
     * Unreliable custom messages of userId with cmdId were dropped because this member fell
     * behind; told right before the next message of theirs that arrives.
     * @param errCode -7006 (ERR_CUSTOM_CMD_MISSED)
     * @param missed how many
     */
    onMissCustomCmdMsg: (userId: string, cmdId: number, errCode: number, missed: number) => void
    /**
     * Something asked for did not happen, though nothing is broken (e.g. a refused
     * sendCustomCmdMsg).
     * @param warningCode a TXLiteAVWarning code
     */
    onWarning: (warningCode: number, warningMsg: string) => void
  }

  export type TRTCCloudEventName = keyof TRTCCloudEvents

  /**
   * Sign a UserSig, byte-compatible with Tencent's TLSSigAPIv2.
   * @param expireSeconds validity from now; default 180 days (TLSSigAPIv2's default)
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for a bad argument
   */
  export function genUserSig(
    sdkAppId: number,
    secretKey: string,
    userId: string,
    expireSeconds?: number,
  ): string

  /**
   * Sign a privateMapKey (TRTCParams.privateMapKey) for numeric room `roomId`, byte-compatible
   * with TLSSigAPIv2's genPrivateMapKey.
   * @param privilegeMap TRTC's bits: 1 create room, 2 enter room, 4 send audio, 8 receive
   * audio, 16 send video, 32 receive video, 64 send sub video, 128 receive sub video; 255 all
   * @param expireSeconds validity from now
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for a bad argument
   */
  export function genPrivateMapKey(
    sdkAppId: number,
    secretKey: string,
    userId: string,
    roomId: number,
    privilegeMap: number,
    expireSeconds: number,
  ): string

  /**
   * Sign a privateMapKey for string room `strRoomId`, byte-compatible with TLSSigAPIv2's
   * genPrivateMapKeyWithStringRoomID. Arguments as genPrivateMapKey.
   * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for a bad argument
   */
  export function genPrivateMapKeyWithStringRoomID(
    sdkAppId: number,
    secretKey: string,
    userId: string,
    strRoomId: string,
    privilegeMap: number,
    expireSeconds: number,
  ): string

  export interface StartServerOptions {
    /** IP address or host name to listen on. Default 127.0.0.1. */
    host?: string
    /** Port. Default 7788; 0 picks a free port. */
    port?: number
    /** The app's sdkAppId. Required with secretKey; without one the dev sdkAppId 1400000001. */
    sdkAppId?: number
    /** The UserSig secret (needs sdkAppId). Without it the server runs in dev mode with public credentials. */
    secretKey?: string
    /**
     * Milliseconds a client may be silent before its session is dropped (the others see it
     * leave with reason 1). Clients ping three times per timeout. Default 30000.
     */
    sessionTimeoutMs?: number
    /** Members one room may hold; enters beyond it fail with ERR_ROOM_FULL (-7001). Default 300. */
    maxMembersPerRoom?: number
    /** Rooms the server may hold open; an enter that would open another fails with ERR_SERVER_ROOM_LIMIT (-7002). Default 10000. */
    maxRooms?: number
    /** Milliseconds a room stays open with nobody in it (0 to 3 hours); entering meanwhile keeps it. Default 10000. */
    emptyRoomTimeoutMs?: number
    /** Whether entering a room that does not exist opens it. Default true; false: rooms exist only through REST CreateRoom, other enters fail with ERR_ROOM_NOT_FOUND (-7005). */
    autoCreateRooms?: boolean
    /** Refuse entering or switching without a valid privateMapKey for the room (ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR, -100006), like TRTC's "enable permission key" switch. Default false; a key, when given, is checked either way. */
    requirePrivateMapKey?: boolean
    /** Custom messages one member may send per second; clients learn it as they enter. Default 30 (TRTC's limit). */
    customMsgsPerSecond?: number
    /** Bytes of custom messages one member may send per second; clients learn it as they enter. Default 8192 (TRTC's limit). */
    customBytesPerSecond?: number
    /** Milliseconds a room made by REST CreateRoom waits for its first member (0 to 3 hours). Default 30000. */
    createdRoomTimeoutMs?: number
    /** Rooms one userId may open per second by entering them, in bursts of twice as many; more fail with ERR_RATE_LIMITED (-7010). Default 10. */
    roomsPerUserPerSecond?: number
    /** Milliseconds a connection has to enter a room after it opens (or after it left one) before it is closed, pings or not (100 to 600000). Default 10000. */
    enterWithinMs?: number
    /** Milliseconds an HTTP client may take to send its request headers; also how long an idle keep-alive connection stays open (100 to 600000). Default 10000. */
    httpHeaderTimeoutMs?: number
    /** Milliseconds a REST client may take to send its body; 408 after it (100 to 600000). Default 10000. */
    httpBodyTimeoutMs?: number
    /** State changes (enter, switchRoom, switchRole, publishing) one session may ask for per second, in bursts of twice as many; more fail with ERR_RATE_LIMITED (-7010), publishing is held back instead. Default 10. */
    requestsPerSecond?: number
    /** Milliseconds a write to a peer may take before the peer counts as gone: its HTTP connection closed, its sessions parked to be resumed (100 to 600000). Default 10000. */
    writeTimeoutMs?: number
    /** WebSocket pings one connection may send per second, in bursts of twice as many; a flood beyond it is closed (1008). Default 1000. */
    pingsPerSecond?: number
    /** Milliseconds close() waits for sessions and rooms to finish (0 to 600000). Default 5000. */
    shutdownGraceMs?: number
    /**
     * Serve wss:// and https:// on the port with this PEM certificate chain and private key
     * (strings or Buffers, as Node's tls.createServer takes them); server.url then starts with
     * wss://. A certificate that cannot be read or a key that does not match it rejects.
     */
    tls?: { cert: string | Buffer; key: string | Buffer }
  }

  /** A room server running inside this process. Like a listening net.Server it keeps the process alive until close() or unref(). */
  export class RoomServer {
    /** ws://host:port: pass it to new TRTCCloud({ serverUrl }) and new RoomServiceClient(). */
    readonly url: string
    readonly port: number
    readonly sdkAppId: number
    /** The secret UserSigs are signed with (the public dev secret in dev mode). */
    readonly secretKey: string
    /** True when started without a secretKey. */
    readonly devMode: boolean
    /** How long a client may be silent before its session is dropped. */
    readonly sessionTimeoutMs: number
    /** Every client's connection closes; resolves when every session and room is gone. Safe to call twice. */
    close(): Promise<void>
    /** Let the process exit while the server runs. */
    unref(): this
    ref(): this
  }

  /**
   * Start a room server in this process (the embedded default for development, demos and tests).
   * @throws OpenRoomError with code 'EADDRINUSE', 'EACCES', 'ERR_INVALID_ARG_VALUE' (a host that
   *   does not resolve, an option outside its range — the message names the option, the value
   *   and the range — or a secretKey without sdkAppId) or 'ERR_SERVER_START'
   */
  export function startServer(options?: StartServerOptions): Promise<RoomServer>

  /** A created room's own settings. */
  export interface RoomSettings {
    /** 1 to the server's maxMembersPerRoom (the default). */
    maxMembers?: number
    /** 0 to 3 hours; default the server's emptyRoomTimeoutMs. */
    emptyRoomTimeoutMs?: number
  }

  /** A room as DescribeRoom reports it. */
  export interface RoomDescription {
    /** Set for a numeric room. */
    roomId?: number
    /** Set for a string room. */
    strRoomId?: string
    memberCount: number
    /** Members that are anchors (everyone, in the call scenes). */
    anchorCount: number
    /** Audience members (LIVE and VoiceChatRoom): not announced in the room, counted here. */
    audienceCount: number
    /** userIds in the order they entered, audience members included. */
    members: string[]
    /** The members with their role and what they publish (nothing, for an audience member). */
    participants: Array<{
      userId: string
      role: TRTCRoleType
      audio: boolean
      video: boolean
      /** Its member data (TRTCParams.userData); null when it gave none. */
      userData: UserData | null
    }>
    maxMembers: number
    emptyRoomTimeoutMs: number
    requestId: string
  }

  /** A page of ListRooms. */
  export interface RoomList {
    /** How many rooms are open in all. */
    total: number
    offset: number
    limit: number
    rooms: Array<{
      roomId?: number
      strRoomId?: string
      memberCount: number
      anchorCount: number
      audienceCount: number
    }>
    requestId: string
  }

  /** The REST admin API (shaped like livekit-server-sdk's RoomServiceClient). */
  export interface RoomServiceClientOptions {
    /**
     * How long one call may wait for the server's whole answer (headers and body) before it
     * rejects with code 'ETIMEDOUT'. An integer from 1 to 2147483647; default 10000.
     */
    timeoutMs?: number
  }

  export class RoomServiceClient {
    /**
     * @param url the server as ws://host:port or http://host:port
     * @throws OpenRoomError 'ERR_INVALID_ARG_VALUE' for a bad url, options that are not an
     *   object, or a bad timeoutMs
     */
    constructor(
      url: string,
      sdkAppId: number,
      secretKey: string,
      options?: RoomServiceClientOptions,
    )
    /** The timeoutMs in force. */
    readonly timeoutMs: number
    /** Remove up to 10 users from a numeric room: each gets onExitRoom(1), the others onRemoteUserLeaveRoom(userId, 2). All or nothing. */
    removeUser(roomId: number, userIds: string[]): Promise<{ requestId: string }>
    removeUserByStrRoomId(strRoomId: string, userIds: string[]): Promise<{ requestId: string }>
    /** Dismiss a numeric room: every member gets onExitRoom(2). */
    dismissRoom(roomId: number): Promise<{ requestId: string }>
    dismissRoomByStrRoomId(strRoomId: string): Promise<{ requestId: string }>
    /**
     * A custom message from 'administrator' to a numeric room's members, or only to `userIds`
     * (all or nothing: 'FailedOperation.UserNotInRoom' names who is absent). Each gets
     * onRecvCustomCmdMsg('administrator', cmdId, seq, message).
     * @param cmdId 1 to 10
     * @param data a string (UTF-8) or bytes, at most 1024
     */
    sendCustomMessage(
      roomId: number,
      cmdId: number,
      data: string | Uint8Array,
      options?: { userIds?: string[] },
    ): Promise<{ requestId: string; seq: number }>
    sendCustomMessageByStrRoomId(
      strRoomId: string,
      cmdId: number,
      data: string | Uint8Array,
      options?: { userIds?: string[] },
    ): Promise<{ requestId: string; seq: number }>
    /**
     * Create a numeric room ahead of time with its own settings; nobody entering, it closes after
     * 30 s. An open but empty room takes the new settings. Rejects with 'FailedOperation.RoomAlreadyExists' (409) if it has members, 'LimitExceeded.RoomCount'
     * (503) at the server's room limit, 'InvalidParameter.MaxMembers' / '.EmptyRoomTimeoutMs' (400).
     */
    createRoom(roomId: number, settings?: RoomSettings): Promise<RoomDescription>
    createRoomByStrRoomId(strRoomId: string, settings?: RoomSettings): Promise<RoomDescription>
    /** A numeric room's members, in the order they entered, and its settings. Rejects with 'FailedOperation.RoomNotExist' for a room that is not open. */
    describeRoom(roomId: number): Promise<RoomDescription>
    describeRoomByStrRoomId(strRoomId: string): Promise<RoomDescription>
    /** A page of the open rooms (numeric ids ascending, then string ids) with their member counts. `limit` 1–100, default 20. */
    listRooms(page?: { offset?: number; limit?: number }): Promise<RoomList>
  }

  export { TRTCCloudClass as TRTCCloud, TRTCCloudClass as default }
}

declare const TRTCCloudClass: typeof TRTCCloud
type TRTCCloudClass = TRTCCloud

export = TRTCCloud
