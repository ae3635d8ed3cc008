//! Running the server: `workers` threads that each accept and serve one
//! connection at a time ([`spawn`]), the handle that stops them
//! ([`ServerHandle`]), and the `SIGPIPE` guard ([`ignore_sigpipe`]).
//!
//! Not here: what a connection does (`mod.rs`, [`Site`]).

use super::{Config, Site, Stats};
use crate::zero_copy::confine::Strategy;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

// ANCHOR: ignore_sigpipe
/// Makes sure a `sendfile` or `splice` into a socket whose peer has gone
/// cannot kill the process: their `EPIPE` comes with a `SIGPIPE`, and no flag
/// turns it off (`send` has `MSG_NOSIGNAL`; these calls have none). Rust
/// binaries start with `SIGPIPE` ignored, but a library cannot count on
/// being in one. Leaves a handler the program installed alone. Returns
/// `true` if it changed the disposition.
pub fn ignore_sigpipe() -> io::Result<bool> {
    // SAFETY: a zeroed `sigaction` is a valid "no handler" value, and passing
    // a null `act` only reads the current disposition into `old`.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `old` is a valid, writable sigaction; `act` is null.
    if unsafe { libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if old.sa_sigaction != libc::SIG_DFL {
        return Ok(false);
    }
    // SAFETY: SIG_IGN installs no code, so no handler can run in an
    // unexpected context; this only changes what SIGPIPE does.
    let prev = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    if prev == libc::SIG_ERR {
        return Err(io::Error::last_os_error());
    }
    Ok(true)
}
// ANCHOR_END: ignore_sigpipe

/// A running server: its address, its counters, and the means to stop it.
/// Dropping it stops the server and joins its threads.
pub struct ServerHandle {
    addr: SocketAddr,
    site: Arc<Site>,
    listener: TcpListener,
    current: Arc<Vec<Mutex<Option<TcpStream>>>>,
    workers: Vec<JoinHandle<()>>,
}

// ANCHOR: spawn
/// Binds `addr` and starts `config.workers` threads, each accepting and
/// serving one connection at a time: at most `workers` connections are
/// served at once, and the kernel's listen queue holds the rest.
pub fn spawn(addr: SocketAddr, config: Config) -> io::Result<ServerHandle> {
    if config.workers == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "workers must be at least 1",
        ));
    }
    ignore_sigpipe()?;
    let workers = config.workers;
    let site = Arc::new(Site::new(config)?);
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let current: Arc<Vec<_>> = Arc::new((0..workers).map(|_| Mutex::new(None)).collect());
    let mut threads = Vec::with_capacity(workers);
    for i in 0..workers {
        let (site, current, listener) =
            (site.clone(), current.clone(), listener.try_clone()?);
        let t = std::thread::Builder::new()
            .name(format!("file-server-{i}"))
            .spawn(move || accept_loop(&site, &listener, &current[i]))?;
        threads.push(t);
    }
    Ok(ServerHandle { addr, site, listener, current, workers: threads })
}
// ANCHOR_END: spawn

fn accept_loop(site: &Site, listener: &TcpListener, current: &Mutex<Option<TcpStream>>) {
    let c = &site.counters;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(_) if site.stopping.load(Ordering::SeqCst) => return,
            Err(e) => {
                // Out of fds, or a connection reset while queued: pause a
                // little rather than spin, and carry on.
                if e.kind() != io::ErrorKind::ConnectionAborted {
                    std::thread::sleep(Duration::from_millis(10));
                }
                continue;
            }
        };
        *current.lock().unwrap_or_else(|p| p.into_inner()) = stream.try_clone().ok();
        if site.stopping.load(Ordering::SeqCst) {
            return;
        }
        c.accepted.fetch_add(1, Ordering::SeqCst);
        let now = c.active.fetch_add(1, Ordering::SeqCst) + 1;
        c.max_active.fetch_max(now, Ordering::SeqCst);
        let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            site.handle_connection(stream);
        }));
        if served.is_err() {
            c.panics.fetch_add(1, Ordering::SeqCst);
        }
        c.active.fetch_sub(1, Ordering::SeqCst);
        *current.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        self.site.stats()
    }

    /// How the root confines symlinks.
    pub fn strategy(&self) -> Strategy {
        self.site.strategy()
    }

    /// Serves until the process ends (for the example's `serve`).
    pub fn wait(mut self) {
        for t in self.workers.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops accepting, ends the connections being served, joins the workers.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.site.stopping.store(true, Ordering::SeqCst);
        // Wakes every thread blocked in accept() (it returns EINVAL).
        let _ = nix::sys::socket::shutdown(
            self.listener.as_raw_fd(),
            nix::sys::socket::Shutdown::Read,
        );
        for slot in self.current.iter() {
            if let Some(s) = slot.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        for t in self.workers.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
