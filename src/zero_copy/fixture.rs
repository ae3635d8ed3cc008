//! A served directory with traps, and the hostile requests that probe it:
//! shared by the confinement checks (C000-04, D03), the tests and the
//! example, so all three attack the same things.
//!
//! Layout (`<scratch>` is a fresh temp directory):
//!
//! ```text
//! <scratch>/secret.txt          outside the root: must never be served
//! <scratch>/www/                the root
//!     ok.txt  empty.txt  page.html  sub/inner.txt
//!     link-in   -> ok.txt                 (a symlink that stays inside)
//!     link-out  -> ../secret.txt          (relative, leads out)
//!     link-abs  -> <scratch>/secret.txt   (absolute, leads out)
//!     dir-out   -> ..                     (a directory symlink, leads out)
//!     fifo                                (a named pipe: opening it blocks)
//! ```

use super::files::Scratch;
use std::io;
use std::path::{Path, PathBuf};

/// The secret file's content; finding it in a response is a leak.
pub const SECRET: &str = "TOP-SECRET: this file is outside the served root\n";

/// `ok.txt`'s content.
pub const OK_TEXT: &str = "hello from inside the root\n";

/// The directory tree above, deleted when dropped.
#[derive(Debug)]
pub struct SiteFixture {
    scratch: Scratch,
    root: PathBuf,
    secret: PathBuf,
}

/// One hostile request.
#[derive(Clone, Debug)]
pub struct Hostile {
    /// The request target, exactly as sent.
    pub target: String,
    /// What it tries.
    pub what: &'static str,
    /// Whether the seed ports can be tried with it (not the FIFO: opening
    /// it without `O_NONBLOCK`, as they do, blocks forever).
    pub for_ports: bool,
}

impl SiteFixture {
    /// Builds the tree.
    pub fn new() -> io::Result<Self> {
        use std::os::unix::fs::symlink;
        let scratch = Scratch::new("site")?;
        let root = scratch.join("www");
        let secret = scratch.join("secret.txt");
        std::fs::create_dir_all(root.join("sub"))?;
        std::fs::write(&secret, SECRET)?;
        std::fs::write(root.join("ok.txt"), OK_TEXT)?;
        std::fs::write(root.join("empty.txt"), "")?;
        std::fs::write(root.join("page.html"), "<p>hi</p>\n")?;
        std::fs::write(root.join("sub/inner.txt"), "inner\n")?;
        symlink("ok.txt", root.join("link-in"))?;
        symlink("../secret.txt", root.join("link-out"))?;
        symlink(&secret, root.join("link-abs"))?;
        symlink("..", root.join("dir-out"))?;
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU)?;
        Ok(Self { scratch, root, secret })
    }

    /// The served root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The secret file (outside the root).
    pub fn secret(&self) -> &Path {
        &self.secret
    }

    /// The scratch directory holding everything.
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    // ANCHOR: hostile
    /// Requests that must never return a byte from outside the root.
    pub fn hostile(&self) -> Vec<Hostile> {
        let abs = self.secret.display().to_string();
        let h = |target: String, what, for_ports| Hostile { target, what, for_ports };
        vec![
            h("/../secret.txt".into(), "`..` segment", true),
            h("/sub/../../secret.txt".into(), "`..` after a real directory", true),
            h("/%2e%2e/secret.txt".into(), "percent-encoded `..`", true),
            h("/..%2fsecret.txt".into(), "percent-encoded `/`", true),
            h("/sub/%2E%2E/%2E%2E/secret.txt".into(), "upper-case escapes", true),
            h(format!("/{abs}"), "absolute path (`//` + path)", true),
            h("/link-out".into(), "relative symlink out of the root", true),
            h("/link-abs".into(), "absolute symlink out of the root", true),
            h("/dir-out/secret.txt".into(), "directory symlink out of the root", true),
            h("/ok.txt%00/../../secret.txt".into(), "NUL byte", true),
            h("/sub".into(), "a directory", true),
            h("/".into(), "the root directory", true),
            h(format!("/{}secret.txt", "a/".repeat(2100)), "a 4 KiB+ path", true),
            h("/fifo".into(), "a FIFO (not tried on the ports)", false),
        ]
    }
    // ANCHOR_END: hostile
}

/// What the seed's `ServeFile` would get as `filename` for a request
/// target: the percent-decoded path without its leading `/` (Go's
/// `net/http` decodes `URL.Path` the same way). Decoding errors are left
/// as they are.
pub fn port_name(target: &str) -> String {
    let mut decoded = Vec::new();
    match super::confine::decode_target(target.as_bytes(), &mut decoded) {
        Ok(()) => String::from_utf8_lossy(&decoded[1..]).into_owned(),
        Err(_) => target.trim_start_matches('/').replace("%00", "\0"),
    }
}
