//! A run's outputs: per divergence, the minimal scenario
//! (`divergences/<id>.json`, replayable), an AWS CLI script reproducing it without xacct
//! (`<id>.sh`) and a human explanation (`<id>.md`); per run, a text summary, a Markdown summary,
//! JUnit XML and a JSON-lines event log.
//!
//! Paths in summaries are relative to the output directory.

pub mod awscli;
pub mod tables;

use crate::compare::{Class, Observed};
use crate::hunt::findings::{Divergence, Event, RunSummary};
use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The four classes that count as divergences, most serious first.
const CLASSES: [Class; 4] = [
    Class::OverPermissive,
    Class::OverRestrictive,
    Class::WrongError,
    Class::WrongState,
];

fn class_meaning(c: Class) -> &'static str {
    match c {
        Class::OverPermissive => "the target allows what AWS denies (a security bug)",
        Class::OverRestrictive => "the target denies what AWS allows (a compatibility bug)",
        Class::WrongError => "both refuse, with a different status or error code",
        Class::WrongState => "both succeed, but what the target shows differs",
        Class::Unsupported => "the target lacks the API or a capability (never a divergence)",
        Class::EndpointFault => "the endpoint failed: timeout, reset or 5xx (never a divergence)",
    }
}

/// A divergence id as a file name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
fn file_stem(id: &str) -> String {
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
fn files_of(id: &str) -> String {
    format!("divergences/{}.{{json,sh,md}}", file_stem(id))
}

fn millis(ms: u128) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

fn steps_per_s(s: &RunSummary) -> String {
    if s.elapsed_ms == 0 {
        "-".into()
    } else {
        format!("{:.1}", s.steps as f64 * 1000.0 / s.elapsed_ms as f64)
    }
}

/// The target's answer as received: its raw text where there is one.
fn target_raw(o: &Observed) -> String {
    match o {
        Observed::Answer { outcome, raw } if raw.is_empty() => outcome.to_string(),
        Observed::Answer { raw, .. } => raw.clone(),
        other => other.to_string(),
    }
}

/// A fenced Markdown code block that `text` cannot close early.
fn fenced(text: &str, lang: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// Text for one Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Code in a table cell.
fn code_cell(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = cell(s).replace('`', "'");
    format!("`{s}`")
}

/// Whether a divergence did not reproduce: `flaky` lists ids or signature keys.
fn is_flaky(s: &RunSummary, d: &Divergence) -> bool {
    let key = d.signature.key();
    !d.confirmed || s.flaky.iter().any(|f| *f == d.id || *f == key)
}

fn is_known(s: &RunSummary, d: &Divergence) -> bool {
    s.known.contains(&d.signature.key())
}

/// The explanation of one divergence, as Markdown.
pub fn divergence_markdown(d: &Divergence) -> String {
    let mut m = String::new();
    let sig = &d.signature;
    let total = d.scenario.steps.len();
    let step = d.step.checked_sub(1).and_then(|i| d.scenario.steps.get(i));
    writeln!(m, "# Divergence {}\n", d.id).ok();
    writeln!(
        m,
        "**{}**: {}. Step {} of {} (`{}`) of the shrunk scenario.\n",
        sig.class,
        class_meaning(sig.class),
        d.step,
        total,
        sig.op
    )
    .ok();
    m.push_str("Signature:\n\n");
    m.push_str(&fenced(&sig.key(), "text"));
    m.push('\n');
    m.push_str("| | |\n|---|---|\n");
    let rows = [
        (
            "classification",
            format!("**{}**: {}", sig.class, class_meaning(sig.class)),
        ),
        ("model (AWS's rules)", code_cell(&d.model.to_string())),
        ("target", code_cell(&d.target.to_string())),
        ("deciding rule", code_cell(&sig.rule)),
        ("difference", cell(&d.detail)),
        (
            "shrunk",
            format!("{} steps, from {}", d.shrunk_steps, d.original_steps),
        ),
        (
            "confirmed",
            if d.confirmed {
                "yes: the shrunk scenario was replayed again and diverged the same way".into()
            } else {
                "**no (flaky)**: the shrunk scenario did not diverge the same way when replayed"
                    .into()
            },
        ),
        (
            "found",
            format!("case {}, after {}", d.case, millis(d.found_after_ms)),
        ),
    ];
    for (k, v) in rows {
        writeln!(m, "| {k} | {v} |").ok();
    }
    if let Some(st) = step {
        m.push_str("\n## The diverging step\n\n");
        m.push_str(&fenced(
            &serde_json::to_string_pretty(st).unwrap_or_default(),
            "json",
        ));
    }
    m.push_str("\n## Why the model decided so\n\n");
    if d.explanation.is_empty() {
        m.push_str("(no explanation recorded)\n");
    }
    for l in &d.explanation {
        writeln!(m, "- {}", l.replace('\n', " ")).ok();
    }
    m.push_str("\n## What the target answered\n\n");
    m.push_str(&fenced(&target_raw(&d.target), "text"));
    let stem = file_stem(&d.id);
    writeln!(
        m,
        "\n## Reproduce\n\n\
         - With xacct: `xacct replay {stem}.json --target <target>` (the last step's `expect` is the \
         model's answer), or `xacct explain {stem}.json` for the model's reasons at each step.\n\
         - Without xacct, with the AWS CLI v2 and one profile per account: \
         `XACCT_PROFILE_A=<profile> … bash {stem}.sh` (see the script's header).\n"
    )
    .ok();
    m.push_str("## The scenario\n\n");
    if let Some(desc) = &d.scenario.description {
        writeln!(m, "{desc}\n").ok();
    }
    m.push_str("| step | as | op | expect |\n|---|---|---|---|\n");
    for (i, st) in d.scenario.steps.iter().enumerate() {
        let expect = st
            .expect
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_default();
        let mark = if i + 1 == d.step { " ⟵ diverges" } else { "" };
        writeln!(
            m,
            "| {}{mark} | {} | `{}` | {} |",
            i + 1,
            cell(&st.as_),
            st.op.name(),
            code_cell(&expect)
        )
        .ok();
    }
    m
}

/// Writes `<dir>/divergences/<id>.json` (the shrunk scenario), `<id>.sh` (an AWS CLI
/// reproduction, executable) and `<id>.md` (the explanation).
pub fn write_divergence(dir: &Path, d: &Divergence) -> io::Result<()> {
    std::fs::create_dir_all(dir.join("divergences"))?;
    let mut json = d.scenario.to_json_pretty();
    json.push('\n');
    std::fs::write(dir.join(divergence_file(&d.id, "json")), json)?;
    let sh = dir.join(divergence_file(&d.id, "sh"));
    std::fs::write(&sh, crate::report::awscli::script(&d.scenario))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sh, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::write(
        dir.join(divergence_file(&d.id, "md")),
        divergence_markdown(d),
    )?;
    Ok(())
}

/// A report file that could not be written, with its path.
#[derive(Debug, thiserror::Error)]
#[error("writing {path}: {source}")]
pub struct ReportError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> ReportError + '_ {
    move |source| ReportError {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a run's files into `dir`: `divergences/` afresh (each divergence's `.json`, `.sh`
/// and `.md`), `summary.txt`, `summary.md` and `summary.json`; and JUnit XML at `junit` when
/// asked for.
pub fn write_run(dir: &Path, s: &RunSummary, junit_xml: Option<&Path>) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    let divergences = dir.join("divergences");
    match std::fs::remove_dir_all(&divergences) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(at(&divergences)(e)),
        _ => {}
    }
    for d in &s.divergences {
        write_divergence(dir, d).map_err(at(&dir.join(divergence_file(&d.id, "json"))))?;
    }
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(at(&path))
    };
    write("summary.txt", summary_text(s))?;
    write("summary.md", summary_markdown(s))?;
    let json =
        serde_json::to_string_pretty(s).map_err(|e| at(&dir.join("summary.json"))(e.into()))?;
    write("summary.json", json + "\n")?;
    if let Some(path) = junit_xml {
        std::fs::write(path, junit(s)).map_err(at(path))?;
    }
    Ok(())
}

