//! The `generic` target: any S3-compatible endpoint described by a TOML file, and the `aws`
//! target: real AWS through named profiles, one per account.
//!
//! ```toml
//! name = "minio-local"
//! endpoint = "http://127.0.0.1:9000"     # S3; iam_endpoint / sts_endpoint default to it
//! region = "us-east-1"
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

use super::{Capabilities, TargetError};
use crate::target::execute::TargetState;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{self, Creds, EndpointConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    pub access_key_id_env: String,
    pub secret_access_key_env: String,
    #[serde(default)]
    pub session_token_env: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
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

#[derive(Debug, Clone, Deserialize, Default)]
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericConf {
    pub name: String,
    pub endpoint: String,
    #[serde(default)]
    pub iam_endpoint: Option<String>,
    #[serde(default)]
    pub sts_endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default)]
    pub cross_addressing: Option<String>,
    #[serde(default)]
    pub capabilities: CapsConf,
    pub accounts: BTreeMap<String, AccountConf>,
}

fn default_region() -> String {
    "us-east-1".into()
}

/// Where the accounts' credentials come from.
enum Source {
    File(GenericConf),
    /// Real AWS: one named profile per account; admins are created as IAM users under the
    /// run's path.
    Aws {
        profiles: BTreeMap<String, String>,
        region: String,
    },
}

pub struct Generic {
    source: Source,
}

fn env_creds(k: &KeyRef, what: &str) -> Result<Creds, TargetError> {
    let get = |v: &str| {
        std::env::var(v)
            .map_err(|_| TargetError::Setup(format!("{what}: environment variable {v} is not set")))
    };
    Ok(Creds {
        access_key_id: get(&k.access_key_id_env)?,
        secret_access_key: get(&k.secret_access_key_env)?,
        session_token: k.session_token_env.as_deref().map(get).transpose()?,
    })
}

impl Generic {
    /// Reads a target description; errors name the file and the field.
    pub fn from_file(path: &std::path::Path) -> Result<Generic, TargetError> {
        let file = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| TargetError::Setup(format!("cannot read target file {file}: {e}")))?;
        let conf: GenericConf = toml::from_str(&text)
            .map_err(|e| TargetError::Setup(format!("target file {file}: {e}")))?;
        if let Some(c) = &conf.cross_addressing {
            if c != "global" && c != "tenant-colon" {
                return Err(TargetError::Setup(format!("target file {file}: cross_addressing must be \"global\" or \"tenant-colon\", not {c:?}")));
            }
        }
        Ok(Generic {
            source: Source::File(conf),
        })
    }

    /// Real AWS through named profiles (`A=profile-a`). Callers must have checked the opt-in.
    pub fn aws(profiles: BTreeMap<String, String>, region: String) -> Generic {
        Generic {
            source: Source::Aws { profiles, region },
        }
    }

    pub fn name(&self) -> &str {
        match &self.source {
            Source::File(c) => &c.name,
            Source::Aws { .. } => "aws",
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        match &self.source {
            Source::File(c) => {
                let k = &c.capabilities;
                Capabilities {
                    root: k
                        .root
                        .unwrap_or(c.accounts.values().all(|a| a.root.is_some())),
                    anonymous: k.anonymous.unwrap_or(true),
                    ownership_controls: k.ownership_controls.unwrap_or(true),
                    distinct_canonical_ids: k.distinct_canonical_ids.unwrap_or(true),
                    propagation_retries: k.propagation_retries.unwrap_or(0),
                    propagation_delay: Duration::from_millis(k.propagation_delay_ms.unwrap_or(0)),
                    notes: vec![format!("generic target {} at {}", c.name, c.endpoint)],
                }
            }
            Source::Aws { .. } => Capabilities {
                root: false,
                anonymous: true,
                ownership_controls: true,
                distinct_canonical_ids: true,
                // IAM is eventually consistent.
                propagation_retries: 5,
                propagation_delay: Duration::from_secs(2),
                notes: vec![
                    "real AWS: admins are IAM users made under /xacct/<run>/ with each profile"
                        .into(),
                ],
            },
        }
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = super::run_id();
        match &self.source {
            Source::File(conf) => {
                let mut ep = EndpointConfig::single(&conf.endpoint);
                ep.region = conf.region.clone();
                if let Some(i) = &conf.iam_endpoint {
                    ep.iam_url = i.clone();
                }
                if let Some(s) = &conf.sts_endpoint {
                    ep.sts_url = s.clone();
                }
                let mut map = BTreeMap::new();
                let mut admins = Vec::new();
                for a in accounts {
                    let ac = conf.accounts.get(a).ok_or_else(|| {
                        TargetError::Setup(format!(
                            "the scenario names account {a}, which target {} does not describe",
                            conf.name
                        ))
                    })?;
                    let admin = env_creds(&ac.admin, &format!("account {a} admin"))?;
                    let canonical = match &ac.canonical {
                        Some(c) => c.clone(),
                        None => discover_canonical(&ep, &admin).await?,
                    };
                    map.insert(
                        a.clone(),
                        AccountMap {
                            id: ac.id.clone(),
                            canonical,
                            email: ac.email.clone(),
                        },
                    );
                    admins.push((a.clone(), admin, ac.root.clone()));
                }
                let cross = match conf.cross_addressing.as_deref() {
                    Some("tenant-colon") => CrossAddressing::TenantColon,
                    _ => CrossAddressing::Global,
                };
                let mapping = Mapping::new(format!("xacct-{run}-"), "/".into(), cross, map);
                let mut state = TargetState::new(ep, mapping, logical_buckets);
                for (a, admin, root) in admins {
                    state.add_principal(&format!("{a}.admin"), &admin);
                    if let Some(r) = root {
                        state.add_principal(
                            &format!("{a}.root"),
                            &env_creds(&r, &format!("account {a} root"))?,
                        );
                    }
                }
                Ok(state)
            }
            Source::Aws { profiles, region } => {
                provision_aws(&run, profiles, region, accounts, logical_buckets).await
            }
        }
    }
}

