//! Just enough HTTP/1.1 for a static file server: the request head (request
//! line and the few headers that matter), single byte ranges, and response
//! heads written into a reused buffer (no allocation per request).
//!
//! Not a general HTTP parser: no request bodies (a request announcing one
//! gets 400 and the connection is closed), no chunked encoding, no
//! multi-range responses (a `Range` with several ranges is ignored, which
//! RFC 9110 §14.2 allows), no conditional requests.

use std::io::Write;

/// Largest request head accepted (request line and headers), in bytes.
pub const MAX_HEAD: usize = 8192;

/// The request methods the server knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `HEAD`: the same headers, no body.
    Head,
    /// Anything else: 405.
    Other,
}

/// A parsed request head, borrowing from the connection's buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method.
    pub verb: Verb,
    /// The request target, as sent (still percent-encoded).
    pub target: &'a [u8],
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// Whether the client wants the connection kept open afterwards.
    pub keep_alive: bool,
    /// The `Range` header's value, if any.
    pub range: Option<&'a [u8]>,
    /// The request announces a body (`Content-Length` > 0 or
    /// `Transfer-Encoding`).
    pub has_body: bool,
}

/// Why a head could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// Malformed: 400.
    Bad(&'static str),
    /// Not HTTP/1.0 or HTTP/1.1: 505.
    Version,
}

/// The length of the head at the start of `buf` (through the blank line),
/// once it has all arrived.
pub fn head_len(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

// ANCHOR: parse_request
/// Parses a complete head (as delimited by [`head_len`]).
pub fn parse_request(head: &[u8]) -> Result<Request<'_>, HeadError> {
    let mut lines =
        head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let line = lines.next().ok_or(HeadError::Bad("empty request"))?;
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Bad("the request line is not `METHOD target HTTP/1.x`"));
    };
    if method.is_empty() || !method.iter().all(|&b| is_token(b)) || target.is_empty() {
        return Err(HeadError::Bad("malformed request line"));
    }
    let minor_version = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        v if v.starts_with(b"HTTP/") => return Err(HeadError::Version),
        _ => return Err(HeadError::Bad("malformed HTTP version")),
    };
    let verb = match method {
        b"GET" => Verb::Get,
        b"HEAD" => Verb::Head,
        _ => Verb::Other,
    };
    let mut req = Request {
        verb,
        target,
        minor_version,
        keep_alive: minor_version == 1,
        range: None,
        has_body: false,
    };
    let mut content_length = None;
    for line in lines.filter(|l| !l.is_empty()) {
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::Bad("folded header lines are not allowed"));
        }
        let colon =
            line.iter().position(|&b| b == b':').ok_or(HeadError::Bad("no colon"))?;
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
            return Err(HeadError::Bad("malformed header name"));
        }
        if name.eq_ignore_ascii_case(b"connection") {
            for option in value.split(|&b| b == b',').map(trim) {
                if option.eq_ignore_ascii_case(b"close") {
                    req.keep_alive = false;
                } else if option.eq_ignore_ascii_case(b"keep-alive") {
                    req.keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case(b"range") {
            req.range = Some(value);
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let n = parse_u64(value).ok_or(HeadError::Bad("bad Content-Length"))?;
            if content_length.is_some_and(|c| c != n) {
                return Err(HeadError::Bad("conflicting Content-Length headers"));
            }
            content_length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            req.has_body = true;
        }
    }
    req.has_body |= content_length.is_some_and(|n| n > 0);
    Ok(req)
}
// ANCHOR_END: parse_request

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// Parses decimal digits; `None` if empty, not digits, or over `u64::MAX`.
fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        let d = (b as char).to_digit(10)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// What a `Range` header asks of a file of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The whole file (no `Range`, or one the server ignores): 200.
    Full,
    /// `len` bytes from `start`: 206.
    Part {
        /// First byte.
        start: u64,
        /// Number of bytes (at least 1).
        len: u64,
    },
    /// No byte of the file is in the range: 416.
    Unsatisfiable,
}

