//! The event-driven server: `threads` event loops (one per CPU by default),
//! each an epoll instance (through `mio`) over non-blocking sockets, each
//! connection a small state machine:
//!
//! ```text
//! Head ──complete head──▶ Send ──body sent──▶ Head (keep-alive)
//!  │  (read until EAGAIN;     │  (send the head, then sendfile
//!  │   431 if too large)      │   until EAGAIN; resume when writable)
//!  │                          └──close after──▶ Linger ──EOF or time──▶ closed
//!  └──time-out, EOF──▶ closed
//! ```
//!
//! No call ever blocks a loop: a read, a send or a `sendfile` that would
//! wait returns `EAGAIN`, the connection keeps its place (the offset in the
//! file, the bytes of a head it still has to send), and epoll says when to
//! go on. One client that stops reading costs its socket buffers and a few
//! hundred bytes of state, not a thread.
//!
//! Loop 0 accepts and hands each connection to the loop serving the fewest
//! (through a mailbox and a wake-up); each loop then owns its connections
//! alone, without locks. Time-outs are one sorted set per loop
//! (`deadlines.rs`). A connection's turn is bounded (2 MiB of body, 16
//! pipelined requests), so one fast client cannot starve the rest of its
//! loop.
//!
//! Not here: HTTP (`Site::answer`), and sockets that are not TCP.

use super::cpu::CpuLedger;
use super::deadlines::Deadlines;
use super::{Body, Reply, ReplyBuffers, Site, Transfer, http, send_flags};
use crate::zero_copy::transfer::{
    MAX_CHUNK, Moved, TransferError, drive, is_unsupported,
};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use nix::errno::Errno;
use nix::sys::socket::send;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX);

/// Most body bytes one connection sends in a turn before the loop serves
/// the others (nginx's `sendfile_max_chunk` default).
const TURN_BYTES: u64 = 2 << 20;
/// Most requests of one connection answered in a turn (pipelining).
const TURN_REQUESTS: u32 = 16;
/// Most reads a lingering connection gets in a turn.
const TURN_DRAINS: u32 = 16;
/// Refused connections delivering their 503 at once; beyond this, a
/// refused connection gets its answer and is closed at once.
const MAX_REFUSING: usize = 256;
/// How long accepting pauses when the process is out of file descriptors.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

const RUN: u8 = 0;
const GRACEFUL: u8 = 1;
const NOW: u8 = 2;

/// What the loops share.
struct Shared {
    site: Arc<Site>,
    mailboxes: Vec<Mailbox>,
    stop: AtomicU8,
    /// Connections served, against `max_connections`.
    open: AtomicUsize,
    /// Refused connections still delivering their 503.
    refusing: AtomicUsize,
}

/// How the accepting loop hands a connection to another.
struct Mailbox {
    waker: Waker,
    inbox: Mutex<Vec<TcpStream>>,
    /// Connections given to this loop and not yet closed.
    assigned: AtomicUsize,
}

