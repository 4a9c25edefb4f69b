//! The files of one divergence, `divergences/<id>.{json,sh,md}`: the shrunk scenario
//! (replayable), the AWS CLI script that reproduces it and its explanation; and their names.

use crate::hunt::findings::Divergence;
use std::io;
use std::path::{Path, PathBuf};

/// A divergence id as a file name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
pub(crate) fn file_stem(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("d{s}")
    } else {
        s
    }
}

/// `divergences/<id>.<ext>`, relative to the output directory.
pub fn divergence_file(id: &str, ext: &str) -> PathBuf {
    Path::new("divergences").join(format!("{}.{ext}", file_stem(id)))
}

/// `divergences/<id>.{json,sh,md}`, for summaries.
pub(crate) fn files_of(id: &str) -> String {
    format!("divergences/{}.{{json,sh,md}}", file_stem(id))
}

/// Writes `<dir>/divergences/<id>.json` (the shrunk scenario), `<id>.sh` (an AWS CLI
/// reproduction, executable) and `<id>.md` (the explanation).
pub fn write_divergence(dir: &Path, d: &Divergence) -> io::Result<()> {
    std::fs::create_dir_all(dir.join("divergences"))?;
    let mut json = d.scenario.to_json_pretty();
    json.push('\n');
    std::fs::write(dir.join(divergence_file(&d.id, "json")), json)?;
    let sh = dir.join(divergence_file(&d.id, "sh"));
    std::fs::write(&sh, super::awscli::script(&d.scenario))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sh, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::write(
        dir.join(divergence_file(&d.id, "md")),
        super::markdown::divergence_markdown(d),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{divergence, tmpdir};
    use super::*;
    use crate::compare::Class;
    use xacct_model::Scenario;

    #[test]
    fn writes_the_files_of_a_divergence() {
        let dir = tmpdir("div");
        let d = divergence(
            "d01-over-permissive-put_object",
            Class::OverPermissive,
            true,
        );
        write_divergence(&dir, &d).expect("write");
        let base = dir.join("divergences");
        let json = std::fs::read_to_string(base.join("d01-over-permissive-put_object.json"))
            .expect("json");
        let back = Scenario::from_json_str(&json, "back").expect("parses back");
        assert_eq!(back, d.scenario);
        let sh = base.join("d01-over-permissive-put_object.sh");
        let script = std::fs::read_to_string(&sh).expect("sh");
        assert!(script.starts_with("#!/usr/bin/env bash"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&sh).expect("meta").permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
        }
        let md =
            std::fs::read_to_string(base.join("d01-over-permissive-put_object.md")).expect("md");
        assert!(md.contains(&d.signature.key()), "{md}");
        assert!(md.contains("over-permissive"));
        assert!(md.contains("[R22] the bucket owner A grants nothing to B"));
        assert!(md.contains("HTTP/1.1 200 OK"));
        assert!(md.contains("2 steps, from 17"));
        assert!(md.contains("confirmed | yes"));
        assert!(
            md.contains("````text"),
            "a fence longer than the raw answer's: {md}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
