// SPDX-License-Identifier: Apache-2.0
//! The grammar of an access-log line in the combined (or common) log format, as the weblog
//! reader matches it: a hand-written scanner of exactly the regular expression [`LINE`]
//! (several times faster; a test holds them equal), and the `DD/Mon/YYYY:HH:MM:SS +ZZZZ`
//! time it holds.

/// `remote_addr ident remote_user [time] "request" status bytes ["referer" ["agent"]]`:
/// the grammar, as a regular expression. Lines are matched by [`scan`], a hand-written
/// scanner of exactly this expression (several times faster); a test holds them equal.
#[cfg_attr(not(test), allow(dead_code))]
const LINE: &str = r#"^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?:\s+"((?:[^"\\]|\\.)*)")?(?:\s+"((?:[^"\\]|\\.)*)")?$"#;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// `10/Oct/2000:13:55:36 -0700` as µs since the epoch, UTC.
pub fn clf_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 26 && b[2] == b'/' && b[6] == b'/' && b[11] == b':' && b[20] == b' ' {
        let day = digits(&b[0..2])?;
        let month = MONTHS.iter().position(|m| m[..] == b[3..6])? as u32 + 1;
        let year = digits(&b[7..11])? as i32;
        let (h, m, sec) = (
            digits(&b[12..14])?,
            digits(&b[15..17])?,
            digits(&b[18..20])?,
        );
        let sign = match b[21] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let offset = sign * (digits(&b[22..24])? as i64 * 3600 + digits(&b[24..26])? as i64 * 60);
        let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
        let time = date.and_hms_opt(h, m, sec)?;
        return Some((time.and_utc().timestamp() - offset) * 1_000_000);
    }
    chrono::DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
        .ok()
        .map(|t| t.timestamp_micros())
}

/// A scanner over one line, for the grammar of [`LINE`].
struct Scan<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.line.as_bytes()[self.at..]
    }

    fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    fn done(&self) -> bool {
        self.at == self.line.len()
    }

    /// The text up to `end` (an offset into the rest), and past it.
    fn take(&mut self, end: usize) -> &'a str {
        let text = &self.line[self.at..self.at + end];
        self.at += end;
        text
    }

    /// `\S+`: up to the next space or tab (the whitespace a log line holds; searched with
    /// memchr, as every scan here is, since this runs once per field of every line).
    fn word(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let end = memchr::memchr2(b' ', b'\t', rest).unwrap_or(rest.len());
        (end > 0).then(|| self.take(end))
    }

    /// `\s+`.
    fn spaces(&mut self) -> Option<()> {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.at += n;
        (n > 0).then_some(())
    }

    /// `\[([^\]]+)\]`.
    fn bracketed(&mut self) -> Option<&'a str> {
        self.byte(b'[')?;
        let end = memchr::memchr(b']', self.rest())?;
        let inner = self.take(end);
        self.at += 1;
        (!inner.is_empty()).then_some(inner)
    }

    /// `"((?:[^"\\]|\\.)*)"`: the text between the quotes, escapes kept.
    fn quoted(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let rest = self.rest();
        let mut end = 0;
        loop {
            end += memchr::memchr2(b'"', b'\\', &rest[end..])?;
            if rest[end] == b'"' {
                break;
            }
            // A backslash escapes the next character, which must exist.
            if end + 1 >= rest.len() {
                return None;
            }
            end += 2;
        }
        let inner = self.take(end);
        self.at += 1;
        Some(inner)
    }

    /// `\d+` (exactly `len` digits when given).
    fn digits(&mut self, len: Option<usize>) -> Option<&'a str> {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (n > 0 && len.is_none_or(|l| n == l)).then(|| self.take(n))
    }
}

/// The fields [`LINE`] captures, in its order (referer and agent optional).
pub fn scan(line: &str) -> Option<[Option<&str>; 8]> {
    let mut s = Scan { line, at: 0 };
    let addr = s.word()?;
    s.byte(b' ')?;
    s.word()?;
    s.byte(b' ')?;
    let user = s.word()?;
    s.byte(b' ')?;
    let time = s.bracketed()?;
    s.byte(b' ')?;
    let request = s.quoted()?;
    s.byte(b' ')?;
    let status = s.digits(Some(3))?;
    s.byte(b' ')?;
    let bytes = match s.peek()? {
        b'-' => {
            s.at += 1;
            "-"
        }
        _ => s.digits(None)?,
    };
    let mut optional = [None, None];
    for slot in &mut optional {
        if s.done() {
            break;
        }
        s.spaces()?;
        *slot = Some(s.quoted()?);
    }
    if !s.done() {
        return None;
    }
    let [referer, agent] = optional;
    Some([
        Some(addr),
        Some(user),
        Some(time),
        Some(request),
        Some(status),
        Some(bytes),
        referer,
        agent,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_matches_the_expression() {
        let re = regex::Regex::new(LINE).unwrap();
        let lines = [
            r#"1.2.3.4 - u [t] "GET / HTTP/1.1" 200 5 "r" "a""#,
            r#"1.2.3.4 - u [t] "GET /" 200 -"#,
            r#"1.2.3.4 - u [t] "" 200 5   "r""#,
            r#"1.2.3.4 - u [t] "a \" b" 200 5"#,
            r#"1.2.3.4 - u [t] "a \\" 200 5 "x""#,
            r#"1.2.3.4 - u [t] "a" 200 5 "r" "a" "extra""#,
            r#"1.2.3.4 - u [t] "a" 2000 5"#,
            r#"1.2.3.4 - u [t] "a" 200 5x"#,
            r#"1.2.3.4 - u [t] "a" 200 5 r"#,
            r#"1.2.3.4 - u [] "a" 200 5"#,
            r#"1.2.3.4  u [t] "a" 200 5"#,
            r#"1.2.3.4 - u [t] "unterminated 200 5"#,
            r#"1.2.3.4 - u [t] "a\" 200 5"#,
            r#"1.2.3.4 - u [t] "a" 200 5 "r"x"#,
            "",
        ];
        for line in lines {
            let want = re.captures(line).map(|c| {
                (1..=8)
                    .map(|i| c.get(i).map(|m| m.as_str()))
                    .collect::<Vec<_>>()
            });
            let got = scan(line).map(|f| f.to_vec());
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn clf_times_match_chrono() {
        for s in ["10/Oct/2000:13:55:36 -0700", "29/Feb/2024:23:59:59 +0530"] {
            let slow = chrono::DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
                .unwrap()
                .timestamp_micros();
            assert_eq!(clf_time(s), Some(slow));
        }
        assert!(clf_time("1/Oct/2000:13:55:36 -0700").is_some());
    }
}
