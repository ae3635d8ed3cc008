//! The chapter's claim checks, one per ledger id, in ledger order. Each is
//! a measure function (evidence from `figures.rs`) and a rule beside it:
//!
//! - [`copies`]: what the methods copy (counted on one transfer per method),
//!   what a socket holds after sendfile, and std's `io::copy`;
//! - [`timing`]: the speed claims, read cell by cell from the timing matrix
//!   through [`grid`];
//! - [`seed`]: the seed's own code, ported, beside the fix;
//! - [`server`]: confinement, memory per connection, buffer pools, where
//!   sendfile applies, and surviving clients that go away.

pub mod copies;
pub mod grid;
pub mod seed;
pub mod server;
pub mod timing;

use crate::claims::Check;

/// 1.0 for `true`, 0.0 for `false`: how the evidence records a yes or no.
pub fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// The checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C000-01", copies::c000_01_two_copies, &copies::C000_01),
    Check::measured("C000-02", copies::c000_02_no_user_copy, &copies::C000_02),
    Check::measured("C000-03", seed::c000_03_one_sendfile_call, &seed::C000_03),
    Check::measured("C000-04", server::c000_04_confinement, &server::C000_04),
    Check::measured("C000-05", seed::c000_05_two_splices, &seed::C000_05),
    Check::measured("C000-22", copies::c000_22_file_to_file, &copies::C000_22),
    Check::measured("C001-26", copies::c001_26_in_memory_copy, &copies::C001_26),
    Check::measured(
        "C002-01",
        copies::c002_01_sendfile_skips_user_space,
        &copies::C002_01,
    ),
    Check::measured("C002-02", timing::c002_02_significantly_faster, &timing::C002_02),
    Check::measured("C002-03", copies::c002_03_page_cache_to_socket, &copies::C002_03),
    Check::measured("C002-04", timing::c002_04_cpu, &timing::C002_04),
    Check::measured("C002-05", timing::c002_05_throughput, &timing::C002_05),
    Check::measured("C002-06", timing::c002_06_latency, &timing::C002_06),
    Check::measured("C002-07", timing::c002_07_throughput_target, &timing::C002_07),
    Check::measured("C002-08", timing::c002_08_cpu_target, &timing::C002_08),
    Check::measured("C002-09", server::c002_09_memory, &server::C002_09),
    Check::measured("C002-10", server::c002_10_more_connections, &server::C002_10),
    Check::measured("C002-11", server::c002_11_where_sendfile_applies, &server::C002_11),
    Check::measured("C002-12", server::c002_12_buffer_pools, &server::C002_12),
    Check::measured("C002-13", server::c002_13_errors, &server::C002_13),
    Check::measured("D01", seed::d01_short_count_is_an_error, &seed::D01),
    Check::fixed("D02", copies::d02_go_api, Some(copies::d02_rust_analogue)),
    Check::measured("D03", server::d03_path_traversal, &server::D03),
    Check::measured("D04", seed::d04_splice_truncates, &seed::D04),
    Check::measured("D05", seed::d05_stale_fd_numbers, &seed::D05),
    Check::measured("D06", seed::d06_unchecked_assertion, &seed::D06),
    Check::measured("D36", copies::c001_26_in_memory_copy, &copies::D36),
    Check::measured("D51", seed::d51_stub_send_file, &seed::D51),
    Check::measured("D52", server::d52_pool_for_sendfile, &server::D52),
];
