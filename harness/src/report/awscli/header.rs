//! The script's header: the shebang, the scenario's name and description as comments, and how
//! to run it (`bash/header.sh`: the accounts, the environment, the exit status).

use super::Gen;
use std::fmt::Write as _;

/// The header's usage text; `{steps}`, `{accounts}`, `{example}` and `{email}` are filled in.
const USAGE: &str = include_str!("bash/header.sh");

/// Text for a `#` comment: one line, no control characters.
pub(super) fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `template` with each `{name}` of `values` replaced by its value, in one pass (a value is
/// never searched for names); any other `{…}` stays as it is.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let hit = values.iter().find(|(name, _)| {
            rest[1..]
                .strip_prefix(name)
                .is_some_and(|r| r.starts_with('}'))
        });
        match hit {
            Some((name, value)) => {
                out.push_str(value);
                rest = &rest[name.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Gen<'_> {
    pub(super) fn header(&mut self) {
        let sc = self.sc;
        let accts: Vec<&str> = self
            .principals
            .accounts
            .iter()
            .map(String::as_str)
            .collect();
        let mut h = String::from("#!/usr/bin/env bash\n");
        writeln!(
            h,
            "# xacct reproduction of scenario {}",
            comment_safe(&sc.name)
        )
        .ok();
        if let Some(d) = &sc.description {
            for l in wrap(&comment_safe(d), 92) {
                writeln!(h, "#   {l}").ok();
            }
        }
        let example: String = accts
            .iter()
            .map(|a| format!("XACCT_PROFILE_{a}=<profile> "))
            .collect();
        let accounts = if accts.is_empty() {
            "no account".to_string()
        } else {
            accts.join(", ")
        };
        let email = if self.uses_email() {
            "\n#   XACCT_EMAIL_<ACCOUNT>         the e-mail address ${A.email} stands for (needed here)"
        } else {
            ""
        };
        h.push_str(&fill(
            USAGE,
            &[
                ("steps", &sc.steps.len().to_string()),
                ("accounts", &accounts),
                ("example", &example),
                ("email", email),
            ],
        ));
        self.out.push_str(&h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_markers_once() {
        let got = fill("{a} ${A} {b}{c} {", &[("a", "{b}"), ("b", "x"), ("c", "")]);
        assert_eq!(got, "{b} ${A} x {");
    }

    #[test]
    fn descriptions_wrap_and_stay_on_comment_lines() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(comment_safe("a\nb\tc"), "a b c");
    }
}
