//! Machine info: what a reader needs to know to compare their figures with
//! ours (CPU, cores, kernel, transparent huge pages, compiler, build profile).

use std::fmt;

/// The conditions every report prints first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MachineInfo {
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// Logical CPUs available to this process.
    pub logical_cpus: usize,
    /// Operating system and kernel release.
    pub kernel: String,
    /// Transparent huge pages mode (`always`, `madvise`, `never`, or `n/a`).
    pub thp: String,
    /// Total memory, MiB.
    pub mem_total_mib: u64,
    /// Page size, bytes.
    pub page_size: u64,
    /// C library, e.g. `glibc 2.36`.
    pub libc: String,
    /// `rustc --version` of the compiler that built this binary.
    pub rustc: String,
    /// `release` or `debug`, with the optimisation level.
    pub profile: String,
}

impl MachineInfo {
    /// Reads everything now; fields it cannot read say `unknown`.
    pub fn collect() -> Self {
        Self {
            cpu_model: cpu_model().unwrap_or_else(|| "unknown".into()),
            logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: kernel(),
            thp: thp_mode().unwrap_or_else(|| "n/a".into()),
            mem_total_mib: super::procfs::mem_total_bytes().unwrap_or(0) >> 20,
            page_size: page_size(),
            libc: libc_version(),
            rustc: env!("PERF_WORKBOOK_RUSTC").to_string(),
            profile: build_profile(),
        }
    }
}

impl fmt::Display for MachineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} · {} logical CPUs · {} MiB · {} · THP {} · page {} B · {} · {} · {} build",
            self.cpu_model,
            self.logical_cpus,
            self.mem_total_mib,
            self.kernel,
            self.thp,
            self.page_size,
            self.libc,
            self.rustc,
            self.profile
        )
    }
}

/// `release (opt-level 3)` or `debug (opt-level 0)`.
pub fn build_profile() -> String {
    let name = if cfg!(debug_assertions) { "debug" } else { "release" };
    format!("{name} (opt-level {})", env!("PERF_WORKBOOK_OPT_LEVEL"))
}

fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string())
    })
}

/// The bracketed word of `/sys/kernel/mm/transparent_hugepage/enabled`.
pub fn thp_mode() -> Option<String> {
    let text =
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?;
    parse_bracketed(&text)
}

/// `always [madvise] never` → `madvise`.
pub fn parse_bracketed(text: &str) -> Option<String> {
    let start = text.find('[')? + 1;
    let end = start + text[start..].find(']')?;
    Some(text[start..end].to_string())
}

fn kernel() -> String {
    #[cfg(unix)]
    if let Ok(u) = nix::sys::utsname::uname() {
        return format!(
            "{} {}",
            u.sysname().to_string_lossy(),
            u.release().to_string_lossy()
        );
    }
    std::env::consts::OS.to_string()
}

/// The system page size in bytes.
pub fn page_size() -> u64 {
    #[cfg(unix)]
    if let Ok(Some(n)) = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE) {
        return n as u64;
    }
    4096
}

fn libc_version() -> String {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: gnu_get_libc_version returns a pointer to a static,
        // NUL-terminated string owned by glibc.
        let v = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
        return format!("glibc {}", v.to_string_lossy());
    }
    #[allow(unreachable_code)]
    "libc unknown".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thp_mode_is_the_bracketed_word() {
        assert_eq!(
            parse_bracketed("always [madvise] never\n").as_deref(),
            Some("madvise")
        );
        assert_eq!(parse_bracketed("[always] madvise never").as_deref(), Some("always"));
        assert_eq!(parse_bracketed("none"), None);
    }

    #[test]
    fn collect_fills_every_field() {
        let m = MachineInfo::collect();
        assert!(m.logical_cpus >= 1);
        assert!(m.page_size >= 4096);
        assert!(m.rustc.starts_with("rustc "), "{}", m.rustc);
        assert!(m.profile.contains("opt-level"));
        let line = m.to_string();
        assert!(line.contains("logical CPUs"), "{line}");
    }
}
