//! Just enough HTTP/1.1 for a static file server: the request head (request
//! line and the few headers that matter), single byte ranges, and response
//! heads written into a reused buffer (no allocation per request).
//!
//! Not a general HTTP parser: no request bodies (a request announcing one
//! gets 400 and the connection is closed), no chunked encoding, no
//! multi-range responses (a `Range` with several ranges is ignored, which
//! RFC 9110 §14.2 allows); of the conditional requests, only
//! `If-Modified-Since` (a 304 for a file not changed since).

use std::cell::Cell;
use std::io::Write;

/// Largest request head accepted (request line and headers), in bytes.
pub const MAX_HEAD: usize = 8192;

/// Most header lines accepted in a request head (Apache's
/// `LimitRequestFields` default); more is a 431.
pub const MAX_HEADERS: usize = 100;

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
    /// The `If-Modified-Since` header's value, if any.
    pub if_modified_since: Option<&'a [u8]>,
}

/// Why a head could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// Malformed: 400.
    Bad(&'static str),
    /// Not HTTP/1.0 or HTTP/1.1: 505.
    Version,
    /// More than `max_headers` header lines: 431.
    TooManyHeaders,
}

impl HeadError {
    /// The status that answers it.
    pub fn status(self) -> u16 {
        match self {
            Self::Bad(_) => 400,
            Self::Version => 505,
            Self::TooManyHeaders => 431,
        }
    }
}

/// The length of the head at the start of `buf` (through the blank line),
/// once it has all arrived.
pub fn head_len(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

// ANCHOR: parse_request
/// Parses a complete head (as delimited by [`head_len`]) with at most
/// `max_headers` header lines.
pub fn parse_request(head: &[u8], max_headers: usize) -> Result<Request<'_>, HeadError> {
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
    // The absolute form (`http://host/path`, RFC 9112 §3.2.2) names the
    // same path as the origin form; the authority is not checked.
    let (target, absolute) = match origin_of(target) {
        Some(path) => (path, true),
        None => (target, false),
    };
    let mut req = Request {
        verb,
        target,
        minor_version,
        keep_alive: minor_version == 1,
        range: None,
        has_body: false,
        if_modified_since: None,
    };
    let (mut content_length, mut hosts, mut count) = (None, 0, 0);
    for line in lines.filter(|l| !l.is_empty()) {
        count += 1;
        if count > max_headers {
            return Err(HeadError::TooManyHeaders);
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::Bad("folded header lines are not allowed"));
        }
        let colon =
            line.iter().position(|&b| b == b':').ok_or(HeadError::Bad("no colon"))?;
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
            return Err(HeadError::Bad("malformed header name"));
        }
        if name.eq_ignore_ascii_case(b"host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for option in value.split(|&b| b == b',').map(trim) {
                if option.eq_ignore_ascii_case(b"close") {
                    req.keep_alive = false;
                } else if option.eq_ignore_ascii_case(b"keep-alive") {
                    req.keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case(b"range") {
            req.range = Some(value);
        } else if name.eq_ignore_ascii_case(b"if-modified-since") {
            req.if_modified_since = Some(value);
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
    // RFC 9112 §3.2: exactly one Host in HTTP/1.1 (unless the target
    // carries the authority); never more than one.
    if hosts > 1 || (hosts == 0 && minor_version == 1 && !absolute) {
        return Err(HeadError::Bad("an HTTP/1.1 request needs exactly one Host header"));
    }
    req.has_body |= content_length.is_some_and(|n| n > 0);
    Ok(req)
}
// ANCHOR_END: parse_request

/// The path of an absolute-form target (`http://host/p?q` → `/p?q`; with
/// no path, `/`), or `None` for any other form.
fn origin_of(target: &[u8]) -> Option<&[u8]> {
    let rest = [&b"http://"[..], b"https://"].iter().find_map(|scheme| {
        (target.len() >= scheme.len()
            && target[..scheme.len()].eq_ignore_ascii_case(scheme))
        .then(|| &target[scheme.len()..])
    })?;
    Some(match rest.iter().position(|&b| b == b'/') {
        Some(i) => &rest[i..],
        None => b"/",
    })
}

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
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
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
    /// A 304 sends neither it nor `Content-Type`.
    pub content_length: u64,
    /// `Content-Range`: (first, last, size) for 206; (0, 0, size) with
    /// `unsatisfiable` for 416.
    pub content_range: Option<(u64, u64, u64)>,
    /// A 416's `Content-Range: bytes */size`.
    pub unsatisfiable_size: Option<u64>,
    /// `Last-Modified`, in seconds since the Unix epoch.
    pub last_modified: Option<i64>,
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
        "HTTP/1.1 {} {}\r\nServer: perf-workbook\r\nDate: ",
        h.status,
        reason(h.status)
    );
    out.extend_from_slice(&date_now());
    out.extend_from_slice(b"\r\n");
    if h.status != 304 {
        let _ = write!(
            out,
            "Content-Type: {}\r\nContent-Length: {}\r\n",
            h.content_type, h.content_length
        );
    }
    if let Some(t) = h.last_modified {
        out.extend_from_slice(b"Last-Modified: ");
        out.extend_from_slice(&http_date(t));
        out.extend_from_slice(b"\r\n");
    }
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
    if h.status == 503 {
        out.extend_from_slice(b"Retry-After: 1\r\n");
    }
    if h.close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
}
// ANCHOR_END: write_head