// ANCHOR: parse_range
/// Interprets a `Range` header for a file of `size` bytes. Only one range of
/// bytes is honoured: `bytes=a-b`, `bytes=a-`, `bytes=-n` (the last `n`).
/// Anything malformed, or several ranges, is ignored (the full file is sent).
pub fn parse_range(header: Option<&[u8]>, size: u64) -> Span {
    let Some(spec) = header.and_then(|h| strip_prefix_ignore_case(h, b"bytes=")) else {
        return Span::Full;
    };
    let spec = trim(spec);
    if spec.contains(&b',') {
        return Span::Full;
    }
    let Some(dash) = spec.iter().position(|&b| b == b'-') else { return Span::Full };
    let (first, last) = (trim(&spec[..dash]), trim(&spec[dash + 1..]));
    match (first.is_empty(), last.is_empty()) {
        // bytes=-n: the last n bytes.
        (true, false) => match parse_u64(last) {
            Some(0) => Span::Unsatisfiable,
            Some(_) if size == 0 => Span::Unsatisfiable,
            Some(n) => {
                let len = n.min(size);
                Span::Part { start: size - len, len }
            }
            // More digits than a u64 holds: more than the whole file.
            None if last.iter().all(u8::is_ascii_digit) && size > 0 => {
                Span::Part { start: 0, len: size }
            }
            None => Span::Full,
        },
        // bytes=a- or bytes=a-b.
        (false, _) => {
            let Some(start) = parse_u64(first).or_else(|| {
                // A start beyond u64 is beyond any file.
                first.iter().all(u8::is_ascii_digit).then_some(u64::MAX)
            }) else {
                return Span::Full;
            };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                match parse_u64(last) {
                    Some(end) => end,
                    None if last.iter().all(u8::is_ascii_digit) => u64::MAX,
                    None => return Span::Full,
                }
            };
            if end < start {
                return Span::Full;
            }
            if start >= size {
                return Span::Unsatisfiable;
            }
            let end = end.min(size - 1);
            Span::Part { start, len: end - start + 1 }
        }
        (true, true) => Span::Full,
    }
}
// ANCHOR_END: parse_range

fn strip_prefix_ignore_case<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let s = trim(s);
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

/// The reason phrase of a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// The `Content-Type` for a path, by its extension.
pub fn content_type(path: &[u8]) -> &'static str {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let ext = match name.iter().rposition(|&b| b == b'.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => b"",
    };
    const TYPES: &[(&str, &str)] = &[
        ("html", "text/html; charset=utf-8"),
        ("htm", "text/html; charset=utf-8"),
        ("txt", "text/plain; charset=utf-8"),
        ("css", "text/css; charset=utf-8"),
        ("js", "text/javascript; charset=utf-8"),
        ("json", "application/json"),
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("jpeg", "image/jpeg"),
        ("gif", "image/gif"),
        ("svg", "image/svg+xml"),
        ("webp", "image/webp"),
        ("pdf", "application/pdf"),
        ("wasm", "application/wasm"),
        ("mp4", "video/mp4"),
        ("webm", "video/webm"),
        ("mp3", "audio/mpeg"),
    ];
    TYPES
        .iter()
        .find(|(e, _)| e.as_bytes().eq_ignore_ascii_case(ext))
        .map_or("application/octet-stream", |(_, t)| t)
}

/// The header lines of a response, beyond the status line.
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'a str,
    /// `Content-Length`: the body's length (also for HEAD, which sends none).
    pub content_length: u64,
    /// `Content-Range`: (first, last, size) for 206; (0, 0, size) with
    /// `unsatisfiable` for 416.
    pub content_range: Option<(u64, u64, u64)>,
    /// A 416's `Content-Range: bytes */size`.
    pub unsatisfiable_size: Option<u64>,
    /// Whether to say `Connection: close`.
    pub close: bool,
    /// Whether to send `Allow: GET, HEAD` (405).
    pub allow: bool,
}

