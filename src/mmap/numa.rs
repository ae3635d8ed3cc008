//! NUMA: binding a mapping's memory to one node (`mbind(MPOL_BIND)`), asking
//! where a page landed (`get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR)`), and what
//! a read costs from the node the thread runs on against from another one.
//!
//! Seed 004 (L353-355) proposes binding memory to a node as future work. That
//! pays only where memory on another node is slower to reach; on a machine
//! with one node every page is local and there is nothing to compare, and the
//! check says so rather than guess.
//!
//! The latency is a pointer chase: every 64-byte line of the buffer holds the
//! index of the next, in one random cycle ([`SplitMix64`] shuffle), so each
//! read waits for the one before and the prefetcher cannot guess. The thread
//! is pinned to a CPU of the local node; one buffer is bound to that node, the
//! other to a remote one, and rounds alternate between them.
//!
//! For: C004-40. Not for: interleaving or automatic NUMA balancing (the
//! kernel may move pages later; the buffers are read right after binding).

use super::buf::MmapBuf;
use super::sizes::touch_pages;
use crate::measure::rng::SplitMix64;
use std::hint::black_box;
use std::io;
use std::time::Instant;

/// `MPOL_BIND`, from `include/uapi/linux/mempolicy.h`.
const MPOL_BIND: libc::c_int = 2;
/// `MPOL_F_NODE`: `get_mempolicy` returns a node id.
const MPOL_F_NODE: libc::c_ulong = 1 << 0;
/// `MPOL_F_ADDR`: … of the page at the address given.
const MPOL_F_ADDR: libc::c_ulong = 1 << 1;
/// `MPOL_MF_STRICT`: fail if a page cannot follow the policy.
const MPOL_MF_STRICT: libc::c_uint = 1 << 0;
/// `MPOL_MF_MOVE`: move pages already present.
const MPOL_MF_MOVE: libc::c_uint = 1 << 1;
/// Nodes a mask here can name (16 × 64 bits).
const MASK_WORDS: usize = 16;

/// Parses a kernel CPU or node list such as `0-3,8,10-11`.
pub fn parse_list(text: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<usize>().ok()?..=b.parse().ok()?),
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

/// The nodes that have memory (`/sys/devices/system/node/has_memory`, or
/// `online` on kernels without it); `None` where the system shows no NUMA
/// information.
pub fn memory_nodes() -> Option<Vec<usize>> {
    let dir = "/sys/devices/system/node";
    let text = std::fs::read_to_string(format!("{dir}/has_memory"))
        .or_else(|_| std::fs::read_to_string(format!("{dir}/online")))
        .ok()?;
    parse_list(&text)
}

/// The CPUs of `node`.
pub fn node_cpus(node: usize) -> Option<Vec<usize>> {
    let path = format!("/sys/devices/system/node/node{node}/cpulist");
    parse_list(&std::fs::read_to_string(path).ok()?)
}

// ANCHOR: bind
/// Binds `buf`'s pages to `node` (`mbind(MPOL_BIND)`): every page faulted in
/// from now on comes from that node, and pages already present move there.
#[cfg(target_os = "linux")]
pub fn bind(buf: &MmapBuf, node: usize) -> io::Result<()> {
    if node >= MASK_WORDS * 64 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "node number too large"));
    }
    let mut mask = [0 as libc::c_ulong; MASK_WORDS];
    mask[node / 64] |= 1 << (node % 64);
    // SAFETY: the range is `buf`'s own live mapping; the mask is a readable
    // array of MASK_WORDS words, and maxnode (bits + 1, as the kernel's
    // get_nodes expects) does not exceed it. mbind changes only the memory
    // policy of that range, never its contents.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mbind,
            buf.as_ptr(),
            buf.len(),
            MPOL_BIND,
            mask.as_ptr(),
            MASK_WORDS * 64 + 1,
            MPOL_MF_STRICT | MPOL_MF_MOVE,
        )
    };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// The node the page holding `byte` lives on (faulting it in if it is not
/// yet).
#[cfg(target_os = "linux")]
pub fn node_of(byte: &u8) -> io::Result<usize> {
    let mut node: libc::c_int = -1;
    // SAFETY: `node` is a writable int; with MPOL_F_NODE | MPOL_F_ADDR the
    // kernel writes the node of the page at `addr` there and reads no mask
    // (null, maxnode 0). The address is that of a live byte we borrow, so it
    // lies in a mapping of this process.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_get_mempolicy,
            &mut node as *mut libc::c_int,
            std::ptr::null_mut::<libc::c_ulong>(),
            0 as libc::c_ulong,
            std::ptr::from_ref(byte),
            MPOL_F_NODE | MPOL_F_ADDR,
        )
    };
    if rc == 0 && node >= 0 { Ok(node as usize) } else { Err(io::Error::last_os_error()) }
}
// ANCHOR_END: bind

