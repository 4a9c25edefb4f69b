//! `xacct serve`: the embedded endpoint in the foreground for other tools, with an AWS CLI
//! config and credentials file written out (a profile per principal), until Ctrl-C. With
//! `--format json` the first line of stdout is one JSON object for tools ([`ready_json`]).

use super::{runtime, Format, ServeArgs};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xacct_endpoint::Endpoint;
use xacct_model::deviation::Deviation;

/// Where the AWS CLI files went.
struct Profiles {
    config: PathBuf,
    credentials: PathBuf,
    /// The first account's admin profile, or its root one in fresh accounts.
    first_profile: String,
}

pub(super) fn run(args: ServeArgs) -> Result<ExitCode> {
    if args.list_mutants {
        list_mutants();
        return Ok(ExitCode::SUCCESS);
    }
    for a in &args.accounts {
        if !xacct_model::world::AccountName::is_valid(a) {
            bail!("--accounts: {a:?} is not an account name (an upper-case letter, then upper-case letters or digits)");
        }
    }
    let rt = runtime().context("starting the async runtime")?;
    let _in_runtime = rt.enter();
    let port = args.port;
    let endpoint = Endpoint::start_on(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        args.mutant,
    )
    .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
    endpoint.set_region(args.region.clone());
    endpoint.set_fresh_accounts(args.fresh_accounts);
    endpoint.set_iam_propagation(std::time::Duration::from_millis(args.iam_propagation_ms));
    let profiles = write_profiles(&endpoint, &args.accounts, &args.config_dir)?;
    match args.format {
        Format::Text => print_ready(&endpoint, args.mutant, &profiles),
        Format::Json => {
            println!("{}", ready_json(&endpoint, args.mutant, &profiles));
            eprintln!("ready; Ctrl-C stops");
        }
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    rt.block_on(tokio::signal::ctrl_c())
        .context("waiting for Ctrl-C")?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// `--list-mutants`: what --mutant takes, the catalogue of deviations (as `xacct deviations`).
fn list_mutants() {
    print!("{}", super::deviations::text());
}

/// Provisions the accounts and writes the AWS CLI `config` and `credentials` into `dir`.
fn write_profiles(endpoint: &Endpoint, accounts: &[String], dir: &Path) -> Result<Profiles> {
    let creds = endpoint.provision(accounts);
    let (config, credentials) =
        xacct_endpoint::aws_cli_files(&endpoint.url(), &endpoint.region(), &creds);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let first = accounts.first().map(String::as_str).unwrap_or("A");
    let first_profile = if creds.contains_key(&format!("{first}.admin")) {
        format!("xacct-{first}")
    } else {
        format!("xacct-{first}-root")
    };
    let profiles = Profiles {
        config: dir.join("config"),
        credentials: dir.join("credentials"),
        first_profile,
    };
    std::fs::write(&profiles.config, config)
        .with_context(|| format!("writing {}", profiles.config.display()))?;
    write_private(&profiles.credentials, &credentials)?;
    Ok(profiles)
}

/// What is served, the accounts and their profiles, and how to try them.
fn print_ready(endpoint: &Endpoint, mutant: Option<Deviation>, p: &Profiles) {
    println!("xacct serve: the model at {}", endpoint.url());
    println!("region: {}", endpoint.region());
    if let Some(m) = mutant {
        println!("mutant {m}: {}", m.description());
    }
    let world = endpoint.world();
    for a in world.accounts.values() {
        let admin = a.users.contains_key("admin");
        let profiles = if admin {
            format!("xacct-{} (admin), xacct-{}-root", a.name, a.name)
        } else {
            format!("xacct-{}-root (a fresh account: no admin user)", a.name)
        };
        println!(
            "account {}: id {}, canonical id {}; profiles {profiles}",
            a.name, a.id, a.canonical
        );
    }
    println!(
        "profiles: AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} (secrets only in the latter, mode 0600)",
        p.config.display(),
        p.credentials.display()
    );
    println!(
        "try:      AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} aws --profile {} s3api list-buckets",
        p.config.display(),
        p.credentials.display(),
        p.first_profile
    );
    println!("ready; Ctrl-C stops");
}

/// What is served, for tools: the URL, the mutant, each account with its ids and profile names,
/// and the AWS CLI files (their paths; never the secrets).
fn ready_json(endpoint: &Endpoint, mutant: Option<Deviation>, p: &Profiles) -> serde_json::Value {
    let world = endpoint.world();
    let accounts: Vec<_> = world
        .accounts
        .values()
        .map(|a| {
            serde_json::json!({
                "name": a.name,
                "id": a.id,
                "canonical_id": a.canonical,
                "profiles": {
                    "admin": a.users.contains_key("admin").then(|| format!("xacct-{}", a.name)),
                    "root": format!("xacct-{}-root", a.name),
                },
            })
        })
        .collect();
    serde_json::json!({
        "url": endpoint.url(),
        "mutant": mutant.map(|m| m.name()),
        "accounts": accounts,
        "config_file": p.config,
        "credentials_file": p.credentials,
    })
}

/// Writes a file only its owner can read (credentials).
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {} to its owner", path.display()))?;
    }
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