/// The running loops.
pub struct Loops {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts `site.config.threads` loops; loop 0 also accepts on `listener`.
pub fn spawn(
    site: Arc<Site>,
    listener: std::net::TcpListener,
    cpu: Arc<CpuLedger>,
) -> io::Result<Loops> {
    listener.set_nonblocking(true)?;
    let n = site.config.threads.max(1);
    let mut polls = Vec::with_capacity(n);
    let mut mailboxes = Vec::with_capacity(n);
    for _ in 0..n {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        mailboxes.push(Mailbox {
            waker,
            inbox: Mutex::default(),
            assigned: AtomicUsize::new(0),
        });
        polls.push(poll);
    }
    let shared = Arc::new(Shared {
        site,
        mailboxes,
        stop: AtomicU8::new(RUN),
        open: AtomicUsize::new(0),
        refusing: AtomicUsize::new(0),
    });
    let mut loops = Loops { shared: shared.clone(), threads: Vec::with_capacity(n) };
    let mut listener = Some(TcpListener::from_std(listener));
    for (id, poll) in polls.into_iter().enumerate() {
        let mut l = EventLoop::new(id, poll, shared.clone(), listener.take())?;
        let cpu = cpu.clone();
        let started = std::thread::Builder::new()
            .name(format!("file-server-loop-{id}"))
            .spawn(move || {
                let _cpu = cpu.register();
                l.run();
            });
        match started {
            Ok(t) => loops.threads.push(t),
            Err(e) => {
                loops.stop(false);
                return Err(e);
            }
        }
    }
    Ok(loops)
}

/// Serves `connections` connections from `listener` with one event loop on
/// the calling thread, then returns: how a test counts what the event loop
/// allocates.
pub fn serve_here(
    site: Arc<Site>,
    listener: std::net::TcpListener,
    connections: u64,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let poll = Poll::new()?;
    let waker = Waker::new(poll.registry(), WAKER)?;
    let shared = Arc::new(Shared {
        site,
        mailboxes: vec![Mailbox {
            waker,
            inbox: Mutex::default(),
            assigned: AtomicUsize::new(0),
        }],
        stop: AtomicU8::new(RUN),
        open: AtomicUsize::new(0),
        refusing: AtomicUsize::new(0),
    });
    let mut l = EventLoop::new(0, poll, shared, Some(TcpListener::from_std(listener)))?;
    l.exit_after = Some(connections);
    l.run();
    Ok(())
}

impl Loops {
    /// Serves until the process ends.
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops: `graceful` lets every response in progress finish; otherwise
    /// every connection is closed at once.
    pub fn stop(mut self, graceful: bool) {
        self.shared.stop.store(if graceful { GRACEFUL } else { NOW }, Ordering::SeqCst);
        for m in &self.shared.mailboxes {
            let _ = m.waker.wake();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // Connections handed over after their loop had ended.
        for m in &self.shared.mailboxes {
            for _ in m.inbox.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
                self.shared.site.closed();
            }
        }
    }
}

/// Where a connection is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Reading a request head.
    Head,
    /// Sending a response (head, then body).
    Send,
    /// Sending is over; draining the client's input before closing.
    Linger,
}

/// What a step of a connection's state machine asks for next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Take the next step now.
    Continue,
    /// Nothing to do until epoll reports the socket ready (or a deadline).
    Wait,
    /// More to do, but the turn is over: go to the back of the ready queue.
    Yield,
    /// Close the connection.
    Close,
}

/// What a call that sends body bytes did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    /// The body is all sent (this many bytes in this call).
    Done(u64),
    /// The socket is full (`EAGAIN`) after this many bytes.
    Blocked(u64),
    /// The turn's budget is spent after this many bytes.
    Budget(u64),
}

/// One connection's state: a few hundred bytes, and no buffer unless a
/// head arrived in pieces, several were pipelined, or the socket took only
/// part of a response head.
struct Conn {
    sock: TcpStream,
    phase: Phase,
    /// Bytes of a head not yet complete, or pipelined after one.
    stash: Vec<u8>,
    /// The part of a response head the socket has not taken yet.
    out: Vec<u8>,
    sent: usize,
    body: Option<Body>,
    /// `Transfer::CopyLoop`'s buffer, held for one response.
    own_copy: Vec<u8>,
    /// `sendfile` was refused for this file: copy it instead.
    fallback: bool,
    close_after: bool,
    /// epoll said readable, and no read has found the socket empty since.
    readable: bool,
    /// When the head being read began (or the connection, for its first).
    head_since: Option<Instant>,
    /// When the last response ended.
    idle_since: Instant,
    deadline: Instant,
    armed: Option<Instant>,
    queued: bool,
    /// Counted against `max_connections` (a refused one is not).
    counted: bool,
}

#[derive(Default)]
struct Turn {
    bytes: u64,
    requests: u32,
}