/// A buffer bound to `node`, touched, holding a random pointer-chase cycle
/// over its 64-byte lines; returns it with the share of sampled pages that
/// landed on `node`.
#[cfg(target_os = "linux")]
pub fn chase_buffer(n: usize, node: usize, seed: u64) -> io::Result<(MmapBuf, f64)> {
    let mut m = MmapBuf::new(n)?;
    bind(&m, node)?;
    touch_pages(&mut m);
    let lines = n / 64;
    let mut order: Vec<usize> = (0..lines).collect();
    SplitMix64::new(seed).shuffle(&mut order);
    for k in 0..lines {
        let (from, to) = (order[k], order[(k + 1) % lines]);
        m[from * 64..from * 64 + 8].copy_from_slice(&(to as u64).to_ne_bytes());
    }
    let page = crate::measure::machine::page_size() as usize;
    let samples = 64.min(n / page).max(1);
    let mut on_node = 0;
    for s in 0..samples {
        let at = s * (n / samples) / page * page;
        on_node += usize::from(node_of(&m[at])? == node);
    }
    Ok((m, on_node as f64 / samples as f64))
}

/// Follows the chase in `m` for `steps` reads; ns per read.
pub fn chase_ns(m: &MmapBuf, steps: usize) -> f64 {
    let mut line = 0usize;
    let t = Instant::now();
    for _ in 0..steps {
        let at = line * 64;
        let next = u64::from_ne_bytes(m[at..at + 8].try_into().expect("8 bytes"));
        line = black_box(next) as usize;
    }
    black_box(line);
    t.elapsed().as_nanos() as f64 / steps as f64
}

/// Local against remote reads, measured.
#[derive(Clone, Debug)]
pub struct NumaLatency {
    /// The CPU the reading thread was pinned to.
    pub cpu: usize,
    /// Its node.
    pub local_node: usize,
    /// The other node.
    pub remote_node: usize,
    /// Bytes per buffer.
    pub size: usize,
    /// ns per read from the local buffer, one per round.
    pub local_ns: Vec<f64>,
    /// ns per read from the remote buffer, one per round.
    pub remote_ns: Vec<f64>,
    /// Share of sampled pages of the local buffer found on the local node.
    pub local_placed: f64,
    /// The same for the remote buffer and node.
    pub remote_placed: f64,
}

/// Measures a chase over a buffer bound to `local` and one bound to
/// `remote` from a thread pinned to `cpu`, `rounds` rounds alternating.
#[cfg(target_os = "linux")]
pub fn local_against(
    cpu: usize,
    (local, remote): (usize, usize),
    n: usize,
    steps: usize,
    rounds: usize,
) -> io::Result<NumaLatency> {
    let run = move || -> io::Result<NumaLatency> {
        crate::measure::cpu::pin_current_thread(cpu)?;
        let (near, local_placed) = chase_buffer(n, local, 1)?;
        let (far, remote_placed) = chase_buffer(n, remote, 2)?;
        let (mut local_ns, mut remote_ns) = (Vec::new(), Vec::new());
        for _ in 0..rounds.max(1) {
            local_ns.push(chase_ns(&near, steps));
            remote_ns.push(chase_ns(&far, steps));
        }
        Ok(NumaLatency {
            cpu,
            local_node: local,
            remote_node: remote,
            size: n,
            local_ns,
            remote_ns,
            local_placed,
            remote_placed,
        })
    };
    crate::measure::cpu::on_cpu(None, run)
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the NUMA thread panicked")))
}

/// The machine's NUMA layout as this process sees it: nodes with memory, and
/// a CPU this thread may use on one of them with another node to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Nodes with memory.
    pub nodes: Vec<usize>,
    /// `(cpu, its node, another node)`, when there are two nodes and this
    /// process may run on a CPU of one of them.
    pub pair: Option<(usize, usize, usize)>,
}

/// Reads the layout; `None` where the system shows no NUMA information.
pub fn layout() -> Option<Layout> {
    let nodes = memory_nodes()?;
    let allowed = crate::measure::cpu::allowed_cpus().unwrap_or_default();
    let pair = nodes.iter().find_map(|&local| {
        let cpu = node_cpus(local)?.into_iter().find(|c| allowed.contains(c))?;
        let remote = nodes.iter().copied().find(|&r| r != local)?;
        Some((cpu, local, remote))
    });
    Some(Layout { nodes, pair })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_lists_parse() {
        assert_eq!(parse_list("0\n"), Some(vec![0]));
        assert_eq!(parse_list("0-3,8,10-11"), Some(vec![0, 1, 2, 3, 8, 10, 11]));
        assert_eq!(parse_list("x"), None);
    }
}