/// Divergences grouped by class, most serious first (then any other class), each group by id.
fn by_class(s: &RunSummary) -> Vec<(Class, Vec<&Divergence>)> {
    let mut groups: BTreeMap<Class, Vec<&Divergence>> = BTreeMap::new();
    for c in CLASSES {
        groups.insert(c, Vec::new());
    }
    for d in &s.divergences {
        groups.entry(d.signature.class).or_default().push(d);
    }
    groups
        .into_iter()
        .map(|(c, mut v)| {
            v.sort_by(|a, b| a.id.cmp(&b.id));
            (c, v)
        })
        .collect()
}

/// The run, for a terminal: divergences by class (over-permissive first), baseline
/// signatures, unsupported steps and faults, then the totals.
pub fn summary_text(s: &RunSummary) -> String {
    let mut t = String::new();
    let groups = by_class(s);
    writeln!(
        t,
        "xacct run against {} (seed {}): {} divergence{}",
        s.target,
        s.seed,
        s.divergences.len(),
        if s.divergences.len() == 1 { "" } else { "s" }
    )
    .ok();
    let counts: Vec<String> = groups
        .iter()
        .map(|(c, v)| format!("{c} {}", v.len()))
        .collect();
    writeln!(t, "  {}", counts.join(", ")).ok();
    for (c, v) in &groups {
        if v.is_empty() {
            continue;
        }
        writeln!(t, "\n{c} ({}): {}", v.len(), class_meaning(*c)).ok();
        for d in v {
            writeln!(t, "  {}  {}", d.id, d.signature.key()).ok();
            writeln!(
                t,
                "      {} steps (from {}){}; {}",
                d.shrunk_steps,
                d.original_steps,
                match (is_flaky(s, d), is_known(s, d)) {
                    (true, _) => ", FLAKY",
                    (false, true) => ", confirmed, known (in the baseline)",
                    (false, false) => ", confirmed",
                },
                files_of(&d.id)
            )
            .ok();
        }
    }
    if !s.known.is_empty() {
        writeln!(
            t,
            "\nknown divergences (in the baseline), seen again ({}):",
            s.known.len()
        )
        .ok();
        for k in &s.known {
            writeln!(t, "  {k}").ok();
        }
    }
    if !s.not_seen.is_empty() {
        writeln!(
            t,
            "\nbaseline divergences not seen in this run ({}):",
            s.not_seen.len()
        )
        .ok();
        for k in &s.not_seen {
            writeln!(t, "  {k}").ok();
        }
    }
    if !s.flaky.is_empty() {
        writeln!(
            t,
            "\nflaky: seen once, but the shrunk scenario did not diverge the same way ({}):",
            s.flaky.len()
        )
        .ok();
        for k in &s.flaky {
            writeln!(t, "  {k}").ok();
        }
    }
    writeln!(
        t,
        "\nunsupported steps: {}; endpoint faults: {}",
        s.unsupported, s.faults
    )
    .ok();
    writeln!(
        t,
        "cases: {}; steps: {}; {} steps/s; elapsed {}",
        s.cases,
        s.steps,
        steps_per_s(s),
        millis(s.elapsed_ms)
    )
    .ok();
    t
}