/// An HTTP date (IMF-fixdate, RFC 9110 §5.6.7) is this long.
pub const DATE_LEN: usize = 29;

const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
    b"Nov", b"Dec",
];

/// `secs` since the Unix epoch as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(secs: i64) -> [u8; DATE_LEN] {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut out = [b' '; DATE_LEN];
    out[..3].copy_from_slice(DAYS[days.rem_euclid(7) as usize]);
    out[3] = b',';
    let two = |out: &mut [u8], at: usize, n: i64| {
        out[at] = b'0' + (n / 10 % 10) as u8;
        out[at + 1] = b'0' + (n % 10) as u8;
    };
    two(&mut out, 5, d);
    out[8..11].copy_from_slice(MONTHS[(m - 1) as usize]);
    two(&mut out, 12, y.clamp(0, 9999) / 100);
    two(&mut out, 14, y.clamp(0, 9999) % 100);
    two(&mut out, 17, rem / 3600);
    out[19] = b':';
    two(&mut out, 20, rem / 60 % 60);
    out[22] = b':';
    two(&mut out, 23, rem % 60);
    out[26..].copy_from_slice(b"GMT");
    out
}

/// Parses an IMF-fixdate (the only form a sender may generate); `None` for
/// anything else, which makes the condition false (RFC 9110 §13.1.3).
pub fn parse_http_date(s: &[u8]) -> Option<i64> {
    let s = trim(s);
    if s.len() != DATE_LEN || &s[3..5] != b", " || &s[25..] != b" GMT" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        s[r].iter().try_fold(0i64, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let m = MONTHS.iter().position(|m| &s[8..11] == *m)? as i64 + 1;
    let (d, y) = (num(5..7)?, num(12..16)?);
    let (hh, mm, ss) = (num(17..19)?, num(20..22)?, num(23..25)?);
    if s[7] != b' ' || s[11] != b' ' || s[16] != b' ' || s[19] != b':' || s[22] != b':' {
        return None;
    }
    if !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) → days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

thread_local! {
    /// The last second formatted on this thread, and its text: a server
    /// formats the date once a second, not once a response.
    static DATE: Cell<(i64, [u8; DATE_LEN])> = const { Cell::new((i64::MIN, [0; DATE_LEN])) };
}

/// The current time as an HTTP date, formatted at most once a second per
/// thread.
pub fn date_now() -> [u8; DATE_LEN] {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    DATE.with(|c| {
        let (secs, text) = c.get();
        if secs == now {
            return text;
        }
        let text = http_date(now);
        c.set((now, text));
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(h: &[u8]) -> Result<Request<'_>, HeadError> {
        parse_request(h, MAX_HEADERS)
    }

    #[test]
    fn request_heads_parse() {
        let h = b"GET /a%20b?x HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n";
        assert_eq!(head_len(h), Some(h.len()));
        let r = parse(h).unwrap();
        assert_eq!((r.verb, r.target, r.keep_alive), (Verb::Get, &b"/a%20b?x"[..], true));
        assert_eq!(r.range, Some(&b"bytes=0-9"[..]));
        let r = parse(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!((r.verb, r.keep_alive), (Verb::Head, false));
        let r = parse(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").unwrap();
        assert!(r.keep_alive);
        let r = parse(b"GET / HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n").unwrap();
        assert!(!r.keep_alive);
        let r =
            parse(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert_eq!((r.verb, r.has_body), (Verb::Other, true));
        assert_eq!(parse(b"GET / HTTP/2.0\r\n\r\n"), Err(HeadError::Version));
        // The absolute form names a path; it carries its own authority.
        let r = parse(b"GET http://example.com/a/b?q HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(r.target, b"/a/b?q");
        assert_eq!(
            parse(b"GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n").unwrap().target,
            b"/"
        );
        let ims = b"GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n";
        assert_eq!(
            parse(ims).unwrap().if_modified_since,
            Some(&b"Sun, 06 Nov 1994 08:49:37 GMT"[..])
        );
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
            // RFC 9112 §3.2: no Host, or two, in HTTP/1.1.
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        ] {
            assert!(
                matches!(parse(bad), Err(HeadError::Bad(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..MAX_HEADERS {
            many.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse(&many), Err(HeadError::TooManyHeaders));
        assert!(parse_request(&many, MAX_HEADERS + 1).is_ok());
    }

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(&http_date(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&http_date(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&http_date(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        for t in [0, 784_111_777, 951_782_400, 1_700_000_000, 4_102_444_799] {
            assert_eq!(parse_http_date(&http_date(t)), Some(t), "{t}");
        }
        assert_eq!(parse_http_date(b"Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date(b"Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date(b"Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(date_now().len(), DATE_LEN);
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
            last_modified: Some(784_111_777),
            close: true,
            allow: false,
        };
        write_head(&mut out, &head);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{text}");
        assert!(text.contains("Content-Type: video/mp4\r\n"), "{text}");
        assert!(text.contains("Content-Range: bytes 0-9/100\r\n"), "{text}");
        assert!(
            text.contains("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nDate: "), "{text}");
        assert!(text.contains("Connection: close\r\n") && text.ends_with("\r\n\r\n"));
        assert_eq!(content_type(b".bashrc"), "application/octet-stream");
        assert_eq!(content_type(b"a.tar.gz"), "application/octet-stream");
    }
}
