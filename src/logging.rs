//! The addon's log, driven by trtc-electron-sdk's log calls: `setLogLevel`, `setConsoleEnabled`,
//! `setLogDirPath`, `setLogCallback` and `log`. What it carries is every `tracing` line written
//! in this process by the client engine and by an embedded server (`startServer()`).
//!
//! One subscriber serves the whole process, as TRTC's log settings are process-wide: it is
//! installed by the first log call, so an app that never calls one pays a branch per line and
//! formats nothing. Behind one level filter (TRTC's level, see [`level_filter`]) sit three
//! outputs, each switched by its own call: stderr, a file a day in a directory, and a JS
//! callback. While all three are off the level filter is off too, so no line is formatted.
//!
//! Lines are written as they happen, not through a writer thread: a line written just before
//! the process ends (the very one that explains why) is never lost. Writing to stderr or a file
//! is quick unless the terminal is stuck, and the console is off unless the app turns it on.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use tracing::{Level, Metadata};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{fmt, reload, Layer, Registry};

/// Daily log files kept in the log directory; older ones are deleted, so an app that runs for
/// months does not fill the disk with them.
const LOG_FILES_KEPT: usize = 7;

/// TRTC's default log level: TRTCLogLevelInfo.
const DEFAULT_LEVEL: LevelFilter = LevelFilter::INFO;

/// The tracing level a TRTCLogLevel lets through; `None` for a number that is not one.
///
/// | TRTCLogLevel | value | tracing |
/// | --- | --- | --- |
/// | Verbose | 0 | TRACE and up |
/// | Debug | 1 | DEBUG and up |
/// | Info | 2 | INFO and up |
/// | Warn | 3 | WARN and up |
/// | Error | 4 | ERROR |
/// | Fatal | 5 | ERROR (tracing has no fatal level; OpenRoom's error lines are the ones TRTC would call fatal: a task that died) |
/// | None | 6 | nothing |
pub fn level_filter(trtc_level: u32) -> Option<LevelFilter> {
    match trtc_level {
        0 => Some(LevelFilter::TRACE),
        1 => Some(LevelFilter::DEBUG),
        2 => Some(LevelFilter::INFO),
        3 => Some(LevelFilter::WARN),
        4 | 5 => Some(LevelFilter::ERROR),
        6 => Some(LevelFilter::OFF),
        _ => None,
    }
}

/// The TRTCLogLevel of a line, for the log callback: the inverse of [`level_filter`].
fn trtc_level(level: &Level) -> u32 {
    match *level {
        Level::TRACE => 0,
        Level::DEBUG => 1,
        Level::INFO => 2,
        Level::WARN => 3,
        Level::ERROR => 4,
    }
}

/// The log callback's arguments: `(log, level, module)`, trtc-electron-sdk's order.
type CallbackArgs = FnArgs<(String, u32, String)>;

/// Lines queued for the log callback and not yet taken by the JS thread, at most. Past it
/// lines are dropped and counted, and the count is told as a line of its own once there is
/// room again: a main thread that stalls never makes the log grow memory without end.
pub const LOG_CALLBACK_QUEUE_LINES: usize = 4096;

/// Lines dropped because the callback's queue was full, not yet told.
static DROPPED_LINES: AtomicU64 = AtomicU64::new(0);

/// Weak (the `true`): a log callback never keeps Node alive. Bounded (see
/// [`LOG_CALLBACK_QUEUE_LINES`]).
type LogCallback = ThreadsafeFunction<
    CallbackArgs,
    (),
    CallbackArgs,
    Status,
    false,
    true,
    LOG_CALLBACK_QUEUE_LINES,
>;

/// The outputs, each read by its layer's filter on every line.
struct Outputs {
    console: AtomicBool,
    file: RwLock<Option<RollingFileAppender>>,
    callback: RwLock<Option<LogCallback>>,
}

/// The installed subscriber's controls.
struct Logging {
    level_handle: reload::Handle<LevelFilter, Registry>,
    /// The level set with setLogLevel; in force while any output is on.
    level: Mutex<LevelFilter>,
}

