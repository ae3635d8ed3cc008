//! The simple first version: an acceptor thread, and a thread per
//! connection running [`Site::handle_connection`] with blocking calls, as
//! Go's `net/http` runs a goroutine per connection. Easy to follow (a
//! connection's whole life is one function, top to bottom), and every
//! connection costs a thread: its stack, its switches, a wake-up per
//! request.
//!
//! Not here: what a connection does (`mod.rs`).

use super::cpu::CpuLedger;
use super::{Site, send_all};
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Stack of a connection's thread: the handler needs a few KiB; the
/// default 2 MiB would only reserve address space.
const STACK: usize = 256 << 10;

/// 503 answers being delivered at once, each on a short-lived thread;
/// beyond this, a refused connection gets its answer and is closed at once.
const MAX_REFUSING: usize = 64;

/// The running server.
pub struct Threads {
    listener: TcpListener,
    acceptor: Option<JoinHandle<()>>,
    open: Arc<Open>,
}

/// The connections being served: a clone of each socket (to stop it) and
/// a count to wait on.
#[derive(Default)]
struct Open {
    sockets: Mutex<Vec<Option<TcpStream>>>,
    gone: Condvar,
    refusing: AtomicUsize,
}

impl Open {
    fn add(&self, s: TcpStream) -> usize {
        let mut v = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        match v.iter().position(Option::is_none) {
            Some(i) => {
                v[i] = Some(s);
                i
            }
            None => {
                v.push(Some(s));
                v.len() - 1
            }
        }
    }

    fn remove(&self, i: usize) {
        let mut v = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        v[i] = None;
        self.gone.notify_all();
    }

    fn each(&self, how: Shutdown) {
        let v = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        for s in v.iter().flatten() {
            let _ = s.shutdown(how);
        }
    }

    fn wait_empty(&self) {
        let mut v = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        while v.iter().any(Option::is_some) {
            v = self.gone.wait(v).unwrap_or_else(|p| p.into_inner());
        }
    }
}

// ANCHOR: spawn_threads
/// Starts the acceptor: each connection gets a thread of its own, up to
/// `max_connections`; the next are answered 503 and closed.
pub fn spawn(
    site: Arc<Site>,
    listener: TcpListener,
    cpu: Arc<CpuLedger>,
) -> io::Result<Threads> {
    let open = Arc::new(Open::default());
    let (l, o) = (listener.try_clone()?, open.clone());
    let acceptor = std::thread::Builder::new().name("file-server-accept".into()).spawn(
        move || {
            let _cpu = cpu.register();
            accept_loop(&site, &l, &o, &cpu)
        },
    )?;
    Ok(Threads { listener, acceptor: Some(acceptor), open })
}

fn accept_loop(
    site: &Arc<Site>,
    listener: &TcpListener,
    open: &Arc<Open>,
    cpu: &Arc<CpuLedger>,
) {
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
        if site.stopping.load(Ordering::SeqCst) {
            return;
        }
        site.counters.accepted.fetch_add(1, Ordering::SeqCst);
        let active = site.counters.active.load(Ordering::SeqCst);
        if active >= site.config.limits.max_connections as u64 {
            refuse(site, stream, open);
            continue;
        }
        let Ok(clone) = stream.try_clone() else { continue };
        let slot = open.add(clone);
        site.opened();
        let (s, o, c) = (site.clone(), open.clone(), cpu.clone());
        let started = std::thread::Builder::new()
            .name("file-server-conn".into())
            .stack_size(STACK)
            .spawn(move || {
                let _cpu = c.register();
                let served =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        s.handle_connection(stream);
                    }));
                if served.is_err() {
                    s.counters.panics.fetch_add(1, Ordering::SeqCst);
                }
                s.closed();
                o.remove(slot);
            });
        if started.is_err() {
            // No thread to be had (the process's or the system's limit).
            site.closed();
            open.remove(slot);
        }
    }
}
// ANCHOR_END: spawn_threads

/// Answers 503 and closes: with a lingering close on a thread of its own,
/// while fewer than [`MAX_REFUSING`] are; otherwise at once.
fn refuse(site: &Arc<Site>, stream: TcpStream, open: &Arc<Open>) {
    let mut bufs = super::ReplyBuffers::default();
    site.refuse(503, &mut bufs, false);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    if send_all(&stream, &bufs.head, false).is_err() {
        return;
    }
    if open.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        open.refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let (s, o) = (site.clone(), open.clone());
    let lingered = std::thread::Builder::new().stack_size(64 << 10).spawn(move || {
        s.linger(&stream);
        o.refusing.fetch_sub(1, Ordering::SeqCst);
    });
    if lingered.is_err() {
        open.refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Threads {
    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
        self.open.wait_empty();
    }

    /// Stops accepting; `graceful`: ends the connections' reading side, so
    /// each finishes the response it is sending and then ends; otherwise
    /// ends them at once. Returns when every connection's thread is done.
    pub fn stop(mut self, graceful: bool) {
        // Wakes the acceptor blocked in accept() (it returns EINVAL).
        let _ = nix::sys::socket::shutdown(
            self.listener.as_raw_fd(),
            nix::sys::socket::Shutdown::Read,
        );
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
        self.open.each(if graceful { Shutdown::Read } else { Shutdown::Both });
        self.open.wait_empty();
    }
}
