//! Which target to test and where it is: [`TargetKind`] (the CLI's `--target`) and
//! [`TargetArgs`] (everything the CLI's target flags say). Building the target from them is
//! [`super::build`]'s.

use xacct_model::deviation::Deviation;
use xacct_model::Region;

/// Which kind of target to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The in-process endpoint serving the model (the default).
    Embedded,
    Rgw,
    Moto,
    Generic,
    Aws,
}

/// A target name that is not one; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no target is named {0:?}; the targets are: embedded, rgw, moto, generic, aws")]
pub struct UnknownTarget(pub String);

impl std::str::FromStr for TargetKind {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<TargetKind, UnknownTarget> {
        TargetKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownTarget(s.into()))
    }
}

impl TargetKind {
    pub const ALL: [TargetKind; 5] = [
        TargetKind::Embedded,
        TargetKind::Rgw,
        TargetKind::Moto,
        TargetKind::Generic,
        TargetKind::Aws,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Embedded => "embedded",
            TargetKind::Rgw => "rgw",
            TargetKind::Moto => "moto",
            TargetKind::Generic => "generic",
            TargetKind::Aws => "aws",
        }
    }
}

/// Where a target is and how to reach it; the CLI's `--target`, `--endpoint`, … flags fill it.
#[derive(Debug, Clone)]
pub struct TargetArgs {
    /// The endpoint to test; `None`: the embedded endpoint (the model served in-process).
    pub target: Option<TargetKind>,
    /// Embedded endpoint only: one deviation of the model's catalogue injected (`--mutant`).
    pub mutant: Option<Deviation>,
    /// Endpoint URL (rgw, moto); default: XACCT_RGW_ENDPOINT / XACCT_MOTO_ENDPOINT, else what
    /// `scripts/backends/<target> env` prints.
    pub endpoint: Option<String>,
    /// Ceph config of the RGW cluster (rgw); default: XACCT_RGW_CEPH_CONF, else the script's.
    pub ceph_conf: Option<String>,
    /// Target description (generic): a TOML file.
    pub target_file: Option<std::path::PathBuf>,
    /// AWS profile per account (aws), as (ACCOUNT, PROFILE).
    pub aws_profiles: Vec<(String, String)>,
    /// The Region of the run: the embedded endpoint answers for it, aws uses it; rgw and moto
    /// run in us-east-1 only, generic in its file's. `None`: the target's own (us-east-1 but
    /// for generic).
    pub region: Option<Region>,
    /// Required with --target aws: the run creates and deletes real resources.
    pub i_understand_this_uses_real_aws: bool,
    /// aws: how long the accounts' IAM changes take to propagate (default
    /// [`crate::target::aws::DEFAULT_PROPAGATION`]).
    pub aws_propagation_ms: Option<u64>,
}

impl TargetArgs {
    /// Options for a local target found the usual way (environment, then the backend script).
    pub fn local(kind: TargetKind) -> TargetArgs {
        TargetArgs {
            target: Some(kind),
            mutant: None,
            endpoint: None,
            ceph_conf: None,
            target_file: None,
            aws_profiles: vec![],
            region: None,
            i_understand_this_uses_real_aws: false,
            aws_propagation_ms: None,
        }
    }

    /// The target kind asked for; the embedded endpoint when none is.
    pub fn kind(&self) -> TargetKind {
        self.target.unwrap_or(TargetKind::Embedded)
    }
}
