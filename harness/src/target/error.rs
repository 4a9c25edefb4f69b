//! What can go wrong while building a target, provisioning a run's accounts on it, or asking it
//! what is left.
//!
//! Failures of the endpoint itself (its admin tool or API) say so, as they always have: "the
//! endpoint failed during provisioning: …", also where clean-up reports them.
//!
//! Every message is complete on its own (reports and `provisioning: …` lines print them with
//! `{}`), so an underlying error is part of the message rather than a `source()`, which the
//! CLI's `{:#}` would print a second time.

use crate::target::failure::Failure;
use crate::target::TargetKind;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::path::PathBuf;
use xacct_model::scenario::RegionConflict;
use xacct_model::Region;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("--mutant injects a bug into the embedded endpoint; it cannot apply to --target {}", .target.name())]
    MutantNeedsEmbedded { target: TargetKind },
    /// `backend`: how messages name it (`RGW`); `script`: its `scripts/backends/` script.
    #[error(
        "no {backend} endpoint: start one with `scripts/backends/{script} up`, or pass --endpoint-url"
    )]
    NoEndpoint {
        backend: &'static str,
        script: &'static str,
    },
    #[error("no endpoint for the generic target: give `endpoint` in the target file, --endpoint-url, or AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3, or a profile's endpoint_url)")]
    NoGenericEndpoint,
    #[error("no Ceph config for radosgw-admin: pass --ceph-conf or set XACCT_RGW_CEPH_CONF")]
    NoCephConf,
    #[error("--target generic needs --target-file FILE.toml")]
    NoTargetFile,
    #[error("--target aws creates and deletes real resources in your AWS accounts; add --i-understand-this-uses-real-aws to go ahead")]
    RealAwsNotConfirmed,
    #[error("--target aws needs --aws-profile ACCOUNT=PROFILE for each account")]
    NoAwsProfiles,
    #[error("--target {} runs in {supported} only, not {region} (--region)", .target.name())]
    RegionUnsupported {
        target: TargetKind,
        supported: String,
        region: Region,
    },
    #[error(transparent)]
    RegionConflict(#[from] RegionConflict),
    #[error("starting the embedded endpoint on 127.0.0.1: {error}")]
    EmbeddedStart { error: std::io::Error },

    #[error("cannot read target file {}: {error}", .path.display())]
    TargetFileUnreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("target file {}: {error}", .path.display())]
    TargetFileInvalid {
        path: PathBuf,
        error: toml::de::Error,
    },
    #[error("target file {}: cross_addressing must be \"global\" or \"tenant-colon\", not {value:?}", .path.display())]
    TargetFileCrossAddressing { path: PathBuf, value: String },
    #[error("the scenario names account {account}, which target {target} does not describe")]
    AccountNotDescribed { account: String, target: String },
    /// `whose`: the keys the variable holds (`account A admin`).
    #[error("{whose}: environment variable {var} is not set")]
    KeyVariableNotSet { whose: String, var: String },

    #[error("no --aws-profile given for account {account}")]
    NoAwsProfileFor { account: String },
    /// IAM user names are unique in an account, whatever their path.
    #[error("account {account} already has an IAM user named admin, and --target aws makes its own (user names are unique in an account, whatever the path): use a dedicated account, or remove the user left by an earlier run (`xacct serve`: pass --fresh-accounts) [CreateUser: {failure}]")]
    AdminExists {
        account: String,
        failure: Box<Failure>,
    },
    /// `error`: the credential provider's error and its sources, in one line.
    #[error("profile {profile}: no credentials: {error}")]
    ProfileCredentials { profile: String, error: String },

    #[error("{error}; left behind: {left}")]
    ProvisioningLeftBehind {
        error: Box<TargetError>,
        left: String,
    },
    #[error("account {account} was not provisioned")]
    NotProvisioned { account: String },
    /// An API call made to provision `principal` (an account's admin, …) failed; `failure`:
    /// what the endpoint answered, in one line.
    #[error("the endpoint failed during provisioning: {call} ({principal}): {failure}")]
    ProvisioningCall {
        principal: String,
        call: &'static str,
        failure: Box<Failure>,
    },
    /// An API call made to provision `principal` succeeded without what it is called for.
    #[error("the endpoint failed during provisioning: {call} for {principal} answered without {missing}")]
    ProvisioningAnswer {
        principal: String,
        call: &'static str,
        missing: &'static str,
    },

    #[error("cannot run radosgw-admin (is Ceph installed? scripts/backends/rgw up installs it): {error}")]
    RadosgwAdminNotRun { error: std::io::Error },
    /// `command`: the arguments, space-separated (they hold no secrets).
    #[error("the endpoint failed during provisioning: radosgw-admin {command}: timeout")]
    RadosgwAdminTimeout { command: String },
    /// `stderr`: its last line.
    #[error("the endpoint failed during provisioning: radosgw-admin {command} failed: {stderr}")]
    RadosgwAdminFailed { command: String, stderr: String },
    #[error("the endpoint failed during provisioning: radosgw-admin {command}: the answer has no {missing}")]
    RadosgwAdminAnswer {
        command: String,
        missing: &'static str,
    },

    #[error("moto endpoint {endpoint} must be http://host:port")]
    MotoEndpointNotHttp { endpoint: String },
    #[error("the endpoint failed during provisioning: moto-api {path}: timeout")]
    MotoApiTimeout { path: String },
    #[error("the endpoint failed during provisioning: moto-api {path}: {error}")]
    MotoApiUnreachable { path: String, error: std::io::Error },
    /// `status_line`: the first line of its HTTP answer.
    #[error("the endpoint failed during provisioning: moto-api {path} answered {status_line}")]
    MotoApiRefused { path: String, status_line: String },
}

impl TargetError {
    /// A failed provisioning call: what the endpoint answered, read out of the SDK's error
    /// (whose full detail goes to the debug log, `-v`).
    pub fn call<E>(
        principal: impl Into<String>,
        call: &'static str,
        error: SdkError<E, HttpResponse>,
    ) -> TargetError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        TargetError::ProvisioningCall {
            principal: principal.into(),
            call,
            failure: Box::new(Failure::of(call, &error)),
        }
    }
}
