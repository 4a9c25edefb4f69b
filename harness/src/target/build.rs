//! Building a [`Target`] from [`TargetArgs`]: each setting from its flag, else the environment,
//! else what the backend's script (`scripts/backends/<name> env`) prints. The endpoint of RGW and
//! moto follows the AWS convention too: `--endpoint-url`, else `XACCT_<BACKEND>_ENDPOINT`, else
//! `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else the script's. (The embedded endpoint
//! starts its own listener, so those variables do not apply to it.)

use crate::target::{aws, embedded, generic, moto, rgw};
use crate::target::{Target, TargetArgs, TargetError, TargetKind};
use std::collections::BTreeMap;
use xacct_model::Region;

impl TargetArgs {
    /// Builds the target. The embedded endpoint starts listening here, so this must run
    /// inside a Tokio runtime context (`Runtime::enter`).
    pub fn build(&self, kind: TargetKind) -> Result<Target, TargetError> {
        if self.mutant.is_some() && kind != TargetKind::Embedded {
            return Err(TargetError::MutantNeedsEmbedded { target: kind });
        }
        match kind {
            TargetKind::Embedded => Ok(Target::Embedded(embedded::Embedded::start(
                self.mutant,
                self.region.clone().unwrap_or_default(),
            )?)),
            TargetKind::Rgw => {
                self.us_east_1_only(kind)?;
                self.build_rgw()
            }
            TargetKind::Moto => {
                self.us_east_1_only(kind)?;
                let ep = endpoint_setting(&self.endpoint, "XACCT_MOTO_ENDPOINT", "moto").ok_or(
                    TargetError::NoEndpoint {
                        backend: "moto",
                        script: "moto",
                    },
                )?;
                Ok(Target::Moto(moto::Moto::new(&ep)))
            }
            TargetKind::Generic => {
                let f = self.target_file.as_ref().ok_or(TargetError::NoTargetFile)?;
                let g = generic::Generic::from_file(f)?
                    .with_endpoint_url(self.endpoint.clone())
                    .with_region(self.region.as_ref().map(|r| r.as_str().to_string()));
                match (&self.region, g.region()) {
                    (Some(r), Some(file)) if r.as_str() != file => {
                        Err(TargetError::RegionUnsupported {
                            target: kind,
                            supported: file.to_string(),
                            region: r.clone(),
                        })
                    }
                    _ => Ok(Target::Generic(g)),
                }
            }
            TargetKind::Aws => self.build_aws(),
        }
    }

    /// RGW and moto are run in us-east-1, as their scripts set them up.
    fn us_east_1_only(&self, kind: TargetKind) -> Result<(), TargetError> {
        match &self.region {
            Some(r) if !r.is_us_east_1() => Err(TargetError::RegionUnsupported {
                target: kind,
                supported: Region::US_EAST_1.into(),
                region: r.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn build_rgw(&self) -> Result<Target, TargetError> {
        let ep = endpoint_setting(&self.endpoint, "XACCT_RGW_ENDPOINT", "rgw").ok_or(
            TargetError::NoEndpoint {
                backend: "RGW",
                script: "rgw",
            },
        )?;
        let conf = setting(&self.ceph_conf, "XACCT_RGW_CEPH_CONF", "rgw")
            .ok_or(TargetError::NoCephConf)?;
        Ok(Target::Rgw(rgw::Rgw::new(&ep, &conf)))
    }

    /// Real AWS only when asked for in so many words, and with a profile per account.
    fn build_aws(&self) -> Result<Target, TargetError> {
        if !self.i_understand_this_uses_real_aws {
            return Err(TargetError::RealAwsNotConfirmed);
        }
        if self.aws_profiles.is_empty() {
            return Err(TargetError::NoAwsProfiles);
        }
        let mut a = aws::Aws::new(
            self.aws_profiles.iter().cloned().collect(),
            self.region.as_ref().map(|r| r.as_str().to_string()),
        );
        if let Some(ms) = self.aws_propagation_ms {
            a.set_propagation(std::time::Duration::from_millis(ms));
        }
        Ok(Target::Aws(a))
    }
}

/// A setting: the flag, else the environment variable, else the backend script's line.
fn setting(flag: &Option<String>, var: &str, script: &str) -> Option<String> {
    flag.clone()
        .or_else(|| std::env::var(var).ok())
        .or_else(|| script_env(script).remove(var))
}

/// The URL of a backend with one endpoint for S3, IAM and STS: the flag, else its own
/// variable, else the AWS SDKs' `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL`, else the script's.
fn endpoint_setting(flag: &Option<String>, var: &str, script: &str) -> Option<String> {
    let env = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
    flag.clone()
        .or_else(|| env(var))
        .or_else(|| env("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| script_env(script).remove(var))
}

/// `KEY=value` lines printed by `scripts/backends/<name> env`.
fn script_env(name: &str) -> BTreeMap<String, String> {
    let out = std::process::Command::new(format!("scripts/backends/{name}"))
        .arg("env")
        .output();
    let mut m = BTreeMap::new();
    if let Ok(o) = out {
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some((k, v)) = line.split_once('=') {
                m.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn err(args: &TargetArgs, kind: TargetKind) -> TargetError {
        match args.build(kind) {
            Ok(_) => panic!("{} built", kind.name()),
            Err(e) => e,
        }
    }

    #[test]
    fn what_a_target_lacks_is_named_by_its_error() {
        let mut args = TargetArgs::local(TargetKind::Generic);
        assert!(matches!(
            err(&args, TargetKind::Generic),
            TargetError::NoTargetFile
        ));
        args.target_file = Some(PathBuf::from("does/not/exist.toml"));
        match err(&args, TargetKind::Generic) {
            TargetError::TargetFileUnreadable { path, .. } => {
                assert_eq!(path, PathBuf::from("does/not/exist.toml"))
            }
            other => panic!("{other}"),
        }
        let mut args = TargetArgs::local(TargetKind::Aws);
        assert!(matches!(
            err(&args, TargetKind::Aws),
            TargetError::RealAwsNotConfirmed
        ));
        args.i_understand_this_uses_real_aws = true;
        assert!(matches!(
            err(&args, TargetKind::Aws),
            TargetError::NoAwsProfiles
        ));
    }

    #[test]
    fn a_mutant_needs_the_embedded_endpoint() {
        let mut args = TargetArgs::local(TargetKind::Rgw);
        args.mutant = Some(xacct_model::deviation::Deviation::DenyIgnored);
        let e = err(&args, TargetKind::Rgw);
        assert!(matches!(
            e,
            TargetError::MutantNeedsEmbedded {
                target: TargetKind::Rgw
            }
        ));
        assert!(e.to_string().ends_with("--target rgw"), "{e}");
    }
}
