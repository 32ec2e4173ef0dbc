//! Times in transcripts and subtitles: `00:12:31`, `12:31`, `00:01:02,500`.
//!
//! Subtitle cues, timestamped speaker labels and spreadsheet durations all
//! give times; qcode reads them with one parser ([`parse_time`]) and writes
//! cue times in one form ([`format_time`]), so a filter on times
//! ([`TimeRange`]) compares like with like.

/// Milliseconds from a timestamp: `H:MM:SS`, `MM:SS` or `SS`, each with an
/// optional fraction of up to three digits after `.` or `,` (`00:01:02.5`,
/// `01:02,500`). Minutes and seconds after the first field must be below 60.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let (whole, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let millis = match fraction {
        None => 0,
        Some(f) if (1..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u64>().ok()? * 10u64.pow(3 - f.len() as u32)
        }
        Some(_) => return None,
    };
    let fields: Vec<&str> = whole.split(':').collect();
    if fields.len() > 3
        || fields
            .iter()
            .any(|f| f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut seconds = 0u64;
    for (i, f) in fields.iter().enumerate() {
        let v: u64 = f.parse().ok()?;
        if i > 0 && (v >= 60 || f.len() != 2) {
            return None;
        }
        seconds = seconds * 60 + v;
    }
    Some(seconds * 1000 + millis)
}

/// `HH:MM:SS.mmm`, the form qcode writes every time in (more digits of
/// hours past 99). Written digit by digit rather than with `format!`: it
/// runs for every timed passage.
pub fn format_time(millis: u64) -> String {
    let (s, ms) = (millis / 1000, millis % 1000);
    let hours = s / 3600;
    if hours > 99 {
        return format!("{hours}:{:02}:{:02}.{ms:03}", s / 60 % 60, s % 60);
    }
    let digit = |n: u64| char::from(b'0' + (n % 10) as u8);
    let mut out = String::with_capacity(12);
    for (n, sep) in [(hours, ':'), (s / 60 % 60, ':'), (s % 60, '.')] {
        out.push(digit(n / 10));
        out.push(digit(n));
        out.push(sep);
    }
    out.extend([digit(ms / 100), digit(ms / 10), digit(ms)]);
    out
}

/// A stretch of a recording: the passages that start in it are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Milliseconds, inclusive.
    pub from: Option<u64>,
    /// Milliseconds, exclusive, so that one range ending at 00:10:00 and
    /// another starting there split a recording without overlap.
    pub to: Option<u64>,
}

impl TimeRange {
    /// True when `start_time` (a passage's, as written) lies in the range; a
    /// passage without a readable start time never does.
    pub fn contains(&self, start_time: Option<&str>) -> bool {
        start_time
            .and_then(parse_time)
            .is_some_and(|t| self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_subtitle_notation_and_format_back() {
        assert_eq!(parse_time("00:01:02.5"), Some(62_500));
        assert_eq!(parse_time("1:02:03,040"), Some(3_723_040));
        assert_eq!(parse_time("12:31"), Some(751_000));
        assert_eq!(parse_time("00:61:00"), None);
        assert_eq!(parse_time("1:2:3"), None);
        assert_eq!(parse_time("00:00:01.1234"), None);
        assert_eq!(format_time(3_723_040), "01:02:03.040");
        assert_eq!(format_time(0), "00:00:00.000");
        assert_eq!(format_time(359_999_999), "99:59:59.999");
        assert_eq!(format_time(360_000_001), "100:00:00.001");
    }

    #[test]
    fn a_range_keeps_what_starts_in_it() {
        let range = TimeRange {
            from: Some(10_000),
            to: Some(20_000),
        };
        assert!(range.contains(Some("00:10")));
        assert!(range.contains(Some("00:19.999")));
        assert!(!range.contains(Some("00:20")), "the end is exclusive");
        assert!(!range.contains(Some("later")));
        assert!(!range.contains(None));
    }
}
