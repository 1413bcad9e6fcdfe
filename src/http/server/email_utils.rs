//! The date parser behind `If-Modified-Since`: Python's
//! `email.utils.parsedate_to_datetime`, that is `email._parseaddr._parsedate_tz`.
//!
//! It is far more lenient than HTTP's three date formats (a day name or not, a comma
//! or not, two-digit years, named zones, `.` between the time's parts), and which
//! values it accepts decides whether `SimpleHttpRequestHandler` answers 304 or 200,
//! so it is ported rule for rule.

use super::builtins::split;

const MONTHNAMES: [&str; 24] = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYNAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const TIMEZONES: [(&str, i64); 14] = [
    ("UT", 0),
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("AST", -400),
    ("ADT", -300),
    ("EST", -500),
    ("EDT", -400),
    ("CST", -600),
    ("CDT", -500),
    ("MST", -700),
    ("MDT", -600),
    ("PST", -800),
    ("PDT", -700),
];

/// A date as `parsedate_to_datetime` returns it: the wall-clock fields, and the
/// zone's offset from UTC in seconds (`None`: no zone, or `-0000`, which Python
/// returns as a naive datetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    /// Year, month (1-12), day, hour, minute, second, each already checked as
    /// Python's `datetime` checks them.
    pub fields: [i64; 6],
    /// Offset from UTC in seconds, if the date named one.
    pub tzoffset: Option<i64>,
}

impl ParsedDate {
    /// Seconds since the epoch of the wall-clock fields read as UTC.
    pub fn timestamp_as_utc(&self) -> i64 {
        let [year, month, day, hour, minute, second] = self.fields;
        days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Python's `int(text)` for the ASCII forms a header can hold: optional sign, digits
/// with single underscores between them.
fn python_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let valid = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !valid {
        return None;
    }
    let value: i64 = digits.replace('_', "").parse().ok()?;
    Some(if text.starts_with('-') { -value } else { value })
}

/// Python's `str.isdigit()` on one latin-1 character: ASCII digits and the
/// superscripts `²`, `³`, `¹`.
fn is_python_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '\u{b2}' | '\u{b3}' | '\u{b9}')
}

// ANCHOR: parsedate_tz
/// Python: `email._parseaddr._parsedate_tz(data)`: `(fields, tzoffset)`, or `None`.
fn parsedate_tz(data: &str) -> Option<([i64; 6], Option<i64>)> {
    let mut data: Vec<String> = split(data).into_iter().map(str::to_string).collect();
    if data.is_empty() {
        return None;
    }
    // The FWS after the comma after the day-of-week is optional, so search and
    // adjust for this.
    if data[0].ends_with(',') || DAYNAMES.contains(&data[0].to_lowercase().as_str()) {
        data.remove(0); // There's a dayname here. Skip it
    } else if let Some(i) = data[0].rfind(',') {
        data[0] = data[0][i + 1..].to_string();
    }
    if data.len() == 3 {
        // RFC 850 date, deprecated
        let stuff: Vec<String> = data[0].split('-').map(str::to_string).collect();
        if stuff.len() == 3 {
            data = stuff.into_iter().chain(data[1..].iter().cloned()).collect();
        }
    }
    if data.len() == 4 {
        let s = data[3].clone();
        let i = s.find('+').or_else(|| s.find('-'));
        match i {
            Some(i) if i > 0 => {
                data.truncate(3);
                data.push(s[..i].to_string());
                data.push(s[i..].to_string());
            }
            _ => data.push(String::new()), // Dummy tz
        }
    }
    if data.len() < 5 {
        return None;
    }
    data.truncate(5);
    let [mut dd, mut mm, mut yy, mut tm, mut tz]: [String; 5] = data.try_into().ok()?;
    if dd.is_empty() || mm.is_empty() || yy.is_empty() {
        return None;
    }
    mm = mm.to_lowercase();
    if !MONTHNAMES.contains(&mm.as_str()) {
        (dd, mm) = (mm, dd.to_lowercase());
        if !MONTHNAMES.contains(&mm.as_str()) {
            return None;
        }
    }
    let mut month = MONTHNAMES.iter().position(|m| *m == mm)? as i64 + 1;
    if month > 12 {
        month -= 12;
    }
    if dd.ends_with(',') {
        dd.pop();
    }
    if yy.find(':').is_some_and(|i| i > 0) {
        (yy, tm) = (tm, yy);
    }
    if yy.ends_with(',') {
        yy.pop();
        if yy.is_empty() {
            return None;
        }
    }
    if !yy.chars().next().is_some_and(is_python_digit) {
        (yy, tz) = (tz, yy);
    }
    if tm.ends_with(',') {
        tm.pop();
    }
    let mut parts: Vec<&str> = tm.split(':').collect();
    if parts.len() == 1 && parts[0].contains('.') {
        // Some non-compliant MUAs use '.' to separate time elements.
        parts = parts[0].split('.').collect();
    }
    let (thh, tmm, tss) = match parts[..] {
        [thh, tmm] => (thh, tmm, "0"),
        [thh, tmm, tss] => (thh, tmm, tss),
        _ => return None,
    };
    let mut year = python_int(&yy)?;
    let day = python_int(&dd)?;
    let (hour, minute, second) = (python_int(thh)?, python_int(tmm)?, python_int(tss)?);
    // Check for a yy specified in two-digit format, then convert it to the
    // appropriate four-digit format, according to the POSIX standard.
    if year < 100 {
        year += if year > 68 { 1900 } else { 2000 };
    }
    let tz = tz.to_uppercase();
    let mut tzoffset = match TIMEZONES.iter().find(|(name, _)| *name == tz) {
        Some(&(_, offset)) => Some(offset),
        None => python_int(&tz),
    };
    if tzoffset == Some(0) && tz.starts_with('-') {
        tzoffset = None;
    }
    // Convert a timezone offset into seconds ; -0500 -> -18000
    let tzoffset = tzoffset.map(|offset| {
        let sign = if offset < 0 { -1 } else { 1 };
        let offset = offset.abs();
        sign * ((offset / 100) * 3600 + (offset % 100) * 60)
    });
    Some(([year, month, day, hour, minute, second], tzoffset))
}
// ANCHOR_END: parsedate_tz

/// Python: `email.utils.parsedate_to_datetime(data)`; `None` where Python raises
/// (`ValueError` for a bad format or out-of-range fields).
pub fn parsedate_to_datetime(data: &str) -> Option<ParsedDate> {
    let (fields, tzoffset) = parsedate_tz(data)?;
    let [year, month, day, hour, minute, second] = fields;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let valid = (1..=9999).contains(&year)
        && (1..=days_in_month[month as usize - 1]).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..60).contains(&second)
        // datetime.timezone() refuses offsets of a day or more
        && tzoffset.is_none_or(|o| o.abs() < 86400);
    valid.then_some(ParsedDate { fields, tzoffset })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_http_formats() {
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let parsed = parsedate_to_datetime(date).unwrap();
            assert_eq!(parsed.timestamp_as_utc(), 784_111_777, "{date}");
        }
        assert_eq!(
            parsedate_to_datetime("Sun, 06 Nov 1994 08:49:37 +0100")
                .unwrap()
                .tzoffset,
            Some(3600)
        );
        assert_eq!(
            parsedate_to_datetime("06 Nov 1994 08:49:37 -0000")
                .unwrap()
                .tzoffset,
            None
        );
        assert_eq!(parsedate_to_datetime("Sun, 31 Feb 1994 08:49:37 GMT"), None);
        assert_eq!(parsedate_to_datetime("garbage"), None);
    }
}