// ANCHOR: write_head
/// Writes a response head into `out` (cleared first). Writing into a `Vec`
/// the connection keeps allocates nothing once it has grown to size.
pub fn write_head(out: &mut Vec<u8>, h: &Head<'_>) {
    out.clear();
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\nServer: perf-workbook\r\n",
        h.status,
        reason(h.status)
    );
    let _ = write!(
        out,
        "Content-Type: {}\r\nContent-Length: {}\r\n",
        h.content_type, h.content_length
    );
    if h.status == 200 || h.status == 206 {
        out.extend_from_slice(b"Accept-Ranges: bytes\r\n");
    }
    if let Some((first, last, size)) = h.content_range {
        let _ = write!(out, "Content-Range: bytes {first}-{last}/{size}\r\n");
    }
    if let Some(size) = h.unsatisfiable_size {
        let _ = write!(out, "Content-Range: bytes */{size}\r\n");
    }
    if h.allow {
        out.extend_from_slice(b"Allow: GET, HEAD\r\n");
    }
    if h.close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
}
// ANCHOR_END: write_head

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_parse() {
        let h = b"GET /a%20b?x HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n";
        assert_eq!(head_len(h), Some(h.len()));
        let r = parse_request(h).unwrap();
        assert_eq!((r.verb, r.target, r.keep_alive), (Verb::Get, &b"/a%20b?x"[..], true));
        assert_eq!(r.range, Some(&b"bytes=0-9"[..]));
        let r = parse_request(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!((r.verb, r.keep_alive), (Verb::Head, false));
        let r =
            parse_request(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").unwrap();
        assert!(r.keep_alive);
        let r = parse_request(b"GET / HTTP/1.1\r\nconnection: close\r\n\r\n").unwrap();
        assert!(!r.keep_alive);
        let r = parse_request(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert_eq!((r.verb, r.has_body), (Verb::Other, true));
        assert_eq!(parse_request(b"GET / HTTP/2.0\r\n\r\n"), Err(HeadError::Version));
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1 x\r\n\r\n",
            b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
        ] {
            assert!(
                matches!(parse_request(bad), Err(HeadError::Bad(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        let r = |h: &str, size| parse_range(Some(h.as_bytes()), size);
        assert_eq!(parse_range(None, 10), Span::Full);
        assert_eq!(r("bytes=0-9", 100), Span::Part { start: 0, len: 10 });
        assert_eq!(r("bytes=90-", 100), Span::Part { start: 90, len: 10 });
        assert_eq!(r("bytes=90-1000", 100), Span::Part { start: 90, len: 10 });
        assert_eq!(r("bytes=-10", 100), Span::Part { start: 90, len: 10 });
        assert_eq!(r("bytes=-1000", 100), Span::Part { start: 0, len: 100 });
        assert_eq!(r("BYTES=5-5", 100), Span::Part { start: 5, len: 1 });
        assert_eq!(r("bytes=100-", 100), Span::Unsatisfiable);
        assert_eq!(r("bytes=-0", 100), Span::Unsatisfiable);
        assert_eq!(r("bytes=0-", 0), Span::Unsatisfiable);
        assert_eq!(r("bytes=-5", 0), Span::Unsatisfiable);
        assert_eq!(r("bytes=99999999999999999999999-", 100), Span::Unsatisfiable);
        assert_eq!(
            r("bytes=0-99999999999999999999999", 100),
            Span::Part { start: 0, len: 100 }
        );
        assert_eq!(r("bytes=5-4", 100), Span::Full);
        assert_eq!(r("bytes=0-1,5-6", 100), Span::Full);
        assert_eq!(r("items=0-1", 100), Span::Full);
        assert_eq!(r("bytes=a-b", 100), Span::Full);
        assert_eq!(r("bytes=-", 100), Span::Full);
    }

    #[test]
    fn heads_are_well_formed() {
        let mut out = Vec::new();
        let head = Head {
            status: 206,
            content_type: content_type(b"dir/movie.MP4"),
            content_length: 10,
            content_range: Some((0, 9, 100)),
            unsatisfiable_size: None,
            close: true,
            allow: false,
        };
        write_head(&mut out, &head);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{text}");
        assert!(text.contains("Content-Type: video/mp4\r\n"), "{text}");
        assert!(text.contains("Content-Range: bytes 0-9/100\r\n"), "{text}");
        assert!(text.contains("Connection: close\r\n") && text.ends_with("\r\n\r\n"));
        assert_eq!(content_type(b".bashrc"), "application/octet-stream");
        assert_eq!(content_type(b"a.tar.gz"), "application/octet-stream");
    }
}