/// The run as a Markdown document: totals, a table per class, the divergences by deciding
/// rule, and the baseline's signatures.
pub fn summary_markdown(s: &RunSummary) -> String {
    let mut m = String::new();
    let groups = by_class(s);
    writeln!(m, "# xacct run against {}\n", cell(&s.target)).ok();
    m.push_str("| | |\n|---|---|\n");
    for (k, v) in [
        ("target", cell(&s.target)),
        ("seed", s.seed.to_string()),
        ("cases", s.cases.to_string()),
        ("steps", s.steps.to_string()),
        ("steps/s", steps_per_s(s)),
        ("elapsed", millis(s.elapsed_ms)),
        ("divergences", s.divergences.len().to_string()),
        ("known (baselined), seen again", s.known.len().to_string()),
        ("baseline signatures not seen", s.not_seen.len().to_string()),
        ("flaky", s.flaky.len().to_string()),
        ("unsupported steps", s.unsupported.to_string()),
        ("endpoint faults", s.faults.to_string()),
    ] {
        writeln!(m, "| {k} | {v} |").ok();
    }
    m.push_str("\n## Divergences by class\n\n| class | count | meaning |\n|---|---|---|\n");
    for (c, v) in &groups {
        writeln!(m, "| {c} | {} | {} |", v.len(), class_meaning(*c)).ok();
    }
    for (c, v) in &groups {
        if v.is_empty() {
            continue;
        }
        writeln!(m, "\n## {c} ({})\n", v.len()).ok();
        m.push_str(
            "| id | op | model | target | rule | steps (shrunk / original) | confirmed | files |\n\
             |---|---|---|---|---|---|---|---|\n",
        );
        for d in v {
            let sig = &d.signature;
            writeln!(
                m,
                "| {} | `{}` | {} | {} | {} | {} / {} | {} | [json]({}) [sh]({}) [md]({}) |",
                cell(&d.id),
                cell(&sig.op),
                code_cell(&sig.model),
                code_cell(&sig.target),
                code_cell(&sig.rule),
                d.shrunk_steps,
                d.original_steps,
                if is_flaky(s, d) { "**flaky**" } else { "yes" },
                divergence_file(&d.id, "json").display(),
                divergence_file(&d.id, "sh").display(),
                divergence_file(&d.id, "md").display(),
            )
            .ok();
        }
    }
    if !s.divergences.is_empty() {
        // The conformance table: deciding rule × class.
        let mut rules: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        for d in &s.divergences {
            if let Some(i) = CLASSES.iter().position(|c| *c == d.signature.class) {
                rules.entry(d.signature.rule.as_str()).or_default()[i] += 1;
            }
        }
        m.push_str("\n## Divergences by deciding rule\n\n| rule |");
        for c in CLASSES {
            write!(m, " {c} |").ok();
        }
        m.push_str("\n|---|---|---|---|---|\n");
        for (r, n) in rules {
            writeln!(
                m,
                "| {} | {} | {} | {} | {} |",
                code_cell(r),
                n[0],
                n[1],
                n[2],
                n[3]
            )
            .ok();
        }
    }
    if !s.known.is_empty() {
        m.push_str("\n## Known divergences (in the baseline), seen again\n\n");
        for k in &s.known {
            writeln!(m, "- `{}`", k.replace('`', "'")).ok();
        }
    }
    if !s.not_seen.is_empty() {
        m.push_str("\n## Baseline divergences not seen in this run\n\n");
        for k in &s.not_seen {
            writeln!(m, "- `{}`", k.replace('`', "'")).ok();
        }
    }
    if !s.flaky.is_empty() {
        m.push_str(
            "\n## Flaky\n\nSeen once, but the shrunk scenario did not diverge the same way when \
             replayed:\n\n",
        );
        for k in &s.flaky {
            writeln!(m, "- `{}`", k.replace('`', "'")).ok();
        }
    }
    m
}

