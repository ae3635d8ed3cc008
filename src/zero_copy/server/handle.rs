//! Starting either server ([`spawn`]), the handle that reads its counters
//! and stops it ([`ServerHandle`]), the listening socket they share, and
//! the `SIGPIPE` guard ([`ignore_sigpipe`]).
//!
//! Not here: how a connection is served (`threads.rs`, `event.rs`) or what
//! it is answered (`mod.rs`, [`Site::answer`]).

use super::cpu::CpuLedger;
use super::{Config, Model, Site, Stats, event, threads};
use crate::zero_copy::confine::Strategy;
use nix::sys::socket::{Backlog, listen};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
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

/// Connections the kernel queues for `accept` (std's `bind` asks for 128,
/// which a benchmark opening 256 connections at once overflows: the excess
/// SYNs are dropped and retried a second later).
pub const BACKLOG: i32 = 4096;

/// A listening TCP socket on `addr` with a [`BACKLOG`]-deep accept queue
/// (on Linux, `listen` on a listening socket sets its backlog anew).
pub fn listen_on(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    listen(&listener, Backlog::new(BACKLOG).unwrap_or(Backlog::MAXCONN))?;
    Ok(listener)
}

/// A running server: its address, its counters, and the means to stop it.
/// Dropping it stops the server at once (closing every connection);
/// [`ServerHandle::shutdown`] lets transfers in progress finish.
pub struct ServerHandle {
    addr: SocketAddr,
    site: Arc<Site>,
    cpu: Arc<CpuLedger>,
    inner: Option<Inner>,
}

enum Inner {
    Threads(threads::Threads),
    Events(event::Loops),
}

// ANCHOR: spawn
/// Binds `addr` and starts serving `config.root` with `config.model`:
/// an acceptor thread that starts a thread per connection, or
/// `config.threads` event loops.
pub fn spawn(addr: SocketAddr, config: Config) -> io::Result<ServerHandle> {
    let invalid = |what| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
    if config.model == Model::EventLoop && config.threads == 0 {
        return invalid("an event-loop server needs at least one loop");
    }
    if config.limits.max_connections == 0 || config.limits.max_head < 64 {
        return invalid("max_connections must be ≥ 1 and max_head ≥ 64");
    }
    ignore_sigpipe()?;
    let site = Arc::new(Site::new(config)?);
    let listener = listen_on(addr)?;
    let addr = listener.local_addr()?;
    let cpu = Arc::new(CpuLedger::default());
    let inner = match site.config.model {
        Model::Threads => {
            Inner::Threads(threads::spawn(site.clone(), listener, cpu.clone())?)
        }
        Model::EventLoop => {
            Inner::Events(event::spawn(site.clone(), listener, cpu.clone())?)
        }
    };
    Ok(ServerHandle { addr, site, cpu, inner: Some(inner) })
}
// ANCHOR_END: spawn

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

    /// How it serves connections.
    pub fn model(&self) -> Model {
        self.site.config.model
    }

    /// CPU time (user + system) its threads have used so far.
    pub fn cpu_time(&self) -> Duration {
        self.cpu.total()
    }

    /// Its threads now (the acceptor and one per connection, or the loops).
    pub fn threads(&self) -> usize {
        self.cpu.live_threads()
    }

    /// Serves until the process ends (for the example's `serve`).
    pub fn wait(mut self) {
        match self.inner.take() {
            Some(Inner::Threads(t)) => t.wait(),
            Some(Inner::Events(e)) => e.wait(),
            None => {}
        }
    }

    /// Stops accepting, closes idle connections, lets every response in
    /// progress finish (each bounded by the send time-out), then returns.
    pub fn shutdown(mut self) {
        self.stop(true);
    }

    fn stop(&mut self, graceful: bool) {
        self.site.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        match self.inner.take() {
            Some(Inner::Threads(t)) => t.stop(graceful),
            Some(Inner::Events(e)) => e.stop(graceful),
            None => {}
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop(false);
    }
}
