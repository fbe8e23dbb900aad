//! The local media state of one TRTCCloud: which devices the app should hold open and what the
//! others are told it publishes. OpenRoom carries no media; the app opens the real camera and
//! microphone (getUserMedia in Electron) when told to, and the room sees what it publishes.

use openroom_protocol::Publishing;

/// The devices the app should hold open now (`onLocalDevicesChanged(camera, microphone)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalDevices {
    pub camera: bool,
    pub microphone: bool,
}

impl LocalDevices {
    pub const NONE: LocalDevices = LocalDevices {
        camera: false,
        microphone: false,
    };
}

/// What startLocalAudio / startLocalPreview and the mutes set. A muted device stays open (as in
/// TRTC: muting stops sending, not capturing); stopping it closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalMedia {
    pub microphone: bool,
    pub camera: bool,
    pub audio_muted: bool,
    pub video_muted: bool,
}

impl LocalMedia {
    pub fn devices(&self) -> LocalDevices {
        LocalDevices {
            camera: self.camera,
            microphone: self.microphone,
        }
    }

    /// What the room is told this member publishes.
    pub fn publishing(&self) -> Publishing {
        Publishing {
            audio: self.microphone && !self.audio_muted,
            video: self.camera && !self.video_muted,
        }
    }
}

/// A local media call, as the engine applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaCall {
    StartLocalAudio,
    StopLocalAudio,
    MuteLocalAudio(bool),
    StartLocalPreview,
    StopLocalPreview,
    MuteLocalVideo(bool),
}

impl MediaCall {
    pub(crate) fn apply(self, media: &mut LocalMedia) {
        match self {
            MediaCall::StartLocalAudio => media.microphone = true,
            MediaCall::StopLocalAudio => media.microphone = false,
            MediaCall::MuteLocalAudio(mute) => media.audio_muted = mute,
            MediaCall::StartLocalPreview => media.camera = true,
            MediaCall::StopLocalPreview => media.camera = false,
            MediaCall::MuteLocalVideo(mute) => media.video_muted = mute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_muted_device_stays_open_but_is_not_published() {
        let mut media = LocalMedia::default();
        MediaCall::StartLocalAudio.apply(&mut media);
        MediaCall::MuteLocalAudio(true).apply(&mut media);
        assert!(media.devices().microphone);
        assert!(!media.publishing().audio);
        MediaCall::MuteLocalAudio(false).apply(&mut media);
        assert!(media.publishing().audio);
        // Muting the camera before starting it: it starts muted.
        MediaCall::MuteLocalVideo(true).apply(&mut media);
        MediaCall::StartLocalPreview.apply(&mut media);
        assert!(media.devices().camera && !media.publishing().video);
        MediaCall::StopLocalPreview.apply(&mut media);
        assert_eq!(
            media.devices(),
            LocalDevices {
                camera: false,
                microphone: true
            }
        );
    }
}