static OUTPUTS: Outputs = Outputs {
    console: AtomicBool::new(false),
    file: RwLock::new(None),
    callback: RwLock::new(None),
};

static LOGGING: OnceLock<std::result::Result<Logging, String>> = OnceLock::new();

/// A lock that a panicking writer poisoned still guards sound data (an Option): take it.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Logging {
    /// Install the process's subscriber, every output off.
    fn install() -> std::result::Result<Logging, String> {
        let (level_layer, level_handle) = reload::Layer::new(LevelFilter::OFF);
        let console = fmt::layer()
            .with_writer(io::stderr)
            .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
            .with_filter(filter_fn(|_| OUTPUTS.console.load(Ordering::Relaxed)));
        let file = fmt::layer()
            .with_writer(FileWriter)
            .with_ansi(false)
            .with_filter(filter_fn(|_| read(&OUTPUTS.file).is_some()));
        let callback = fmt::layer()
            .with_writer(CallbackWriter)
            .with_ansi(false)
            .with_filter(filter_fn(|_| read(&OUTPUTS.callback).is_some()));
        let subscriber = Registry::default()
            .with(level_layer)
            .with(console)
            .with(file)
            .with(callback);
        tracing::subscriber::set_global_default(subscriber)
            .map_err(|error| format!("cannot install the addon's log: {error}"))?;
        Ok(Logging {
            level_handle,
            level: Mutex::new(DEFAULT_LEVEL),
        })
    }

    /// The level filter now: the set level while an output is on, else off (nothing formatted).
    /// Called after every change: tracing caches the filters' answers per call site, and a
    /// reload rebuilds that cache, so a switched output or level takes effect on the next line.
    fn apply(&self) -> std::result::Result<(), Error<String>> {
        let level = *self
            .level
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let any_output = OUTPUTS.console.load(Ordering::Relaxed)
            || read(&OUTPUTS.file).is_some()
            || read(&OUTPUTS.callback).is_some();
        let effective = if any_output { level } else { LevelFilter::OFF };
        self.level_handle
            .reload(effective)
            .map_err(|error| log_error(format!("cannot change the log level: {error}")))
    }
}

fn logging() -> std::result::Result<&'static Logging, Error<String>> {
    LOGGING
        .get_or_init(Logging::install)
        .as_ref()
        .map_err(|message| log_error(message.clone()))
}

fn log_error(message: String) -> Error<String> {
    Error::new("ERR_LOGGING".to_owned(), message)
}

/// setLogLevel: `level` is a TRTCLogLevel (0 Verbose … 6 None).
#[napi]
pub fn set_log_level(level: f64) -> std::result::Result<(), Error<String>> {
    let filter = (level.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&level))
        .then(|| level_filter(level as u32))
        .flatten()
        .ok_or_else(|| {
            Error::new(
                "ERR_INVALID_ARG_VALUE".to_owned(),
                format!(
                    "level must be a TRTCLogLevel: 0 Verbose, 1 Debug, 2 Info, 3 Warn, 4 Error, 5 Fatal or 6 None; got {level}"
                ),
            )
        })?;
    let logging = logging()?;
    *logging
        .level
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = filter;
    logging.apply()
}

/// setConsoleEnabled: lines go to stderr while enabled.
#[napi]
pub fn set_log_console(enabled: bool) -> std::result::Result<(), Error<String>> {
    let logging = logging()?;
    OUTPUTS.console.store(enabled, Ordering::Relaxed);
    logging.apply()
}

