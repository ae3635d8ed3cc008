//! Binding memory to a NUMA node (seed 004 L353-355).

use super::evidence;
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::stats;
use crate::mmap::figures;
use crate::table::{format_bytes, format_nanos, format_ratio};

/// C004-40: "NUMA: bind memory to a particular node". Counts the nodes with
/// memory; where there are two, binds one buffer to the node of the CPU the
/// reading thread is pinned to and one to another node (`mbind`), checks
/// where their pages landed (`get_mempolicy`), and times a pointer chase
/// through each, rounds alternating.
pub fn c004_40_numa_binding(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (layout, latency) = figures::numa(ctx)?;
    let nodes = layout.as_ref().map_or(0, |l| l.nodes.len());
    let mut ev = evidence(ctx, "nodes with memory in /sys/devices/system/node/");
    ev.add("NUMA nodes with memory", nodes as f64, Unit::Count);
    let summary = match latency {
        Some(l) => {
            let (near, far) = (stats::median(&l.local_ns), stats::median(&l.remote_ns));
            let (near, far) = (near.unwrap_or(f64::NAN), far.unwrap_or(f64::NAN));
            ev.condition = format!(
                "{}; pointer chase over {} bound to each node, from CPU {} (node {}), {} \
                 rounds",
                ev.condition,
                format_bytes(l.size as f64),
                l.cpu,
                l.local_node,
                l.local_ns.len()
            );
            ev.add("read, local node (median)", near, Unit::Nanos);
            ev.add("read, remote node (median)", far, Unit::Nanos);
            let ratio = ev.add("remote / local", far / near, Unit::Ratio);
            let placed = ev.add(
                "pages on the node asked for",
                l.local_placed.min(l.remote_placed),
                Unit::Fraction,
            );
            format!(
                "{nodes} nodes: a read from node {} takes {} from CPU {}, from node {} {} \
                 ({}); {:.0}% of the pages sampled were where mbind put them",
                l.local_node,
                format_nanos(near),
                l.cpu,
                l.remote_node,
                format_nanos(far),
                format_ratio(ratio),
                placed * 100.0
            )
        }
        None if nodes >= 2 => {
            return Err(CheckError(format!(
                "{nodes} NUMA nodes, but this process may run on no CPU of a node with memory"
            )));
        }
        None if nodes == 0 => "no NUMA information in /sys on this system".into(),
        None => format!("{nodes} NUMA node(s) with memory on this machine"),
    };
    Ok(Measured::new(ev, summary))
}

/// Unverifiable with one node; with several, confirmed when binding placed
/// the pages and a remote read is slower than a local one.
pub const C004_40: Rule = Rule {
    says: "unverifiable with fewer than two nodes; confirmed when mbind placed at least \
           min_placed of the pages and a remote read takes at least min_penalty times a \
           local one; refuted otherwise",
    inputs: &["NUMA nodes with memory", "pages on the node asked for", "remote / local"],
    thresholds: &[
        Threshold {
            name: "min_placed",
            value: 0.99,
            unit: Unit::Fraction,
            source: "mbind(MPOL_BIND) places every page; 1% slack for the sample",
        },
        Threshold {
            name: "min_penalty",
            value: 1.1,
            unit: Unit::Ratio,
            source: "convention: a remote read at least 10% slower makes binding worth it \
                     (two-socket servers are usually 1.3-2× slower remote)",
        },
    ],
    decide: |f| {
        if f.get("NUMA nodes with memory") < 2.0 {
            return Verdict::unverifiable(
                "this machine has one NUMA node: every page is local, so binding changes \
                 nothing and there is no remote access to compare with",
            );
        }
        f.confirmed_if(
            f.get("pages on the node asked for") >= f.limit("min_placed")
                && f.get("remote / local") >= f.limit("min_penalty"),
        )
    },
    examples: &[
        example(&[("NUMA nodes with memory", 1.0)], Unverifiable),
        example(
            &[
                ("NUMA nodes with memory", 2.0),
                ("pages on the node asked for", 1.0),
                ("remote / local", 1.6),
            ],
            Confirmed,
        ),
        example(
            &[
                ("NUMA nodes with memory", 2.0),
                ("pages on the node asked for", 1.0),
                ("remote / local", 1.02),
            ],
            Refuted,
        ),
        example(
            &[
                ("NUMA nodes with memory", 4.0),
                ("pages on the node asked for", 0.5),
                ("remote / local", 1.6),
            ],
            Refuted,
        ),
    ],
};