/// JUnit XML: one suite `xacct-<target>`; a failing case per distinct new divergence signature,
/// a passing case per known (baselined) one, and a passing case for the cases run.
pub fn junit(s: &RunSummary) -> String {
    let mut suite = TestSuite::new(format!("xacct-{}", s.target));
    suite.set_time(Duration::from_millis(
        u64::try_from(s.elapsed_ms).unwrap_or(u64::MAX),
    ));
    suite.add_properties([
        Property::new("seed", s.seed.to_string()),
        Property::new("cases", s.cases.to_string()),
        Property::new("steps", s.steps.to_string()),
        Property::new("unsupported", s.unsupported.to_string()),
        Property::new("faults", s.faults.to_string()),
    ]);
    let known: BTreeSet<&str> = s.known.iter().map(String::as_str).collect();
    // One case per signature: its first divergence (by id) stands for it.
    let mut firsts: BTreeMap<String, (&Divergence, usize)> = BTreeMap::new();
    let mut ordered: Vec<&Divergence> = s.divergences.iter().collect();
    ordered.sort_by(|a, b| (a.signature.class, &a.id).cmp(&(b.signature.class, &b.id)));
    for d in ordered {
        firsts
            .entry(d.signature.key())
            .and_modify(|e| e.1 += 1)
            .or_insert((d, 1));
    }
    let mut sigs: Vec<(String, &Divergence, usize)> =
        firsts.into_iter().map(|(k, (d, n))| (k, d, n)).collect();
    sigs.sort_by(|a, b| (a.1.signature.class, &a.0).cmp(&(b.1.signature.class, &b.0)));
    for (key, d, n) in &sigs {
        let path = divergence_file(&d.id, "json");
        if known.contains(key.as_str()) {
            let mut tc = TestCase::new(key.clone(), TestCaseStatus::success());
            tc.set_classname(format!("xacct.{}", d.signature.class));
            tc.set_system_out(format!(
                "known divergence: listed in the baseline; seen again ({n}x), e.g. {}",
                path.display()
            ));
            suite.add_test_case(tc);
            continue;
        }
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let flaky = if is_flaky(s, d) {
            " (flaky: the shrunk scenario did not reproduce)"
        } else {
            ""
        };
        status
            .set_message(format!("{key}{flaky}; shrunk scenario: {}", path.display()))
            .set_type(d.signature.class.as_str());
        let mut desc = format!(
            "{} at step {} of {} ({} steps before shrinking); divergences with this signature: {}.\n\
             model: {}\ntarget: {}\n{}\n",
            d.signature.class,
            d.step,
            d.shrunk_steps,
            d.original_steps,
            n,
            d.model,
            d.target,
            d.detail
        );
        for l in &d.explanation {
            writeln!(desc, "{l}").ok();
        }
        status.set_description(desc);
        let mut tc = TestCase::new(key.clone(), status);
        tc.set_classname(format!("xacct.{}", d.signature.class));
        tc.set_system_out(target_raw(&d.target));
        suite.add_test_case(tc);
    }
    let mut seen: BTreeSet<&str> = sigs.iter().map(|(k, _, _)| k.as_str()).collect();
    for k in &s.known {
        if !seen.insert(k.as_str()) {
            continue;
        }
        let mut tc = TestCase::new(k.clone(), TestCaseStatus::success());
        tc.set_classname("xacct.known");
        tc.set_system_out("known divergence: listed in the baseline and seen again");
        suite.add_test_case(tc);
    }
    // Signatures seen once whose shrunk scenario did not reproduce: JUnit's flaky failures.
    for k in &s.flaky {
        if s.divergences.iter().any(|d| d.id == *k) || !seen.insert(k.as_str()) {
            continue;
        }
        let mut status = TestCaseStatus::success();
        let mut rerun = TestRerun::new(NonSuccessKind::Failure);
        rerun.set_message(format!(
            "{k}: seen once, but the shrunk scenario did not diverge the same way when replayed"
        ));
        status.add_rerun(rerun);
        let mut tc = TestCase::new(k.clone(), status);
        tc.set_classname("xacct.flaky");
        suite.add_test_case(tc);
    }
    let mut cases = TestCase::new(
        format!("{} cases, {} steps", s.cases, s.steps),
        TestCaseStatus::success(),
    );
    cases.set_classname("xacct.run");
    cases.set_time(Duration::from_millis(
        u64::try_from(s.elapsed_ms).unwrap_or(u64::MAX),
    ));
    let mut out = format!(
        "{} cases, {} steps, {} steps/s; {} unsupported steps, {} endpoint faults",
        s.cases,
        s.steps,
        steps_per_s(s),
        s.unsupported,
        s.faults
    );
    if !s.not_seen.is_empty() {
        write!(
            out,
            "\nbaseline divergences not seen: {}",
            s.not_seen.join("; ")
        )
        .ok();
    }
    cases.set_system_out(out);
    suite.add_test_case(cases);
    let mut report = Report::new("xacct");
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- xacct: JUnit serialization failed: {e} -->\n"))
}

