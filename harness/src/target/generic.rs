//! The `generic` target: any S3-compatible endpoint described by a TOML file.
//!
//! ```toml
//! name = "minio-local"
//! endpoint = "http://127.0.0.1:9000"     # S3; iam_endpoint / sts_endpoint default to it
//! region = "us-east-1"                   # optional: AWS_REGION, the profile's, else us-east-1
//! cross_addressing = "global"            # or "tenant-colon" (RGW-style `tenant:bucket`)
//!
//! [capabilities]                         # all optional
//! root = false
//! anonymous = true
//! ownership_controls = true
//! distinct_canonical_ids = true
//! propagation_retries = 0
//! propagation_delay_ms = 0
//!
//! [accounts.A]
//! id = "111122223333"                    # what ${A} stands for (account id; tenant on RGW)
//! canonical = "79a59df9…"                # optional: found with ListBuckets as admin otherwise
//! admin = { access_key_id_env = "A_KEY", secret_access_key_env = "A_SECRET" }
//! root = { access_key_id_env = "A_ROOT_KEY", secret_access_key_env = "A_ROOT_SECRET" }  # optional
//! ```
//! Credentials are read from the environment variables the file names, never from the file,
//! so the file can be committed and secrets are never printed.
//!
//! Where the APIs are: `--endpoint-url`, else the file's `endpoint` (and `iam_endpoint`,
//! `sts_endpoint`), else the AWS configuration chain ([`super::chain`]: `AWS_ENDPOINT_URL_S3`,
//! `AWS_ENDPOINT_URL`, the profile's `endpoint_url`), per API. The file is this target's own
//! description, so it wins over the environment; a file without `endpoint` follows it.

use super::provision::{discover_canonical, run_id};
use super::{Capabilities, TargetError};
use crate::target::execute::TargetState;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{Creds, EndpointConfig};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    pub access_key_id_env: String,
    pub secret_access_key_env: String,
    #[serde(default)]
    pub session_token_env: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountConf {
    pub id: String,
    #[serde(default)]
    pub canonical: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub admin: KeyRef,
    #[serde(default)]
    pub root: Option<KeyRef>,
}

#[derive(Debug, Clone, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapsConf {
    #[serde(default)]
    pub root: Option<bool>,
    #[serde(default)]
    pub anonymous: Option<bool>,
    #[serde(default)]
    pub ownership_controls: Option<bool>,
    #[serde(default)]
    pub distinct_canonical_ids: Option<bool>,
    #[serde(default)]
    pub propagation_retries: Option<u32>,
    #[serde(default)]
    pub propagation_delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenericConf {
    pub name: String,
    /// S3 endpoint URL; default: the AWS configuration chain (AWS_ENDPOINT_URL_S3, …).
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub iam_endpoint: Option<String>,
    #[serde(default)]
    pub sts_endpoint: Option<String>,
    /// Region to sign for; default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub cross_addressing: Option<String>,
    #[serde(default)]
    pub capabilities: CapsConf,
    pub accounts: BTreeMap<String, AccountConf>,
}

pub struct Generic {
    conf: GenericConf,
    /// `--endpoint-url`: the S3 endpoint, over the file's.
    endpoint_flag: Option<String>,
    /// `--region`: the run's Region, where the file names none.
    region_flag: Option<String>,
}

/// Keys from the environment variables a [`KeyRef`] names; `whose` names them in errors.
fn env_creds(k: &KeyRef, whose: &str) -> Result<Creds, TargetError> {
    let get = |v: &str| {
        std::env::var(v).map_err(|_| TargetError::KeyVariableNotSet {
            whose: whose.to_string(),
            var: v.to_string(),
        })
    };
    Ok(Creds {
        access_key_id: get(&k.access_key_id_env)?,
        secret_access_key: get(&k.secret_access_key_env)?,
        session_token: k.session_token_env.as_deref().map(get).transpose()?,
    })
}

impl Generic {
    /// The Region its file names, if any.
    pub fn region(&self) -> Option<&str> {
        self.conf.region.as_deref()
    }

    /// `--region`: the run's Region where the file names none (a file naming another one is
    /// refused when the target is built).
    pub fn with_region(mut self, region: Option<String>) -> Generic {
        self.region_flag = region;
        self
    }