/// One event loop and the connections it owns.
struct EventLoop {
    id: usize,
    poll: Poll,
    events: Option<Events>,
    shared: Arc<Shared>,
    site: Arc<Site>,
    listener: Option<TcpListener>,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    live: usize,
    deadlines: Deadlines,
    ready: VecDeque<usize>,
    /// Where heads are read: shared by the loop's connections.
    input: Vec<u8>,
    reply: ReplyBuffers,
    /// `Transfer::PooledCopyLoop`'s buffer: one per loop.
    copy: Vec<u8>,
    now: Instant,
    accept_paused: Option<Instant>,
    next: usize,
    stopping: bool,
    closed: u64,
    exit_after: Option<u64>,
}

impl EventLoop {
    fn new(
        id: usize,
        poll: Poll,
        shared: Arc<Shared>,
        mut listener: Option<TcpListener>,
    ) -> io::Result<Self> {
        if let Some(l) = listener.as_mut() {
            poll.registry().register(l, LISTENER, Interest::READABLE)?;
        }
        let site = shared.site.clone();
        let max_head = site.config.limits.max_head;
        Ok(Self {
            id,
            poll,
            events: Some(Events::with_capacity(1024)),
            shared,
            site,
            listener,
            conns: Vec::new(),
            free: Vec::new(),
            live: 0,
            deadlines: Deadlines::default(),
            ready: VecDeque::new(),
            input: vec![0; max_head],
            reply: ReplyBuffers::default(),
            copy: Vec::new(),
            now: Instant::now(),
            accept_paused: None,
            next: 0,
            stopping: false,
            closed: 0,
            exit_after: None,
        })
    }