/// The JSON-lines event log: one JSON object per line, flushed as it is written. A write
/// error stops the log (a run does not fail for it); [`EventLog::take_error`] reports it.
pub struct EventLog<W: Write = std::fs::File> {
    out: W,
    error: Option<io::Error>,
}

impl EventLog<std::fs::File> {
    /// Creates (or truncates) the log file.
    pub fn create(path: &Path) -> io::Result<EventLog<std::fs::File>> {
        Ok(EventLog::new(std::fs::File::create(path)?))
    }
}

impl<W: Write> EventLog<W> {
    pub fn new(out: W) -> EventLog<W> {
        EventLog { out, error: None }
    }

    /// Writes one event as a line of JSON and flushes it.
    pub fn emit(&mut self, e: &Event) {
        if self.error.is_some() {
            return;
        }
        let r = serde_json::to_vec(e)
            .map_err(io::Error::other)
            .and_then(|mut line| {
                line.push(b'\n');
                self.out.write_all(&line)?;
                self.out.flush()
            });
        if let Err(err) = r {
            self.error = Some(err);
        }
    }

    /// The first write error, if any (the log stopped there).
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunt::findings::Signature;
    use xacct_model::outcome::Outcome;
    use xacct_model::Scenario;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "xacct-report-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn scenario() -> Scenario {
        Scenario::from_json_str(
            r#"{"name": "shrunk", "description": "B writes into A's bucket", "steps": [
                {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
                {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "it's|`k`",
                 "expect": {"status": 403, "code": "AccessDenied"}}
            ]}"#,
            "t",
        )
        .expect("scenario")
    }

    fn divergence(id: &str, class: Class, confirmed: bool) -> Divergence {
        let (model, target) = match class {
            Class::OverPermissive => (Outcome::error(403, "AccessDenied"), Outcome::status(200)),
            _ => (Outcome::status(200), Outcome::error(403, "AccessDenied")),
        };
        Divergence {
            id: id.into(),
            signature: Signature {
                class,
                op: "put_object".into(),
                model: model.to_string(),
                target: target.to_string(),
                rule: "R22".into(),
            },
            scenario: scenario(),
            step: 2,
            original_steps: 17,
            shrunk_steps: 2,
            model,
            explanation: vec![
                "[R20] B.admin's identity policy allows s3:PutObject".into(),
                "[R22] the bucket owner A grants nothing to B".into(),
            ],
            target: Observed::Answer {
                outcome: target,
                raw: "HTTP/1.1 200 OK\n```".into(),
            },
            detail: "model refuses (403 AccessDenied), target allows (200)".into(),
            confirmed,
            case: 3,
            found_after_ms: 1500,
        }
    }

    fn summary() -> RunSummary {
        let d1 = divergence(
            "d02-over-restrictive-put_object",
            Class::OverRestrictive,
            true,
        );
        let d2 = divergence(
            "d01-over-permissive-put_object",
            Class::OverPermissive,
            true,
        );
        let mut d3 = divergence(
            "d03-over-permissive-put_object",
            Class::OverPermissive,
            false,
        );
        d3.signature.rule = "R23".into();
        let d4 = divergence("d04-wrong-error-x", Class::WrongError, true);
        let known = d4.signature.key();
        RunSummary {
            target: "moto".into(),
            seed: 7,
            cases: 100,
            steps: 1234,
            elapsed_ms: 2468,
            divergences: vec![d1, d2, d3, d4],
            known: vec![
                known,
                "wrong-state get_object_acl model=200 target=200 rule=R9".into(),
            ],
            not_seen: vec!["over-restrictive head_object model=200 target=403 rule=R1".into()],
            unsupported: 4,
            faults: 1,
            flaky: vec![
                "d03-over-permissive-put_object".into(),
                "wrong-state get_bucket_acl model=200 target=200 rule=R7".into(),
            ],
        }
    }

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

    #[test]
    fn write_run_writes_everything() {
        let dir = tmpdir("run");
        let s = summary();
        let junit_xml = dir.join("junit.xml");
        write_run(&dir, &s, Some(&junit_xml)).expect("write run");
        for f in ["summary.txt", "summary.md", "summary.json", "junit.xml"] {
            assert!(dir.join(f).is_file(), "{f}");
        }
        for d in &s.divergences {
            for ext in ["json", "sh", "md"] {
                assert!(dir.join(divergence_file(&d.id, ext)).is_file());
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn summary_text_lists_over_permissive_first() {
        let s = summary();
        let t = summary_text(&s);
        let p = t.find("\nover-permissive (2)").expect(&t);
        let r = t.find("\nover-restrictive (1)").expect(&t);
        let w = t.find("\nwrong-error (1)").expect(&t);
        assert!(p < r && r < w, "{t}");
        assert!(
            t.contains("over-permissive 2, over-restrictive 1, wrong-error 1, wrong-state 0"),
            "{t}"
        );
        assert!(
            t.find("d01-over-permissive").expect("d01")
                < t.find("d03-over-permissive").expect("d03")
        );
        assert!(
            t.contains("divergences/d01-over-permissive-put_object.{json,sh,md}"),
            "{t}"
        );
        assert!(t.contains("2 steps (from 17), confirmed"));
        assert!(t.contains("FLAKY"));
        assert!(t.contains("known divergences (in the baseline), seen again (2)"));
        assert!(t.contains("baseline divergences not seen in this run (1)"));
        assert!(t.contains("unsupported steps: 4; endpoint faults: 1"));
        assert!(
            t.contains("cases: 100; steps: 1234; 500.0 steps/s; elapsed 2.5 s"),
            "{t}"
        );
        let m = summary_markdown(&s);
        let p = m.find("## over-permissive (2)").expect(&m);
        let r = m.find("## over-restrictive (1)").expect(&m);
        assert!(p < r);
        assert!(
            m.contains("[json](divergences/d01-over-permissive-put_object.json)"),
            "{m}"
        );
        assert!(m.contains("| `R22` | 1 | 1 | 1 | 0 |"), "{m}");
    }

    #[test]
    fn junit_has_a_case_per_signature() {
        let s = summary();
        let x = junit(&s);
        assert!(x.contains("<testsuite name=\"xacct-moto\""), "{x}");
        // Three new signatures fail (d01, d02, d03: R23); d04's is known and passes.
        assert!(x.contains("failures=\"3\""), "{x}");
        assert!(x.contains("tests=\"7\""), "{x}");
        assert!(
            x.contains("<flakyFailure message=\"wrong-state get_bucket_acl"),
            "{x}"
        );
        assert!(
            x.contains("shrunk scenario: divergences/d01-over-permissive-put_object.json"),
            "{x}"
        );
        assert!(
            x.contains("known divergence: listed in the baseline"),
            "{x}"
        );
        assert!(x.contains("100 cases, 1234 steps"), "{x}");
        assert!(x.contains("flaky"), "{x}");
        assert!(
            x.contains("[R22] the bucket owner A grants nothing to B"),
            "{x}"
        );
        let empty = RunSummary {
            divergences: vec![],
            known: vec![],
            not_seen: vec![],
            flaky: vec![],
            ..s
        };
        let x = junit(&empty);
        assert!(
            x.contains("failures=\"0\"") && x.contains("tests=\"1\""),
            "{x}"
        );
    }

    #[test]
    fn event_log_writes_json_lines() {
        let mut log = EventLog::new(Vec::new());
        log.emit(&Event::RunStarted {
            target: "moto".into(),
            seed: 1,
            cases: 2,
            max_steps: 10,
        });
        log.emit(&Event::Fault {
            case: 0,
            step: 3,
            why: "timeout\nreset".into(),
        });
        assert!(log.take_error().is_none());
        let text = String::from_utf8(log.into_inner()).expect("utf8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "run_started");
        assert_eq!(lines[1]["event"], "fault");
        assert_eq!(lines[1]["why"], "timeout\nreset");

        let dir = tmpdir("log");
        let path = dir.join("events.jsonl");
        let mut log = EventLog::create(&path).expect("create");
        log.emit(&Event::RunFinished {
            cases: 2,
            steps: 5,
            divergences: 0,
            elapsed_ms: 9,
        });
        // Flushed at once: readable before the log is dropped.
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.ends_with("}\n") && text.contains("run_finished"),
            "{text}"
        );
        drop(log);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