    /// Reads a target description; errors name the file and the field.
    pub fn from_file(path: &std::path::Path) -> Result<Generic, TargetError> {
        let text =
            std::fs::read_to_string(path).map_err(|error| TargetError::TargetFileUnreadable {
                path: path.to_path_buf(),
                error,
            })?;
        let conf: GenericConf =
            toml::from_str(&text).map_err(|error| TargetError::TargetFileInvalid {
                path: path.to_path_buf(),
                error,
            })?;
        if let Some(c) = &conf.cross_addressing {
            if c != "global" && c != "tenant-colon" {
                return Err(TargetError::TargetFileCrossAddressing {
                    path: path.to_path_buf(),
                    value: c.clone(),
                });
            }
        }
        Ok(Generic {
            conf,
            endpoint_flag: None,
            region_flag: None,
        })
    }

    /// The S3 endpoint `--endpoint-url` names, over the file's and the environment's.
    pub fn with_endpoint_url(mut self, url: Option<String>) -> Generic {
        self.endpoint_flag = url;
        self
    }

    pub fn name(&self) -> &str {
        &self.conf.name
    }

    pub fn capabilities(&self) -> Capabilities {
        let c = &self.conf;
        let k = &c.capabilities;
        Capabilities {
            root: k
                .root
                .unwrap_or(c.accounts.values().all(|a| a.root.is_some())),
            anonymous: k.anonymous.unwrap_or(true),
            ownership_controls: k.ownership_controls.unwrap_or(true),
            distinct_canonical_ids: k.distinct_canonical_ids.unwrap_or(true),
            email_grants: c.accounts.values().all(|a| a.email.is_some()),
            propagation_retries: k.propagation_retries.unwrap_or(0),
            propagation_delay: Duration::from_millis(k.propagation_delay_ms.unwrap_or(0)),
            notes: vec![format!(
                "generic target {} at {}",
                c.name,
                self.endpoint_flag
                    .as_deref()
                    .or(c.endpoint.as_deref())
                    .unwrap_or("the endpoint the AWS configuration chain names")
            )],
        }
    }

    /// The endpoints: the flag's or the file's S3 `endpoint` for all three APIs unless IAM's or
    /// STS's are given; what the file leaves out, the AWS configuration chain fills in.
    async fn endpoints(&self) -> Result<EndpointConfig, TargetError> {
        let conf = &self.conf;
        let chain = super::chain::configured(None).await;
        let s3 = self
            .endpoint_flag
            .clone()
            .or_else(|| conf.endpoint.clone())
            .or(chain.s3_url)
            .ok_or(TargetError::NoGenericEndpoint)?;
        let given = self.endpoint_flag.is_some() || conf.endpoint.is_some();
        // The file's S3 endpoint stands for all three APIs; else each API's own chain value.
        let other = |file: &Option<String>, chained: Option<String>| {
            file.clone()
                .or(if given { None } else { chained })
                .unwrap_or_else(|| s3.clone())
        };
        let mut ep = EndpointConfig::single(&s3);
        ep.iam_url = other(&conf.iam_endpoint, chain.iam_url);
        ep.sts_url = other(&conf.sts_endpoint, chain.sts_url);
        ep.region = conf
            .region
            .clone()
            .or_else(|| self.region_flag.clone())
            .or(chain.region)
            .unwrap_or_else(|| "us-east-1".into());
        Ok(ep)
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let ep = self.endpoints().await?;
        let mut map = BTreeMap::new();
        let mut keys = Vec::new();
        for a in accounts {
            let ac = self
                .conf
                .accounts
                .get(a)
                .ok_or_else(|| TargetError::AccountNotDescribed {
                    account: a.clone(),
                    target: self.conf.name.clone(),
                })?;
            let admin = env_creds(&ac.admin, &format!("account {a} admin"))?;
            let canonical = match &ac.canonical {
                Some(c) => c.clone(),
                None => discover_canonical(&ep, &admin, &format!("account {a} admin")).await?,
            };
            let account = AccountMap {
                id: ac.id.clone(),
                canonical,
                email: ac.email.clone(),
            };
            map.insert(a.clone(), account);
            keys.push((a.clone(), admin, ac.root.clone()));
        }
        let cross = match self.conf.cross_addressing.as_deref() {
            Some("tenant-colon") => CrossAddressing::TenantColon,
            _ => CrossAddressing::Global,
        };
        let mapping = Mapping::new(format!("xacct-{run}-"), "/".into(), cross, map);
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (a, admin, root) in keys {
            state.add_principal(&format!("{a}.admin"), &admin);
            if let Some(r) = root {
                let root = env_creds(&r, &format!("account {a} root"))?;
                state.add_principal(&format!("{a}.root"), &root);
            }
        }
        Ok(state)
    }
}
