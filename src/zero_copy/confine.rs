//! Opening the file a request names without ever leaving the served root.
//!
//! Three steps, each closing a hole that seed 000's `rootDir + "/" +
//! filename` (L92, defect D03) leaves open:
//!
//! 1. [`decode_target`]: the request target must be a path (`/…`); the query
//!    is dropped; `%XX` escapes are decoded *before* any check, so `%2e%2e`
//!    is `..`; a NUL byte or a malformed escape is a bad request; very long
//!    targets are refused.
//! 2. [`normalize`]: split on `/`, drop empty and `.` segments, refuse `..`.
//!    The result is relative, so it can never replace the root the way an
//!    absolute name replaces it in `Path::join`.
//! 3. [`Root::open_file`]: open relative to a directory fd held open since
//!    start-up, so that symlinks cannot lead out either. With
//!    [`Strategy::Beneath`] the kernel enforces it (`openat2` with
//!    `RESOLVE_BENEATH`, Linux 5.6+): symlinks inside the root work, any
//!    that leads outside fails with `EXDEV`. [`Strategy::NoSymlinks`] walks
//!    one `openat(O_NOFOLLOW)` per segment and refuses every symlink, for
//!    kernels (or seccomp filters) without `openat2`. Either way the check
//!    and the open are one operation, so there is no window in which a
//!    symlink can be swapped in between them. Only regular files are
//!    served; a FIFO is opened non-blocking, so it cannot hang a worker.
//!
//! Not for: access control beyond the root (dotfiles, per-user permissions).

use std::fs::File;
#[cfg(target_os = "linux")]
use std::io;
#[cfg(target_os = "linux")]
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// Longest request target accepted, in bytes (nginx's default header
/// buffer is 1 KiB; its large buffers take 8 KiB).
pub const MAX_TARGET: usize = 4096;

/// Why a request gets no file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// 400: malformed target (no leading `/`, bad escape, NUL byte).
    BadRequest(&'static str),
    /// 403: a `..` segment, a symlink out of the root, a directory, a device.
    Forbidden(&'static str),
    /// 404: nothing by that name under the root.
    NotFound,
    /// 414: the target is longer than [`MAX_TARGET`].
    TooLong,
    /// 500: an error that says nothing about the request (out of fds …).
    Internal(String),
}

impl Denied {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Forbidden(_) => 403,
            Self::NotFound => 404,
            Self::TooLong => 414,
            Self::Internal(_) => 500,
        }
    }
}

// ANCHOR: decode_target
/// Checks that `target` (from the request line) is a path, drops its query,
/// and percent-decodes it into `out`.
pub fn decode_target(target: &[u8], out: &mut Vec<u8>) -> Result<(), Denied> {
    out.clear();
    if target.len() > MAX_TARGET {
        return Err(Denied::TooLong);
    }
    if target.first() != Some(&b'/') {
        return Err(Denied::BadRequest("the target must start with /"));
    }
    let end = target.iter().position(|&b| b == b'?' || b == b'#').unwrap_or(target.len());
    let mut bytes = target[..end].iter();
    while let Some(&b) = bytes.next() {
        let byte = if b == b'%' {
            let hi = bytes.next().and_then(|&h| (h as char).to_digit(16));
            let lo = bytes.next().and_then(|&l| (l as char).to_digit(16));
            match (hi, lo) {
                (Some(hi), Some(lo)) => (hi * 16 + lo) as u8,
                _ => return Err(Denied::BadRequest("malformed %-escape")),
            }
        } else {
            b
        };
        if byte == 0 {
            return Err(Denied::BadRequest("NUL byte in path"));
        }
        out.push(byte);
    }
    Ok(())
}
// ANCHOR_END: decode_target

// ANCHOR: normalize
/// Turns a decoded path into a relative one (`a/b/c`) in `out`: empty and
/// `.` segments are dropped, `..` is refused. An empty result names the
/// root itself.
pub fn normalize(decoded: &[u8], out: &mut Vec<u8>) -> Result<(), Denied> {
    out.clear();
    for segment in decoded.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => continue,
            b".." => return Err(Denied::Forbidden("`..` in path")),
            _ => {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(segment);
            }
        }
    }
    Ok(())
}
// ANCHOR_END: normalize

/// How [`Root::open_file`] keeps symlinks from leading out of the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`: the kernel
    /// follows symlinks but refuses any step outside the root.
    Beneath,
    /// One `openat(O_NOFOLLOW)` per segment: no symlink is followed at all.
    NoSymlinks,
}

/// The directory a server serves, held open for its whole life.
#[derive(Debug)]
pub struct Root {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    dir: OwnedFd,
    strategy: Strategy,
}

/// A file opened under a [`Root`], with its size.
#[derive(Debug)]
pub struct Opened {
    /// The open file (read-only).
    pub file: File,
    /// Its size when opened.
    pub len: u64,
    /// When it was last modified, in seconds since the Unix epoch.
    pub modified: i64,
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use nix::errno::Errno;
    use nix::fcntl::{OFlag, OpenHow, ResolveFlag, open, openat, openat2};
    use nix::sys::stat::{Mode, SFlag, fstat};

    /// Flags for the file itself: read-only, and non-blocking so that a FIFO
    /// with no writer cannot block the open (it has no effect on a regular
    /// file's reads).
    fn file_flags() -> OFlag {
        OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY
    }

