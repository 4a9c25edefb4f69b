//! Shell quoting for the script: scenario strings split into literal text and the shell
//! variables that stand for placeholders, admins' ARNs and the bucket prefix; then written as
//! one shell word, or as the text of an unquoted heredoc.

use std::fmt::Write as _;
use xacct_model::world::AccountName;

/// The shell variable prefixing every real bucket name.
pub(super) const PREFIX_VAR: &str = "XACCT_BUCKET_PREFIX";

/// A piece of a string from the scenario: literal text, or a shell variable standing for a
/// placeholder (`${A}` → `ACCT_A`), the admin's ARN, or the bucket prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(String),
    Var(String),
}

fn push_lit(p: &mut Vec<Piece>, s: &str) {
    if let Some(Piece::Lit(l)) = p.last_mut() {
        l.push_str(s);
    } else {
        p.push(Piece::Lit(s.to_string()));
    }
}

/// The shell variable of an account placeholder's inside (`A`, `A.canonical`, `A.email`), as
/// the model recognises them; `None` for anything else (policy variables).
fn placeholder_var(inner: &str) -> Option<String> {
    let (name, field) = inner.split_once('.').unwrap_or((inner, "id"));
    if !AccountName::is_valid(name) {
        return None;
    }
    let var = match field {
        "id" => "ACCT",
        "canonical" => "CANON",
        "email" => "EMAIL",
        _ => return None,
    };
    Some(format!("{var}_{name}"))
}

/// `arn:aws:iam::${A}:user/admin` (not followed by more of a name or path) at the start of
/// `s`: the ARN of the account's admin, which here is whoever the account's profile is.
fn admin_arn(s: &str) -> Option<(String, usize)> {
    let rest = s.strip_prefix("arn:aws:iam::${")?;
    let j = rest.find('}')?;
    let name = &rest[..j];
    if !AccountName::is_valid(name) {
        return None;
    }
    let after = rest[j + 1..].strip_prefix(":user/admin")?;
    let bounded = after
        .chars()
        .next()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || "+=.@_-/,".contains(c)));
    bounded.then(|| (format!("ADMIN_ARN_{name}"), s.len() - after.len()))
}

/// Where a bucket name inside an S3 ARN ends (mirrors `mapping::replace_bounded`).
fn bucket_bounded(after: &str) -> bool {
    after.is_empty() || after.starts_with(['/', '*', '?', '"'])
}

/// Splits a scenario string into literal text and shell variables: account placeholders, the
/// admins' ARNs, and the run's prefix before logical buckets in `arn:aws:s3:::` ARNs.
/// `buckets` is longest first. Placeholders are found as the model finds them: from `${` to
/// the next `}`.
pub(super) fn template(s: &str, buckets: &[String]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if let Some((var, len)) = admin_arn(rest) {
            out.push(Piece::Var(var));
            i += len;
            continue;
        }
        if let Some(after) = rest.strip_prefix("${") {
            match after.find('}') {
                Some(j) => {
                    match placeholder_var(&after[..j]) {
                        Some(v) => out.push(Piece::Var(v)),
                        None => push_lit(&mut out, &rest[..j + 3]),
                    }
                    i += j + 3;
                }
                None => {
                    push_lit(&mut out, rest);
                    i = s.len();
                }
            }
            continue;
        }
        const S3: &str = "arn:aws:s3:::";
        if let Some(after) = rest.strip_prefix(S3) {
            if let Some(b) = buckets
                .iter()
                .find(|b| after.starts_with(b.as_str()) && bucket_bounded(&after[b.len()..]))
            {
                push_lit(&mut out, S3);
                out.push(Piece::Var(PREFIX_VAR.into()));
                push_lit(&mut out, b);
                i += S3.len() + b.len();
                continue;
            }
        }
        let Some(ch) = rest.chars().next() else { break };
        push_lit(&mut out, ch.encode_utf8(&mut [0; 4]));
        i += ch.len_utf8();
    }
    out
}

/// One shell word holding exactly `s`, always single-quoted (case patterns).
pub(super) fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One shell word holding exactly `s`.
pub(super) fn sq(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        q(s)
    }
}

/// One shell word: literal pieces single-quoted, variables double-quoted.
pub(super) fn word(p: &[Piece]) -> String {
    let mut w = String::new();
    for x in p {
        match x {
            Piece::Lit(l) if l.is_empty() => {}
            Piece::Lit(l) => w.push_str(&sq(l)),
            Piece::Var(v) => write!(w, "\"${{{v}}}\"").unwrap_or_default(),
        }
    }
    if w.is_empty() {
        "''".into()
    } else {
        w
    }
}

/// The text of an unquoted heredoc that expands to the pieces: `\`, `$` and `` ` `` escaped
/// in literals.
pub(super) fn heredoc_text(p: &[Piece]) -> String {
    let mut t = String::new();
    for x in p {
        match x {
            Piece::Lit(l) => {
                for c in l.chars() {
                    if matches!(c, '\\' | '$' | '`') {
                        t.push('\\');
                    }
                    t.push(c);
                }
            }
            Piece::Var(v) => write!(t, "${{{v}}}").unwrap_or_default(),
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_bare_and_others_are_single_quoted() {
        assert_eq!(sq("it's"), r"'it'\''s'");
        assert_eq!(sq("$x"), "'$x'");
        assert_eq!(sq("plain-key.txt"), "plain-key.txt");
        assert_eq!(sq(""), "''");
    }

    #[test]
    fn templates_mirror_the_mapping() {
        let b = vec!["b10".to_string(), "b1".to_string()];
        let t = |s: &str| heredoc_text(&template(s, &b));
        assert_eq!(
            t("arn:aws:s3:::b1/*"),
            "arn:aws:s3:::${XACCT_BUCKET_PREFIX}b1/*"
        );
        assert_eq!(
            t("arn:aws:s3:::b10"),
            "arn:aws:s3:::${XACCT_BUCKET_PREFIX}b10"
        );
        assert_eq!(t("arn:aws:s3:::b100"), "arn:aws:s3:::b100");
        assert_eq!(t("id=${B.canonical}"), "id=${CANON_B}");
        assert_eq!(t("${A.email}"), "${EMAIL_A}");
        assert_eq!(t("arn:aws:iam::${A}:user/admin"), "${ADMIN_ARN_A}");
        assert_eq!(
            t("arn:aws:iam::${A}:user/admins"),
            "arn:aws:iam::${ACCT_A}:user/admins"
        );
        assert_eq!(
            t("${aws:username} ${x.y} ${A.other}"),
            r"\${aws:username} \${x.y} \${A.other}"
        );
        assert_eq!(t("${unterminated"), r"\${unterminated");
        assert_eq!(t("a`b\\c"), r"a\`b\\c");
    }
}
