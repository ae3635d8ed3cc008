//! Every connection's time-out in one sorted set, instead of a thread (or a
//! blocking call's `SO_RCVTIMEO`) per connection: the event loop sleeps in
//! epoll until the earliest deadline, and expires what is due.
//!
//! Deadlines mostly move later (each request pushes the idle time-out
//! further), so moving one later costs nothing: the connection keeps its
//! entry, and when that entry comes due the loop finds the real deadline
//! still ahead and files the connection again ([`Deadlines::arm`]). Only a
//! deadline that moves earlier touches the set. A busy connection therefore
//! costs the set nothing per request.
//!
//! Not for: precision below a millisecond (epoll's time-out is in ms).

use std::collections::BTreeSet;
use std::time::Instant;

/// Connections' deadlines, earliest first: (when, connection index).
#[derive(Debug, Default)]
pub struct Deadlines {
    set: BTreeSet<(Instant, usize)>,
}

impl Deadlines {
    /// Makes sure connection `conn` is woken at `at` or earlier. `armed` is
    /// the connection's own record of its entry in the set.
    pub fn arm(&mut self, conn: usize, at: Instant, armed: &mut Option<Instant>) {
        match *armed {
            // An entry at or before `at` exists: it will wake the
            // connection, which then files itself again.
            Some(entry) if entry <= at => {}
            Some(entry) => {
                self.set.remove(&(entry, conn));
                self.set.insert((at, conn));
                *armed = Some(at);
            }
            None => {
                self.set.insert((at, conn));
                *armed = Some(at);
            }
        }
    }

    /// Removes connection `conn`'s entry (it is closing).
    pub fn disarm(&mut self, conn: usize, armed: &mut Option<Instant>) {
        if let Some(entry) = armed.take() {
            self.set.remove(&(entry, conn));
        }
    }

    /// The earliest entry.
    pub fn next(&self) -> Option<Instant> {
        self.set.first().map(|&(at, _)| at)
    }

    /// Removes and returns the connection of the earliest entry due by
    /// `now`; the caller clears that connection's `armed`.
    pub fn pop_due(&mut self, now: Instant) -> Option<usize> {
        let &(at, conn) = self.set.first()?;
        if at > now {
            return None;
        }
        self.set.pop_first();
        Some(conn)
    }

    /// Entries in the set.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// No entries.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn later_deadlines_cost_nothing_earlier_ones_move_the_entry() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut d = Deadlines::default();
        let (mut a, mut b) = (None, None);
        d.arm(0, t0 + 10 * s, &mut a);
        d.arm(1, t0 + 5 * s, &mut b);
        // Later: nothing changes.
        d.arm(0, t0 + 20 * s, &mut a);
        assert_eq!((d.len(), a), (2, Some(t0 + 10 * s)));
        // Earlier: the entry moves.
        d.arm(0, t0 + 2 * s, &mut a);
        assert_eq!((d.len(), a, d.next()), (2, Some(t0 + 2 * s), Some(t0 + 2 * s)));
        assert_eq!(d.pop_due(t0 + s), None);
        assert_eq!(d.pop_due(t0 + 6 * s), Some(0));
        a = None;
        assert_eq!(d.pop_due(t0 + 6 * s), Some(1));
        b = None;
        assert_eq!(d.pop_due(t0 + 6 * s), None);
        d.arm(1, t0 + 7 * s, &mut b);
        d.disarm(1, &mut b);
        assert!(d.is_empty() && b.is_none() && a.is_none());
    }
}