/// setLogDirPath: lines go to `openroom.<UTC date>.log` in `dir` (created if missing), a new
/// file each day; `None` stops writing files.
#[napi]
pub fn set_log_dir(dir: Option<String>) -> std::result::Result<(), Error<String>> {
    let logging = logging()?;
    let appender = dir
        .map(|dir| {
            let cannot = |error: &dyn std::fmt::Display| {
                Error::new(
                    "ERR_INVALID_ARG_VALUE".to_owned(),
                    format!("cannot write log files in {dir}: {error}; give a directory this process may create and write"),
                )
            };
            // Made here, not by the appender: it looks for old files to delete before it
            // creates the directory, and says so on stderr.
            std::fs::create_dir_all(&dir).map_err(|error| cannot(&error))?;
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("openroom")
                .filename_suffix("log")
                .max_log_files(LOG_FILES_KEPT)
                .build(PathBuf::from(&dir))
                .map_err(|error| cannot(&error))
        })
        .transpose()?;
    *write(&OUTPUTS.file) = appender;
    logging.apply()
}

/// setLogCallback: each line is passed to `callback(log, level, module)` (level a
/// TRTCLogLevel, module the line's Rust module path); `None` stops it.
#[napi(ts_args_type = "callback: ((log: string, level: number, module: string) => void) | null")]
pub fn set_log_callback(
    callback: Option<Function<'_, CallbackArgs, ()>>,
) -> std::result::Result<(), Error<String>> {
    let logging = logging()?;
    let callback = callback
        .map(|callback| {
            callback
                .build_threadsafe_function::<CallbackArgs>()
                .weak::<true>()
                .callee_handled::<false>()
                .max_queue_size::<LOG_CALLBACK_QUEUE_LINES>()
                .build()
        })
        .transpose()
        .map_err(|error| log_error(format!("cannot keep the log callback: {error}")))?;
    *write(&OUTPUTS.callback) = callback;
    logging.apply()
}

/// log(info): the app's own line, at Info, in the same log as the addon's.
#[napi]
pub fn write_log(info: String) {
    tracing::info!(target: "app", "{info}");
}

/// Writes a line to the current log file (the file output's filter saw one; if it was removed
/// in between, the line is dropped).
struct FileWriter;

impl<'a> MakeWriter<'a> for FileWriter {
    type Writer = FileLine;

    fn make_writer(&'a self) -> FileLine {
        FileLine
    }
}

struct FileLine;

impl Write for FileLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match read(&OUTPUTS.file).as_ref() {
            Some(appender) => appender.make_writer().write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match read(&OUTPUTS.file).as_ref() {
            Some(appender) => appender.make_writer().flush(),
            None => Ok(()),
        }
    }
}

/// Collects one formatted line and hands it to the log callback when the formatter is done.
struct CallbackWriter;

impl<'a> MakeWriter<'a> for CallbackWriter {
    type Writer = CallbackLine;

    fn make_writer(&'a self) -> CallbackLine {
        CallbackLine {
            text: Vec::new(),
            level: trtc_level(&Level::INFO),
            module: String::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> CallbackLine {
        CallbackLine {
            text: Vec::new(),
            level: trtc_level(meta.level()),
            module: meta.target().to_owned(),
        }
    }
}

struct CallbackLine {
    text: Vec<u8>,
    level: u32,
    module: String,
}

impl Write for CallbackLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for CallbackLine {
    fn drop(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.text).trim_end().to_owned();
        if let Some(callback) = read(&OUTPUTS.callback).as_ref() {
            // Non-blocking: a main thread that is busy never stalls the thread that logs. A
            // line that cannot be queued (the queue is full, or Node is shutting down) is
            // counted, and the count told first once lines fit again.
            let send = |line: String, level: u32, module: String| {
                callback.call(
                    FnArgs::from((line, level, module)),
                    ThreadsafeFunctionCallMode::NonBlocking,
                ) == Status::Ok
            };
            let dropped = DROPPED_LINES.swap(0, Ordering::Relaxed);
            if dropped > 0 {
                let notice = format!(
                    "{dropped} log lines were dropped: the JS thread did not take them (more than {LOG_CALLBACK_QUEUE_LINES} waiting)"
                );
                if !send(notice, trtc_level(&Level::WARN), module_path!().to_owned()) {
                    DROPPED_LINES.fetch_add(dropped, Ordering::Relaxed);
                }
            }
            if !send(text, self.level, std::mem::take(&mut self.module)) {
                DROPPED_LINES.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
