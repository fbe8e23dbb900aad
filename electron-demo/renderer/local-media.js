// The camera and microphone. OpenRoom carries no media: onLocalDevicesChanged(camera, microphone)
// says which devices the app should hold open now, and this module opens them with getUserMedia,
// shows the camera in the preview and stops every track when they are no longer wanted.

export class LocalMedia {
  /**
   * @param {HTMLVideoElement} preview where the camera shows
   * @param {(kind: string, text: string, data?: object) => void} log the activity log
   */
  constructor(preview, log) {
    this._preview = preview
    this._log = log
    /** The live tracks, by kind ('audio', 'video'). */
    this._tracks = new Map()
    /** Every track opened since the last reset, stopped or not: what the exit reports on. */
    this._opened = []
    this._wanted = { camera: false, microphone: false }
    this._muted = { audio: false, video: false }
    /** Changes run one after another, so a release waits for an open still under way. */
    this._queue = Promise.resolve()
  }

  /** Hold these devices open (and no others); resolves once they are. */
  want({ camera, microphone }) {
    this._wanted = { camera, microphone }
    this._queue = this._queue
      .then(() => this._apply())
      .catch((error) => this._log('devices-failed', `devices: ${error.message}`))
    return this._queue
  }

  /** Stop every track; resolves when all have ended, including one still being opened. */
  release() {
    return this.want({ camera: false, microphone: false })
  }

  /** A muted device stays open (TRTC's mute), its track disabled: silence, a black frame. */
  setMuted({ audio, video }) {
    this._muted = { audio, video }
    for (const track of this._tracks.values()) track.enabled = !this._isMuted(track.kind)
  }

  /** 'ended' or 'live' for each track opened since the last reset, e.g. 'ended,ended'. */
  openedTrackStates() {
    return this._opened.map((track) => track.readyState).join(',')
  }

  /** Forget the tracks of the last room (all stopped by then). */
  reset() {
    this._opened = []
  }

  async _apply() {
    const { camera, microphone } = this._wanted
    const stopped = []
    for (const [kind, wanted] of [
      ['video', camera],
      ['audio', microphone],
    ]) {
      const track = this._tracks.get(kind)
      if (track !== undefined && !wanted) {
        track.stop()
        this._tracks.delete(kind)
        stopped.push(track)
      }
    }
    if (stopped.length > 0) {
      this._log('tracks-stopped', `stopped ${describe(stopped)}`, {
        trackStates: stopped.map((track) => track.readyState).join(','),
      })
    }
    const needVideo = camera && !this._tracks.has('video')
    const needAudio = microphone && !this._tracks.has('audio')
    if (needVideo || needAudio) await this._open(needVideo, needAudio)
    this._showPreview()
  }

  async _open(video, audio) {
    let stream
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio })
    } catch (error) {
      this._log('devices-failed', `could not open the devices: ${error.name}: ${error.message}`)
      return
    }
    for (const track of stream.getTracks()) {
      track.enabled = !this._isMuted(track.kind)
      this._tracks.set(track.kind, track)
      this._opened.push(track)
    }
    this._log('devices-opened', `opened ${describe(stream.getTracks())}`)
  }

  _showPreview() {
    const video = this._tracks.get('video')
    const current = this._preview.srcObject?.getVideoTracks()[0]
    if (video === current) return
    this._preview.srcObject = video === undefined ? null : new MediaStream([video])
  }

  _isMuted(kind) {
    return kind === 'audio' ? this._muted.audio : this._muted.video
  }
}

function describe(tracks) {
  return tracks.map((track) => (track.kind === 'video' ? 'camera' : 'microphone')).join(' and ')
}
