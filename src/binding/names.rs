//! Mistakes in the shape of options, worded: a key that is no option, with the closest name
//! that is (a typo must not run with defaults), and an object where a plain one is expected
//! (a `Map`'s entries are not its keys).

use super::error::{JsError, invalid_options};
use super::limits::LIMIT_NAMES;
use super::options::{OPTION_NAMES, PROGRAM_OPTION_NAMES};

/// Names that another place takes, with the prefix that reaches them from here.
type Elsewhere<'a> = &'a [(&'a str, &'a [&'a str])];

/// `key` is no option of `place`: `options` (a run's), `limits` (`options.limits`) or `program`
/// (the options of `new Program`).
pub fn unknown(place: &str, key: &str) -> JsError {
    let (within, names, elsewhere): (&str, &[&str], Elsewhere) = match place {
        "limits" => (
            "options.limits",
            &LIMIT_NAMES,
            &[("options.", &OPTION_NAMES)],
        ),
        "program" => ("the options of a Program", &PROGRAM_OPTION_NAMES, &[]),
        _ => ("options", &OPTION_NAMES, &[("limits.", &LIMIT_NAMES)]),
    };
    let guess = closest(key, names).map(str::to_owned).or_else(|| {
        elsewhere
            .iter()
            .find_map(|(prefix, names)| closest(key, names).map(|name| format!("{prefix}{name}")))
    });
    let hint = match guess {
        Some(name) => format!("; did you mean `{name}`?"),
        None => format!("; the options are {}", list(names)),
    };
    invalid_options(format!(
        "unknown option `{}` in {within}{hint}",
        printable(key)
    ))
}

/// `options` (`place` ""), or `options.<place>`, is an object whose `Object.prototype.toString`
/// tag is `tag` (`[object Map]`), not a plain object.
pub fn not_plain(place: &str, tag: &str) -> JsError {
    let what = if place.is_empty() {
        "options".to_owned()
    } else {
        format!("options.{place}")
    };
    let kind = tag
        .strip_prefix("[object ")
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(tag);
    let hint = if kind == "Map" {
        " (for a Map, pass Object.fromEntries(map))"
    } else {
        ""
    };
    invalid_options(format!("{what} must be a plain object, got a {kind}{hint}"))
}

/// The name in `names` that `key` most likely meant: the same but for case, a few letters
/// apart, or the start of it (`timeout` for `timeoutMs`).
fn closest<'n>(key: &str, names: &[&'n str]) -> Option<&'n str> {
    let key = key.to_lowercase();
    let allowed = (key.chars().count() / 3).max(2);
    names
        .iter()
        .map(|name| {
            let lower = name.to_lowercase();
            let distance = if key.len() >= 3 && lower.starts_with(&key) {
                1
            } else {
                edit_distance(&key, &lower)
            };
            (distance, *name)
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// The Levenshtein distance of `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `names` as `` `a`, `b` and `c` ``.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// `key` as a message shows it: control characters and lone surrogates escaped.
fn printable(key: &str) -> String {
    key.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