/// The canonical id of an account, from ListBuckets' Owner.
async fn discover_canonical(ep: &EndpointConfig, creds: &Creds) -> Result<String, TargetError> {
    let c = sdk::clients(ep, Some(creds));
    let out = c.s3.list_buckets().send().await.map_err(|e| {
        TargetError::Endpoint(format!("ListBuckets to find the canonical id: {e:?}"))
    })?;
    out.owner()
        .and_then(|o| o.id())
        .map(str::to_string)
        .ok_or_else(|| TargetError::Endpoint("ListBuckets returned no Owner id".into()))
}

async fn provision_aws(
    run: &str,
    profiles: &BTreeMap<String, String>,
    region: &str,
    accounts: &[String],
    logical_buckets: Vec<String>,
) -> Result<TargetState, TargetError> {
    use aws_credential_types::provider::ProvideCredentials;
    let path = format!("/xacct/{run}/");
    let mut ep = EndpointConfig::single(&format!("https://s3.{region}.amazonaws.com"));
    ep.iam_url = "https://iam.amazonaws.com".into();
    ep.sts_url = format!("https://sts.{region}.amazonaws.com");
    ep.region = region.to_string();
    let mut map = BTreeMap::new();
    let mut admins = Vec::new();
    for a in accounts {
        let profile = profiles
            .get(a)
            .ok_or_else(|| TargetError::Setup(format!("no --aws-profile given for account {a}")))?;
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .profile_name(profile)
            .region(aws_config::Region::new(region.to_string()))
            .load()
            .await;
        let provider = conf
            .credentials_provider()
            .ok_or_else(|| TargetError::Setup(format!("profile {profile} has no credentials")))?;
        let c = provider
            .provide_credentials()
            .await
            .map_err(|e| TargetError::Setup(format!("profile {profile}: {e}")))?;
        let creds = Creds {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: c.secret_access_key().to_string(),
            session_token: c.session_token().map(str::to_string),
        };
        let clients = sdk::clients(&ep, Some(&creds));
        let id = clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| {
                TargetError::Endpoint(format!("GetCallerIdentity for {profile}: {e:?}"))
            })?;
        let account_id = id.account().unwrap_or_default().to_string();
        let canonical = discover_canonical(&ep, &creds).await?;
        // The scenario's A.admin: an IAM user under the run's path with full access.
        let fail = |what: &str, e: String| {
            TargetError::Endpoint(format!(
                "creating the admin of {a} with profile {profile}: {what}: {e}"
            ))
        };
        clients
            .iam
            .create_user()
            .user_name("admin")
            .path(&path)
            .send()
            .await
            .map_err(|e| fail("CreateUser", format!("{e:?}")))?;
        clients.iam.put_user_policy().user_name("admin").policy_name("AdministratorAccess")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .send().await.map_err(|e| fail("PutUserPolicy", format!("{e:?}")))?;
        let key = clients
            .iam
            .create_access_key()
            .user_name("admin")
            .send()
            .await
            .map_err(|e| fail("CreateAccessKey", format!("{e:?}")))?;
        let k = key
            .access_key()
            .ok_or_else(|| fail("CreateAccessKey", "no key".into()))?;
        admins.push((
            a.clone(),
            Creds {
                access_key_id: k.access_key_id().into(),
                secret_access_key: k.secret_access_key().into(),
                session_token: None,
            },
        ));
        map.insert(
            a.clone(),
            AccountMap {
                id: account_id,
                canonical,
                email: None,
            },
        );
    }
    let mapping = Mapping::new(format!("xacct-{run}-"), path, CrossAddressing::Global, map);
    let mut state = TargetState::new(ep, mapping, logical_buckets);
    for (a, c) in admins {
        state.add_principal(&format!("{a}.admin"), &c);
        state.created.users.push((a.clone(), "admin".into()));
        state
            .created
            .user_policies
            .push((a, "admin".into(), "AdministratorAccess".into()));
    }
    Ok(state)
}