    impl Root {
        /// Opens `path` as the root. `None` picks [`Strategy::Beneath`] when
        /// the kernel has `openat2`, else [`Strategy::NoSymlinks`].
        pub fn open(path: &Path, strategy: Option<Strategy>) -> io::Result<Self> {
            let dir = open(
                path,
                OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )?;
            let strategy = match strategy {
                Some(s) => s,
                None => {
                    let how = OpenHow::new()
                        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
                        .resolve(ResolveFlag::RESOLVE_BENEATH);
                    match openat2(&dir, ".", how) {
                        Ok(_) => Strategy::Beneath,
                        Err(Errno::ENOSYS | Errno::EPERM) => Strategy::NoSymlinks,
                        Err(e) => return Err(e.into()),
                    }
                }
            };
            Ok(Self { path: path.to_path_buf(), dir, strategy })
        }

        // ANCHOR: open_file
        /// Opens the regular file at `relative` (from [`normalize`]) under
        /// the root.
        pub fn open_file(&self, relative: &[u8]) -> Result<Opened, Denied> {
            if relative.is_empty() {
                return Err(Denied::Forbidden("a directory"));
            }
            let fd = match self.strategy {
                Strategy::Beneath => {
                    let how = OpenHow::new().flags(file_flags()).resolve(
                        ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_MAGICLINKS,
                    );
                    openat2(&self.dir, relative, how).map_err(deny)?
                }
                Strategy::NoSymlinks => self.walk_without_symlinks(relative)?,
            };
            let st = fstat(&fd).map_err(deny)?;
            match SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT {
                SFlag::S_IFREG => Ok(Opened {
                    file: File::from(fd),
                    len: st.st_size as u64,
                    modified: st.st_mtime,
                }),
                SFlag::S_IFDIR => Err(Denied::Forbidden("a directory")),
                _ => Err(Denied::Forbidden("not a regular file")),
            }
        }
        // ANCHOR_END: open_file

        fn walk_without_symlinks(&self, relative: &[u8]) -> Result<OwnedFd, Denied> {
            let mut segments = relative.split(|&b| b == b'/').peekable();
            let mut dir: Option<OwnedFd> = None;
            while let Some(seg) = segments.next() {
                let at = dir.as_ref().unwrap_or(&self.dir);
                if segments.peek().is_none() {
                    return openat(
                        at,
                        seg,
                        file_flags() | OFlag::O_NOFOLLOW,
                        Mode::empty(),
                    )
                    .map_err(deny);
                }
                // Not O_PATH: with O_PATH, O_NOFOLLOW opens a symlink itself
                // (and O_DIRECTORY then says ENOTDIR); without it, a symlink
                // fails with ELOOP, which reads as what it is.
                let flags = OFlag::O_RDONLY
                    | OFlag::O_DIRECTORY
                    | OFlag::O_NOFOLLOW
                    | OFlag::O_CLOEXEC;
                let next = openat(at, seg, flags, Mode::empty()).map_err(deny)?;
                dir = Some(next);
            }
            Err(Denied::NotFound)
        }
    }

    /// Maps an `open` error to the response it deserves.
    fn deny(e: Errno) -> Denied {
        match e {
            Errno::ENOENT | Errno::ENOTDIR => Denied::NotFound,
            // A symlink with O_NOFOLLOW; a step out of the root
            // (RESOLVE_BENEATH); no permission; a socket or device.
            Errno::ELOOP | Errno::EXDEV | Errno::EACCES | Errno::EPERM | Errno::ENXIO => {
                Denied::Forbidden("outside the root or not readable")
            }
            Errno::ENAMETOOLONG => Denied::TooLong,
            other => Denied::Internal(other.desc().to_string()),
        }
    }
}

impl Root {
    /// The path the root was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How symlinks are handled.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Decodes, normalizes and opens a request target in one go (using two
    /// scratch buffers the caller keeps between requests).
    #[cfg(target_os = "linux")]
    pub fn open_target(
        &self,
        target: &[u8],
        decoded: &mut Vec<u8>,
        relative: &mut Vec<u8>,
    ) -> Result<Opened, Denied> {
        decode_target(target, decoded)?;
        normalize(decoded, relative)?;
        self.open_file(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(t: &str) -> Result<Vec<u8>, Denied> {
        let mut out = Vec::new();
        decode_target(t.as_bytes(), &mut out).map(|_| out)
    }

    fn normalized(t: &str) -> Result<String, Denied> {
        let mut out = Vec::new();
        normalize(&decoded(t)?, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn escapes_are_decoded_before_any_check() {
        assert_eq!(decoded("/a%20b?x=1").unwrap(), b"/a b");
        assert_eq!(normalized("/%2e%2e/x"), Err(Denied::Forbidden("`..` in path")));
        assert_eq!(normalized("/a%2f..%2fb"), Err(Denied::Forbidden("`..` in path")));
        assert_eq!(normalized("/a/%2E%2E"), Err(Denied::Forbidden("`..` in path")));
        assert_eq!(decoded("/a%00b"), Err(Denied::BadRequest("NUL byte in path")));
        assert_eq!(decoded("/a%zz"), Err(Denied::BadRequest("malformed %-escape")));
        assert_eq!(decoded("/a%2"), Err(Denied::BadRequest("malformed %-escape")));
        assert!(matches!(decoded("a"), Err(Denied::BadRequest(_))));
        assert!(matches!(decoded("http://x/a"), Err(Denied::BadRequest(_))));
        assert_eq!(
            decoded(&format!("/{}", "a".repeat(MAX_TARGET))),
            Err(Denied::TooLong)
        );
    }

    #[test]
    fn normalized_paths_are_relative_and_never_climb() {
        assert_eq!(normalized("//etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(normalized("/./a//b/./c").unwrap(), "a/b/c");
        assert_eq!(normalized("/").unwrap(), "");
        assert_eq!(normalized("/a/../b"), Err(Denied::Forbidden("`..` in path")));
        // A backslash is an ordinary byte in a Linux file name.
        assert_eq!(normalized("/..\\x").unwrap(), "..\\x");
    }
}
