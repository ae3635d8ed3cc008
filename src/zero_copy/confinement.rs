//! Every hostile request of the fixture against the seed's
//! `rootDir + "/" + filename`, against `Path::join`, and against the
//! chapter's server, with a secret file beside the root: who leaked it
//! (C000-04, D03).
//!
//! Not for: how the server confines (see `confine.rs`).

use super::fixture::{SECRET, SiteFixture, port_name};
use super::seed_port::{naive_open_joined, seed_open_concatenated};
use super::server::client::Client;
use super::server::{self, Config};
use std::fs::File;
use std::io::{self, Read};

/// The outcome of one hostile request against one implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The secret's bytes came back.
    Leaked,
    /// A directory was opened (the seed would then send a broken response).
    OpenedDirectory,
    /// Refused: an error, or a status other than 200/206.
    Refused,
}

/// What one implementation of "open the requested file" returns for
/// `name`, as a leak or not.
fn port_outcome(opened: io::Result<File>) -> Outcome {
    let Ok(file) = opened else { return Outcome::Refused };
    let mut body = Vec::new();
    match file.take(1 << 20).read_to_end(&mut body) {
        Ok(_) if contains(&body, SECRET.as_bytes()) => Outcome::Leaked,
        Ok(_) => Outcome::Refused,
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => Outcome::OpenedDirectory,
        Err(_) => Outcome::Refused,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every hostile request against the seed's concatenation, `Path::join`
/// and the chapter's server: (what, seed, join, server status, server leaked).
pub struct Confinement {
    /// One row per hostile request.
    pub rows: Vec<ConfinementRow>,
}

/// One hostile request's outcomes.
#[derive(Clone, Debug)]
pub struct ConfinementRow {
    /// What it tries.
    pub what: &'static str,
    /// The seed's `rootDir + "/" + filename`.
    pub seed: Option<Outcome>,
    /// `Path::join`.
    pub join: Option<Outcome>,
    /// The server's status code.
    pub status: u16,
    /// Whether the server's response contained the secret.
    pub server_leaked: bool,
}

impl Confinement {
    /// Runs the fixture's hostile list against all three.
    pub fn run() -> io::Result<Self> {
        let fx = SiteFixture::new()?;
        let handle = server::spawn(
            "127.0.0.1:0".parse().expect("address"),
            Config { workers: 2, ..Config::new(fx.root()) },
        )?;
        let root =
            fx.root().to_str().ok_or_else(|| io::Error::other("non-UTF-8 root"))?;
        let mut rows = Vec::new();
        for h in fx.hostile() {
            let mut c = Client::connect(handle.addr())?;
            let req = format!(
                "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                h.target
            );
            c.send_raw(req.as_bytes())?;
            let resp = c.read_response(false)?;
            let (seed, join) = if h.for_ports {
                let name = port_name(&h.target);
                (
                    Some(port_outcome(seed_open_concatenated(root, &name))),
                    Some(port_outcome(naive_open_joined(fx.root(), &name))),
                )
            } else {
                (None, None)
            };
            rows.push(ConfinementRow {
                what: h.what,
                seed,
                join,
                status: resp.status,
                server_leaked: contains(&resp.body, SECRET.as_bytes()),
            });
        }
        Ok(Self { rows })
    }

    /// Rows for which `f` holds.
    pub fn count(&self, f: impl Fn(&ConfinementRow) -> bool) -> usize {
        self.rows.iter().filter(|r| f(r)).count()
    }
}
