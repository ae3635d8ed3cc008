//! nginx as a peer to measure against: started as this process's own
//! child on a loopback port, with a configuration file in a scratch
//! directory (the Debian package's settings for a static site: `sendfile
//! on`, `tcp_nopush on`, no access log), stopped by its process id when
//! dropped. Its CPU time and resident memory are read from
//! `/proc/<pid>/stat` and `/proc/<pid>/status` of its worker processes.
//!
//! Not for: a machine without nginx ([`Nginx::find`] says so, and the
//! comparison is left out), or any port but 127.0.0.1's.

use super::files::Scratch;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx.
pub struct Nginx {
    child: Child,
    addr: SocketAddr,
    _dir: Scratch,
}

impl Nginx {
    /// The nginx binary: on `PATH`, or Debian's `/usr/sbin/nginx`.
    pub fn find() -> Option<PathBuf> {
        let on_path = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths).map(|p| p.join("nginx")).find(|p| p.is_file())
        });
        on_path.or_else(|| {
            let debian = PathBuf::from("/usr/sbin/nginx");
            debian.is_file().then_some(debian)
        })
    }

    /// `nginx version: nginx/1.22.1`, or why there is none.
    pub fn version() -> Result<String, String> {
        let bin = Self::find().ok_or("nginx is not installed (apt-get install nginx)")?;
        let out = Command::new(&bin).arg("-v").output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Ok(text.trim_start_matches("nginx version: ").to_string())
    }

    /// Starts nginx serving `root` on a free 127.0.0.1 port with `workers`
    /// worker processes; returns once it answers.
    pub fn start(root: &Path, workers: usize) -> io::Result<Self> {
        let bin =
            Self::find().ok_or_else(|| io::Error::other("nginx is not installed"))?;
        let mut last = io::Error::other("nginx did not start");
        for _ in 0..3 {
            match Self::try_start(&bin, root, workers) {
                Ok(n) => return Ok(n),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn try_start(bin: &Path, root: &Path, workers: usize) -> io::Result<Self> {
        // A free port: bound, read, released (another process could take it
        // in between; then nginx fails and the caller tries again).
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let dir = Scratch::new("nginx")?;
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\n\
             master_process on;\n\
             worker_processes {workers};\n\
             worker_rlimit_nofile 20000;\n\
             pid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\n\
             events {{ worker_connections 8192; }}\n\
             http {{\n\
             \x20   access_log off;\n\
             \x20   sendfile on;\n\
             \x20   tcp_nopush on;\n\
             \x20   tcp_nodelay on;\n\
             \x20   keepalive_timeout 65;\n\
             \x20   keepalive_requests 100000000;\n\
             \x20   default_type application/octet-stream;\n\
             \x20   client_body_temp_path {d}/body;\n\
             \x20   proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n\
             \x20   uwsgi_temp_path {d}/uwsgi;\n\
             \x20   scgi_temp_path {d}/scgi;\n\
             \x20   server {{\n\
             \x20       listen 127.0.0.1:{port} backlog=4096;\n\
             \x20       root {};\n\
             \x20   }}\n\
             }}\n",
            root.display()
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut nginx = Self { child, addr, _dir: dir };
        let give_up = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = nginx.child.try_wait()? {
                let log = std::fs::read_to_string(nginx._dir.join("error.log"))
                    .unwrap_or_default();
                return Err(io::Error::other(format!("nginx exited ({status}): {log}")));
            }
            if TcpStream::connect(addr).is_ok() && nginx.worker_pids().len() == workers {
                return Ok(nginx);
            }
            if Instant::now() > give_up {
                return Err(io::Error::other("nginx did not answer within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its worker processes' ids (the master's children).
    pub fn worker_pids(&self) -> Vec<u32> {
        let pid = self.child.id();
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// CPU time (user + system) its workers have used, from
    /// `/proc/<pid>/stat` (in clock ticks, 10 ms each as a rule).
    pub fn cpu_time(&self) -> Duration {
        self.worker_pids().into_iter().filter_map(process_cpu_time).sum()
    }

    /// Its workers' resident memory, from `/proc/<pid>/status` (`VmRSS`).
    pub fn resident_bytes(&self) -> u64 {
        self.worker_pids().into_iter().filter_map(|p| resident_bytes(Some(p))).sum()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let workers = self.worker_pids();
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        // SIGTERM: nginx's fast shutdown; the master stops its workers.
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let give_up = Instant::now() + Duration::from_secs(5);
        while Instant::now() < give_up {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // Workers the master left behind, by the ids it gave them.
        for w in workers {
            let w = nix::unistd::Pid::from_raw(w as i32);
            let _ = nix::sys::signal::kill(w, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// A process's CPU time (user + system) from `/proc/<pid>/stat`.
pub fn process_cpu_time(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: fields start after it.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) (utime, stime) are 11 and 12 after the name.
    let ticks: u64 =
        fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as u64 } else { 100 };
    Some(Duration::from_nanos(ticks * 1_000_000_000 / hz))
}

/// A process's resident memory (`VmRSS`), from `/proc/<pid>/status`
/// (`None`: this process).
pub fn resident_bytes(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    crate::measure::procfs::kib_field(&text, "VmRSS").map(|k| k * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        assert!(resident_bytes(None).is_some_and(|b| b > 0));
        assert!(process_cpu_time(std::process::id()).is_some());
    }
}