    // ANCHOR: run
    /// Waits for readiness or the next deadline, advances every connection
    /// that can move, expires the overdue ones; until stopped.
    fn run(&mut self) {
        let mut events =
            self.events.take().unwrap_or_else(|| Events::with_capacity(1024));
        loop {
            let timeout = self.timeout();
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break, // epoll itself failed: nothing left to wait on
            }
            self.now = Instant::now();
            for ev in events.iter() {
                match ev.token() {
                    LISTENER => self.accept_all(),
                    WAKER => self.take_inbox(),
                    Token(i) => self.on_event(i, ev),
                }
            }
            self.run_ready();
            self.expire();
            if self.accept_paused.is_some_and(|t| t <= self.now) {
                self.accept_paused = None;
                self.accept_all();
            }
            if self.check_stop() {
                break;
            }
        }
        for i in 0..self.conns.len() {
            self.close(i);
        }
    }
    // ANCHOR_END: run

    fn timeout(&self) -> Option<Duration> {
        if !self.ready.is_empty() {
            return Some(Duration::ZERO);
        }
        let next = match (self.deadlines.next(), self.accept_paused) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        next.map(|t| t.saturating_duration_since(Instant::now()))
    }

    fn on_event(&mut self, i: usize, ev: &mio::event::Event) {
        let Some(c) = self.conns.get_mut(i).and_then(Option::as_mut) else { return };
        let hup = ev.is_error() || ev.is_read_closed() || ev.is_write_closed();
        if ev.is_readable() || hup {
            c.readable = true;
        }
        let wants = match c.phase {
            Phase::Send => ev.is_writable() || hup,
            Phase::Head | Phase::Linger => c.readable,
        };
        if wants {
            self.advance(i);
        }
    }

    fn run_ready(&mut self) {
        for _ in 0..self.ready.len() {
            let Some(i) = self.ready.pop_front() else { break };
            match self.conns[i].as_mut() {
                Some(c) if c.queued => c.queued = false,
                _ => continue,
            }
            self.advance(i);
        }
    }

    fn queue(&mut self, i: usize) {
        if let Some(c) = self.conns[i].as_mut()
            && !c.queued
        {
            c.queued = true;
            self.ready.push_back(i);
        }
    }

    // ANCHOR: advance
    /// Moves connection `i` through its states until it must wait for the
    /// socket, has had its turn, or is done. A panic ends that connection
    /// only.
    fn advance(&mut self, i: usize) {
        let mut turn = Turn::default();
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            loop {
                let step = match self.conns[i].as_ref().map(|c| c.phase) {
                    None => return Step::Wait,
                    Some(Phase::Head) => self.read_request(i),
                    Some(Phase::Send) => self.send_reply(i, &mut turn),
                    Some(Phase::Linger) => self.drain(i),
                };
                if step != Step::Continue {
                    return step;
                }
            }
        }));
        match step {
            Ok(Step::Continue | Step::Wait) => {}
            Ok(Step::Yield) => self.queue(i),
            Ok(Step::Close) => self.close(i),
            Err(_) => {
                self.site.counters.panics.fetch_add(1, Ordering::Relaxed);
                self.close(i);
            }
        }
    }
    // ANCHOR_END: advance

    fn set_deadline(&mut self, i: usize, at: Instant) {
        if let Some(c) = self.conns[i].as_mut() {
            c.deadline = at;
            self.deadlines.arm(i, at, &mut c.armed);
        }
    }

    /// Head: reads until the loop's buffer holds a complete head, the
    /// socket is empty, or the buffer is full.
    fn read_request(&mut self, i: usize) -> Step {
        let limits = self.site.config.limits;
        let Some(c) = self.conns[i].as_mut() else { return Step::Close };
        let buf = &mut self.input[..];
        let stash = std::mem::take(&mut c.stash);
        let mut filled = stash.len();
        buf[..filled].copy_from_slice(&stash);
        drop(stash);
        enum Got {
            Head(usize),
            TooLarge,
            Pending,
            Closed,
        }
        let got = loop {
            if let Some(len) = http::head_len(&buf[..filled]) {
                break Got::Head(len);
            }
            if filled == buf.len() {
                break Got::TooLarge;
            }
            if !c.readable {
                break Got::Pending;
            }
            let room = buf.len() - filled;
            match (&c.sock).read(&mut buf[filled..]) {
                Ok(0) => break Got::Closed,
                Ok(n) => {
                    if c.head_since.is_none() {
                        c.head_since = Some(self.now);
                    }
                    filled += n;
                    // A short read emptied the socket: with edge-triggered
                    // epoll, more bytes will come with a new event.
                    c.readable = n == room;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => c.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break Got::Closed,
            }
        };
        match got {
            Got::Head(len) => {
                c.stash.extend_from_slice(&buf[len..filled]);
                c.head_since = None;
                let reply = self.site.answer(&buf[..len], &mut self.reply);
                self.start_reply(i, reply)
            }
            Got::TooLarge => {
                let reply = self.site.refuse(431, &mut self.reply, false);
                self.start_reply(i, reply)
            }
            Got::Closed => Step::Close,
            Got::Pending => {
                if filled == 0 && self.stopping {
                    return Step::Close;
                }
                c.stash.extend_from_slice(&buf[..filled]);
                let at = match c.head_since {
                    Some(t) => t + limits.header_timeout,
                    None => c.idle_since + limits.idle_timeout,
                };
                self.set_deadline(i, at);
                Step::Wait
            }
        }
    }

    /// Sends what it can of a new response's head at once, from the loop's
    /// buffer; only what the socket did not take is copied.
    fn start_reply(&mut self, i: usize, reply: Reply) -> Step {
        let transfer = self.site.config.transfer;
        let Some(c) = self.conns[i].as_mut() else { return Step::Close };
        c.phase = Phase::Send;
        c.close_after = reply.close || !c.counted;
        c.body = reply.body;
        c.fallback = false;
        let head = &self.reply.head[..];
        let flags = send_flags(c.body.is_some());
        let taken = loop {
            match send(c.sock.as_raw_fd(), head, flags) {
                Ok(n) => break n,
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => break 0,
                Err(_) => {
                    self.site.counters.transfer_errors.fetch_add(1, Ordering::Relaxed);
                    return Step::Close;
                }
            }
        };
        if taken < head.len() {
            c.out.extend_from_slice(&head[taken..]);
            c.sent = 0;
        }
        if let (Transfer::CopyLoop(size), Some(_)) = (transfer, &c.body) {
            c.own_copy = vec![0; size.max(1)];
        }
        let at = self.now + self.site.config.limits.send_timeout;
        self.set_deadline(i, at);
        Step::Continue
    }

    /// Send: the rest of the head, then the body, until the socket is full,
    /// the turn is over or the response is complete.
    fn send_reply(&mut self, i: usize, turn: &mut Turn) -> Step {
        let limits = self.site.config.limits;
        let transfer = self.site.config.transfer;
        let counters = &self.site.counters;
        let Some(c) = self.conns[i].as_mut() else { return Step::Close };
        let mut progressed = false;
        while c.sent < c.out.len() {
            match send(c.sock.as_raw_fd(), &c.out[c.sent..], send_flags(c.body.is_some()))
            {
                Ok(n) => {
                    c.sent += n;
                    progressed = true;
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return self.blocked(i, progressed),
                Err(_) => {
                    counters.transfer_errors.fetch_add(1, Ordering::Relaxed);
                    return Step::Close;
                }
            }
        }
        if !c.out.is_empty() {
            c.out = Vec::new();
            c.sent = 0;
        }
        if let Some(body) = c.body.as_mut() {
            if turn.bytes >= TURN_BYTES {
                return Step::Yield;
            }
            let budget = TURN_BYTES - turn.bytes;
            let fd = c.sock.as_fd();
            let sent = match (transfer, c.fallback) {
                (Transfer::Sendfile, false) => sendfile_some(fd, body, budget),
                (Transfer::CopyLoop(_), _) => {
                    copy_some(fd, body, &mut c.own_copy, budget)
                }
                (Transfer::PooledCopyLoop(_), _) | (Transfer::Sendfile, true) => {
                    let size = match transfer {
                        Transfer::PooledCopyLoop(size) => size.max(1),
                        _ => crate::zero_copy::sendfile::FALLBACK_BUF,
                    };
                    if self.copy.len() != size {
                        self.copy = vec![0; size];
                    }
                    copy_some(fd, body, &mut self.copy, budget)
                }
            };
            match sent {
                Ok(Sent::Done(n)) => {
                    counters.body_bytes.fetch_add(n, Ordering::Relaxed);
                    turn.bytes += n;
                }
                Ok(Sent::Blocked(n)) => {
                    counters.body_bytes.fetch_add(n, Ordering::Relaxed);
                    return self.blocked(i, progressed || n > 0);
                }
                Ok(Sent::Budget(n)) => {
                    counters.body_bytes.fetch_add(n, Ordering::Relaxed);
                    turn.bytes += n;
                    let at = self.now + limits.send_timeout;
                    self.set_deadline(i, at);
                    return Step::Yield;
                }
                Err(e)
                    if is_unsupported(&e.error)
                        && !c.fallback
                        && transfer == Transfer::Sendfile =>
                {
                    // This file cannot be sendfile'd: copy the rest.
                    counters.body_bytes.fetch_add(e.moved.bytes, Ordering::Relaxed);
                    body.offset += e.moved.bytes;
                    body.len -= e.moved.bytes;
                    c.fallback = true;
                    return Step::Continue;
                }
                Err(e) => {
                    counters.body_bytes.fetch_add(e.moved.bytes, Ordering::Relaxed);
                    counters.transfer_errors.fetch_add(1, Ordering::Relaxed);
                    return Step::Close;
                }
            }
        }
        // The response is complete.
        c.body = None;
        c.own_copy = Vec::new();
        turn.requests += 1;
        if c.close_after || self.stopping {
            return self.start_linger(i);
        }
        c.phase = Phase::Head;
        c.idle_since = self.now;
        c.head_since = (!c.stash.is_empty()).then_some(self.now);
        let at = match c.head_since {
            Some(t) => t + limits.header_timeout,
            None => self.now + limits.idle_timeout,
        };
        self.set_deadline(i, at);
        if turn.requests >= TURN_REQUESTS { Step::Yield } else { Step::Continue }
    }

    /// The socket is full: wait for writability, with a fresh send
    /// deadline if this turn moved bytes.
    fn blocked(&mut self, i: usize, progressed: bool) -> Step {
        if progressed {
            let at = self.now + self.site.config.limits.send_timeout;
            self.set_deadline(i, at);
        }
        Step::Wait
    }

    // ANCHOR: start_linger
    /// Ends sending (the client reads the end of the response, then end of
    /// file) and drains what the client still sends, for at most `linger`.
    /// Closing with unread input would send a reset, and a reset can make
    /// the client's kernel discard the response before the client has read
    /// it.
    fn start_linger(&mut self, i: usize) -> Step {
        self.site.counters.lingered.fetch_add(1, Ordering::Relaxed);
        let Some(c) = self.conns[i].as_mut() else { return Step::Close };
        if c.sock.shutdown(Shutdown::Write).is_err() {
            return Step::Close;
        }
        c.phase = Phase::Linger;
        c.stash = Vec::new();
        let at = self.now + self.site.config.limits.linger;
        self.set_deadline(i, at);
        Step::Continue
    }

    /// Linger: reads and discards until end of file (then closes) or the
    /// socket is empty (then waits).
    fn drain(&mut self, i: usize) -> Step {
        let Some(c) = self.conns[i].as_mut() else { return Step::Close };
        for _ in 0..TURN_DRAINS {
            if !c.readable {
                return Step::Wait;
            }
            match (&c.sock).read(&mut self.input) {
                Ok(0) => return Step::Close,
                Ok(n) => c.readable = n == self.input.len(),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => c.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Step::Close,
            }
        }
        Step::Yield
    }
    // ANCHOR_END: start_linger

    /// Closes the connections whose deadline has passed.
    fn expire(&mut self) {
        while let Some(i) = self.deadlines.pop_due(self.now) {
            let Some(c) = self.conns[i].as_mut() else { continue };
            c.armed = None;
            if c.deadline > self.now {
                // The deadline moved on since this entry was filed.
                let at = c.deadline;
                self.deadlines.arm(i, at, &mut c.armed);
                continue;
            }
            let counters = &self.site.counters;
            match c.phase {
                Phase::Head => {
                    counters.timed_out.fetch_add(1, Ordering::Relaxed);
                }
                Phase::Send => {
                    counters.timed_out.fetch_add(1, Ordering::Relaxed);
                    counters.transfer_errors.fetch_add(1, Ordering::Relaxed);
                }
                Phase::Linger => {}
            }
            self.close(i);
        }
    }

    fn close(&mut self, i: usize) {
        let Some(mut c) = self.conns.get_mut(i).and_then(Option::take) else { return };
        self.deadlines.disarm(i, &mut c.armed);
        if c.counted {
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
            self.site.closed();
        } else {
            self.shared.refusing.fetch_sub(1, Ordering::SeqCst);
        }
        self.shared.mailboxes[self.id].assigned.fetch_sub(1, Ordering::SeqCst);
        self.free.push(i);
        self.live -= 1;
        self.closed += 1;
        // Dropping the socket closes it; epoll forgets it with its last fd.
    }

    // ANCHOR: accept
    /// Accepts every waiting connection and gives each to the loop with
    /// the fewest; beyond `max_connections`, a 503 and a close.
    fn accept_all(&mut self) {
        loop {
            if self.shared.stop.load(Ordering::SeqCst) != RUN
                || self.accept_paused.is_some()
            {
                return;
            }
            let Some(l) = self.listener.as_ref() else { return };
            match l.accept() {
                Ok((sock, _)) => self.place(sock),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
                Err(_) => {
                    // Out of file descriptors (or memory): with
                    // edge-triggered epoll no new event would come for the
                    // connections already waiting, so try again shortly.
                    self.accept_paused = Some(Instant::now() + ACCEPT_PAUSE);
                    return;
                }
            }
        }
    }

    fn place(&mut self, sock: TcpStream) {
        let site = self.site.clone();
        site.counters.accepted.fetch_add(1, Ordering::SeqCst);
        let max = site.config.limits.max_connections;
        if self.shared.open.fetch_add(1, Ordering::SeqCst) >= max {
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
            self.refuse(sock);
            return;
        }
        site.opened();
        let target = self.pick_loop();
        self.shared.mailboxes[target].assigned.fetch_add(1, Ordering::SeqCst);
        if target == self.id {
            self.register(sock, true);
            return;
        }
        let mailbox = &self.shared.mailboxes[target];
        let mut inbox = mailbox.inbox.lock().unwrap_or_else(|p| p.into_inner());
        let was_empty = inbox.is_empty();
        inbox.push(sock);
        drop(inbox);
        if was_empty {
            let _ = mailbox.waker.wake();
        }
    }
    // ANCHOR_END: accept

    /// The loop serving the fewest connections (ties taken in turn).
    fn pick_loop(&mut self) -> usize {
        let m = &self.shared.mailboxes;
        let n = m.len();
        let load = |j: usize| m[j].assigned.load(Ordering::SeqCst);
        let mut best = self.next % n;
        for k in 1..n {
            let j = (self.next + k) % n;
            if load(j) < load(best) {
                best = j;
            }
        }
        self.next = (best + 1) % n;
        best
    }

    /// A connection over the limit: answered 503, then a lingering close.
    fn refuse(&mut self, mut sock: TcpStream) {
        if self.shared.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
            self.shared.refusing.fetch_sub(1, Ordering::SeqCst);
            self.site.refuse(503, &mut self.reply, false);
            let _ = send(sock.as_raw_fd(), &self.reply.head, send_flags(false));
            return;
        }
        self.shared.mailboxes[self.id].assigned.fetch_add(1, Ordering::SeqCst);
        let Some(i) = self.register_with(&mut sock, false) else { return };
        self.conns[i] = Some(Conn::new(sock, self.now, false));
        let reply = self.site.refuse(503, &mut self.reply, false);
        match self.start_reply(i, reply) {
            Step::Close => self.close(i),
            _ => self.advance(i),
        }
    }

    /// Registers a connection handed to this loop.
    fn register(&mut self, mut sock: TcpStream, counted: bool) {
        let _ = sock.set_nodelay(true);
        if let Some(i) = self.register_with(&mut sock, counted) {
            self.conns[i] = Some(Conn::new(sock, self.now, counted));
            let at = self.now + self.site.config.limits.header_timeout;
            self.set_deadline(i, at);
            // Bytes that arrived before registration are reported by
            // epoll when the socket is added: no read needed here.
        }
    }

    /// A slot and an epoll registration for `sock`; on failure the
    /// connection is forgotten (and its socket closed by the caller's drop).
    fn register_with(&mut self, sock: &mut TcpStream, counted: bool) -> Option<usize> {
        let i = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self.poll.registry().register(sock, Token(i), interest).is_err() {
            self.free.push(i);
            if counted {
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
                self.site.closed();
            } else {
                self.shared.refusing.fetch_sub(1, Ordering::SeqCst);
            }
            self.shared.mailboxes[self.id].assigned.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        self.live += 1;
        Some(i)
    }

    /// Registers the connections other loops handed over.
    fn take_inbox(&mut self) {
        let socks = std::mem::take(
            &mut *self.shared.mailboxes[self.id]
                .inbox
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for sock in socks {
            if self.shared.stop.load(Ordering::SeqCst) != RUN {
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
                self.site.closed();
                self.shared.mailboxes[self.id].assigned.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            self.register(sock, true);
        }
    }

    /// Whether the loop is done: stopped at once, or stopping and every
    /// connection finished (idle ones are closed when the stop is seen).
    fn check_stop(&mut self) -> bool {
        match self.shared.stop.load(Ordering::SeqCst) {
            RUN => return self.exit_after.is_some_and(|n| self.closed >= n),
            NOW => return true,
            _ => {}
        }
        if !self.stopping {
            self.stopping = true;
            if let Some(mut l) = self.listener.take() {
                let _ = self.poll.registry().deregister(&mut l);
            }
            self.take_inbox();
            for i in 0..self.conns.len() {
                let idle = matches!(&self.conns[i],
                    Some(c) if c.phase == Phase::Head && c.stash.is_empty() && !c.readable);
                if idle {
                    self.close(i);
                }
            }
        }
        self.live == 0
    }
}

impl Conn {
    fn new(sock: TcpStream, now: Instant, counted: bool) -> Self {
        Self {
            sock,
            phase: Phase::Head,
            stash: Vec::new(),
            out: Vec::new(),
            sent: 0,
            body: None,
            own_copy: Vec::new(),
            fallback: false,
            close_after: false,
            readable: false,
            head_since: Some(now),
            idle_since: now,
            deadline: now,
            armed: None,
            queued: false,
            counted,
        }
    }
}

// ANCHOR: sendfile_some
/// Sends what the socket takes of `body`, at most `budget` bytes, from
/// where the last call stopped, and records how far it got. The loop is
/// [`drive`], the one every blocking transfer of this chapter uses (short
/// counts resumed, `EINTR` retried, each call capped, a shrunk file an
/// error, never a spin); only the wait differs. A blocking sender polls
/// until the socket takes more; an event loop must not wait for one client,
/// so `EAGAIN` ends the call, the offset stays in `body`, and the loop goes
/// back to epoll, which says when this socket is writable again.
fn sendfile_some(
    sock: BorrowedFd<'_>,
    body: &mut Body,
    budget: u64,
) -> Result<Sent, TransferError> {
    let want = body.len.min(budget);
    let file = &body.file;
    let sent = drive(
        body.offset,
        want,
        MAX_CHUNK,
        |pos, count| {
            let mut off = pos as i64;
            Ok(nix::sys::sendfile::sendfile64(sock, file, Some(&mut off), count)?)
        },
        || Err(io::ErrorKind::WouldBlock.into()), // not now: back to epoll
    );
    let (moved, blocked) = match sent {
        Ok(m) => (m.bytes, false),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => (e.moved.bytes, true),
        Err(e) => return Err(e),
    };
    body.offset += moved;
    body.len -= moved;
    Ok(if body.len == 0 {
        Sent::Done(moved)
    } else if blocked {
        Sent::Blocked(moved)
    } else {
        Sent::Budget(moved)
    })
}
// ANCHOR_END: sendfile_some

/// The same with a read/write loop through `buf`: `pread` at the offset,
/// `send` what the socket takes, advance by that; what it did not take is
/// read again next time, so nothing but the offset is kept between calls
/// (the buffer can be the loop's, shared by all its connections).
fn copy_some(
    sock: BorrowedFd<'_>,
    body: &mut Body,
    buf: &mut [u8],
    budget: u64,
) -> Result<Sent, TransferError> {
    let mut moved = Moved::default();
    let fail = |moved: Moved, e: io::Error| Err(TransferError::new(moved, e));
    while body.len > 0 && moved.bytes < budget {
        let want = body.len.min(buf.len() as u64) as usize;
        let n = match body.file.read_at(&mut buf[..want], body.offset) {
            Ok(0) => {
                let e = io::Error::new(io::ErrorKind::UnexpectedEof, "the file shrank");
                return fail(moved, e);
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return fail(moved, e),
        };
        moved.user_bytes += n as u64;
        let w = loop {
            match send(sock.as_raw_fd(), &buf[..n], send_flags(false)) {
                Ok(w) => break w,
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return Ok(Sent::Blocked(moved.bytes)),
                Err(e) => return fail(moved, e.into()),
            }
        };
        moved.bytes += w as u64;
        body.offset += w as u64;
        body.len -= w as u64;
    }
    Ok(if body.len == 0 { Sent::Done(moved.bytes) } else { Sent::Budget(moved.bytes) })
}
