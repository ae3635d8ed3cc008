//! A Go channel's rules, for the ports: a buffered channel that can be
//! closed once (a second `close` panics, as Go's does), whose receive
//! blocks while it is open and empty (so a `range` over a channel nobody
//! closes never ends), and whose `select { case ch <- v: default: }` is
//! [`GoChan::try_send`].

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A receive with a time-out found nothing in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedOut;

struct State<T> {
    queue: VecDeque<T>,
    closed: bool,
}

/// A buffered Go channel of capacity `cap`.
pub struct GoChan<T> {
    state: Mutex<State<T>>,
    cap: usize,
    ready: Condvar,
}

impl<T> GoChan<T> {
    /// `make(chan T, cap)`.
    pub fn new(cap: usize) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(cap),
                closed: false,
            }),
            cap,
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `select { case ch <- v: return true; default: return false }`.
    /// Panics on a closed channel, as a Go send does.
    pub fn try_send(&self, v: T) -> bool {
        let mut s = self.lock();
        assert!(!s.closed, "send on closed channel");
        if s.queue.len() >= self.cap {
            return false;
        }
        s.queue.push_back(v);
        self.ready.notify_all();
        true
    }

    /// `close(ch)`: panics when already closed ("close of closed channel").
    pub fn close(&self) {
        let mut s = self.lock();
        assert!(!s.closed, "close of closed channel");
        s.closed = true;
        self.ready.notify_all();
    }

    /// `v, ok := <-ch`: blocks while open and empty; `None` once closed and
    /// drained.
    pub fn recv(&self) -> Option<T> {
        let mut s = self.lock();
        loop {
            if let Some(v) = s.queue.pop_front() {
                return Some(v);
            }
            if s.closed {
                return None;
            }
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A receive that gives up after `timeout` (`Err(TimedOut)`): for
    /// `select` with a timer, and for observing a receive that would block
    /// forever.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<T>, TimedOut> {
        let deadline = Instant::now() + timeout;
        let mut s = self.lock();
        loop {
            if let Some(v) = s.queue.pop_front() {
                return Ok(Some(v));
            }
            if s.closed {
                return Ok(None);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TimedOut);
            }
            s = self.ready.wait_timeout(s, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Values buffered now.
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `for v := range ch { f(v) }`: returns only when the channel is
    /// closed and drained.
    pub fn range(&self, mut f: impl FnMut(T)) {
        while let Some(v) = self.recv() {
            f(v);
        }
    }
}
