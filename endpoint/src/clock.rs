//! Timestamps in AWS's ISO 8601 form, for key creation dates and session expirations.

/// The current time as AWS's ISO 8601 (`2026-11-28T10:00:00Z`).
pub(crate) fn now_iso8601() -> String {
    iso8601(now_secs())
}

/// Seconds since the epoch, now.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seconds since the epoch as ISO 8601 UTC (civil-from-days, H. Hinnant's algorithm).
pub(crate) fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the epoch as SigV4's `X-Amz-Date` (`20261128T120000Z`).
pub(crate) fn amz_date(secs: u64) -> String {
    iso8601(secs).replace(['-', ':'], "")
}

/// `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`, UTC) as seconds since the epoch (days-from-civil,
/// H. Hinnant's algorithm); None when malformed or before 1970.
pub(crate) fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_867_200), "2026-11-28T12:00:00Z");
    }

    #[test]
    fn amz_dates_round_trip() {
        for secs in [0, 951_782_400, 1_795_867_200, 1_795_867_200 + 86_399] {
            assert_eq!(parse_amz_date(&amz_date(secs)), Some(secs));
        }
        assert_eq!(amz_date(1_795_867_200), "20261128T120000Z");
        for bad in [
            "",
            "20261128120000Z",
            "20261328T120000Z",
            "2026112xT120000Z",
            "20261128T120000",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
