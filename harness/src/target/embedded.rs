//! The `embedded` target (the default): the in-process endpoint of `xacct-endpoint`, serving
//! the model over real HTTP on 127.0.0.1, optionally with one deviation of the model's
//! catalogue injected (`--mutant`).
//!
//! Accounts are the model's own (ids `111111111111`…, canonical ids, e-mail addresses), so the
//! mapping is the identity; buckets still get the run prefix like on any target. Between the
//! cases of a random run the endpoint is reset in-process (everything but the accounts and
//! their root and admin keys goes), which is both exact and fast.

use super::provision::run_id;
use super::{cleanup_via_api, Capabilities, Cleanup, TargetError};
use crate::target::execute::TargetState;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::EndpointConfig;
use std::collections::BTreeMap;
use std::time::Duration;
use xacct_endpoint::Endpoint;
use xacct_model::deviation::Deviation;
use xacct_model::world::AccountName;
use xacct_model::Region;

pub struct Embedded {
    endpoint: Endpoint,
    /// Where requests go instead of the endpoint itself, if anywhere ([`Embedded::fronted`]).
    front: Option<Front>,
}

/// Something between the harness and the endpoint (a proxy injecting faults, in tests).
#[derive(Debug, Clone)]
struct Front {
    url: String,
    timeout: Duration,
}

impl Embedded {
    /// Starts an endpoint on a free loopback port; needs a Tokio runtime context.
    /// Starts the endpoint, answering for `region`.
    pub fn start(mutant: Option<Deviation>, region: Region) -> Result<Embedded, TargetError> {
        Embedded::start_with(mutant.into_iter().collect(), region)
    }

    /// Starts the endpoint with several deviations injected at once.
    pub fn start_with(mutants: Vec<Deviation>, region: Region) -> Result<Embedded, TargetError> {
        let endpoint =
            Endpoint::start_with(mutants).map_err(|error| TargetError::EmbeddedStart { error })?;
        endpoint.set_region(region);
        Ok(Embedded {
            endpoint,
            front: None,
        })
    }

    /// Sends every request to `url` instead of the endpoint itself (a proxy in front of it that
    /// forwards to [`Embedded::endpoint`]'s URL), each with `timeout`. Clean-up then goes
    /// through the APIs, case by case, like on any other target: the in-process reset would
    /// pass the front by, so what the front does to clean-up requests would never count, and
    /// whatever the API clean-up leaves stays for [`Embedded::leftovers`] to show. The accounts
    /// are the endpoint's own and stay.
    pub fn fronted(self, url: &str, timeout: Duration) -> Embedded {
        Embedded {
            front: Some(Front {
                url: url.to_string(),
                timeout,
            }),
            ..self
        }
    }

    pub fn name(&self) -> &'static str {
        "embedded"
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn capabilities(&self) -> Capabilities {
        let mut notes = vec![format!(
            "the model served over HTTP at {} (s3s for S3, query APIs for STS and IAM)",
            self.endpoint.url()
        )];
        if let Some(f) = &self.front {
            notes.push(format!("requests go through {} in front of it", f.url));
        }
        for m in self.endpoint.mutants() {
            notes.push(format!(
                "mutant {m} ({}): {}",
                m.severity(),
                m.description()
            ));
        }
        Capabilities {
            root: true,
            anonymous: true,
            ownership_controls: true,
            distinct_canonical_ids: true,
            email_grants: true,
            propagation_retries: 0,
            propagation_delay: Duration::ZERO,
            notes,
        }
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let creds = self.endpoint.provision(accounts);
        let world = self.endpoint.world();
        let mut map = BTreeMap::new();
        for name in accounts {
            let a = world.account(&AccountName(name.clone())).ok_or_else(|| {
                TargetError::NotProvisioned {
                    account: name.clone(),
                }
            })?;
            map.insert(
                name.clone(),
                AccountMap {
                    id: a.id.clone(),
                    canonical: a.canonical.clone(),
                    email: Some(a.email.clone()),
                },
            );
        }
        let mapping = Mapping::new(
            format!("xacct-{run}-"),
            "/".into(),
            CrossAddressing::Global,
            map,
        );
        let url = self
            .front
            .as_ref()
            .map_or(self.endpoint.url(), |f| f.url.clone());
        let mut ep = EndpointConfig::single(&url);
        ep.region = self.endpoint.region().to_string();
        // In-process: no transient faults to retry, and a stuck request is a bug to see fast.
        ep.attempts = 1;
        ep.timeout = self
            .front
            .as_ref()
            .map_or(Duration::from_secs(10), |f| f.timeout);
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (principal, c) in &creds {
            state.add_principal(principal, c);
        }
        Ok(state)
    }

    /// Everything but the accounts and their root and admin keys goes: in-process, or through
    /// the APIs when [`Embedded::fronted`] (the accounts stay then too: they are the endpoint's
    /// own). Also the end-of-run clean-up.
    pub async fn cleanup_case(&mut self, state: &TargetState) -> Cleanup {
        if self.front.is_some() {
            return cleanup_via_api(state).await;
        }
        Cleanup {
            removed: self.endpoint.reset(),
            ..Cleanup::default()
        }
    }

    pub async fn leftovers(&self) -> Result<Vec<String>, TargetError> {
        Ok(self.endpoint.leftovers())
    }
}
