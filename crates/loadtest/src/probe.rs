//! What the server process costs: its resident memory and CPU time, read from /proc (Linux).

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ProbeError {
    #[error("cannot read {path}: {source} (is the server's pid right, and does it run on this machine?)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} has no {field} this probe understands")]
    Format { path: PathBuf, field: &'static str },
}

/// A process watched through /proc/<pid>.
#[derive(Debug, Clone, Copy)]
pub struct ProcessProbe {
    pid: u32,
}

impl ProcessProbe {
    pub fn new(pid: u32) -> ProcessProbe {
        ProcessProbe { pid }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Resident memory in KiB (VmRSS).
    pub fn rss_kib(&self) -> Result<u64, ProbeError> {
        let path = self.path("status");
        let status = read(&path)?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or(ProbeError::Format {
                path,
                field: "VmRSS",
            })
    }

    /// CPU time used so far, user and system, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, ProbeError> {
        let path = self.path("stat");
        let stat = read(&path)?;
        // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
        // After it come state (3), ..., utime (14) and stime (15).
        let ticks = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect::<Vec<_>>())
            .and_then(|fields| {
                let utime: u64 = fields.get(11)?.parse().ok()?;
                let stime: u64 = fields.get(12)?.parse().ok()?;
                Some(utime + stime)
            })
            .ok_or(ProbeError::Format {
                path,
                field: "utime and stime",
            })?;
        Ok(ticks as f64 / clock_ticks_per_second())
    }

    fn path(&self, file: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/{file}", self.pid))
    }
}

/// Raise this process's soft limit on open files to its hard limit; the limit now.
pub fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed in.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

fn read(path: &PathBuf) -> Result<String, ProbeError> {
    std::fs::read_to_string(path).map_err(|source| ProbeError::Read {
        path: path.clone(),
        source,
    })
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let probe = ProcessProbe::new(std::process::id());
        let rss = probe.rss_kib().unwrap();
        assert!(rss > 100, "{rss} KiB");
        // Burn a little CPU so the figure is not all zero on a fast machine.
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        assert!(probe.cpu_seconds().unwrap() >= 0.0);
    }

    #[test]
    fn a_missing_process_is_a_clear_error() {
        let error = ProcessProbe::new(u32::MAX).rss_kib().unwrap_err();
        assert!(
            error.to_string().contains("is the server's pid right"),
            "{error}"
        );
    }
}
