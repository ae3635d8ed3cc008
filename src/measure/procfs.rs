//! Small readers of `/proc` and `/sys`: machine-wide memory, kernel
//! settings, and `key: value` files. Each returns `None` where the file or
//! field does not exist (other systems, containers that hide them), so a
//! caller says "unknown" instead of failing.

/// `MemTotal` from `/proc/meminfo`, in bytes.
pub fn mem_total_bytes() -> Option<u64> {
    meminfo_kib("MemTotal").map(|k| k * 1024)
}

/// A field of `/proc/meminfo` (`MemTotal`, `MemAvailable`, `AnonHugePages` …),
/// in KiB as the file gives it.
pub fn meminfo_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&text, field)
}

/// The number after `field:` in a `/proc` status-style text (`VmRSS:  1234 kB`).
pub fn kib_field(text: &str, field: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// A kernel setting that is one number, e.g. `/proc/sys/vm/overcommit_memory`.
pub fn read_sys_number(path: &str) -> Option<u64> {
    read_sys_string(path)?.split_whitespace().next()?.parse().ok()
}

/// A kernel setting as text, trimmed, e.g.
/// `/proc/sys/net/ipv4/tcp_congestion_control`.
pub fn read_sys_string(path: &str) -> Option<String> {
    Some(std::fs::read_to_string(path).ok()?.trim().to_string())
}

/// The numbers of a kernel setting with several, e.g. `tcp_wmem`
/// (`4096 16384 4194304`).
pub fn read_sys_numbers(path: &str) -> Option<Vec<u64>> {
    read_sys_string(path)?.split_whitespace().map(|w| w.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_parse() {
        let text = "Name:\tx\nVmRSS:\t  1234 kB\nVmHWM:\t99 kB\n";
        assert_eq!(kib_field(text, "VmRSS"), Some(1234));
        assert_eq!(kib_field(text, "VmHWM"), Some(99));
        assert_eq!(kib_field(text, "VmRS"), None);
        assert_eq!(kib_field(text, "Missing"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[cfg_attr(miri, ignore)]
    fn this_machine_has_memory_and_settings() {
        assert!(mem_total_bytes().unwrap() > 1 << 20);
        assert!(read_sys_number("/proc/sys/vm/overcommit_memory").unwrap() <= 2);
        assert_eq!(
            read_sys_numbers("/proc/sys/net/ipv4/tcp_wmem").map(|v| v.len()),
            Some(3)
        );
        assert_eq!(read_sys_string("/nonexistent"), None);
    }
}
