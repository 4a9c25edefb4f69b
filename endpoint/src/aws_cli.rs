//! AWS CLI profiles for the provisioned principals (`xacct serve` writes them out).

use crate::Creds;
use std::collections::BTreeMap;
use xacct_model::Region;

/// AWS CLI `config` and `credentials` files for the provisioned principals: profile `xacct-A`
/// for `A.admin`, `xacct-A-root` for `A.root` (the names the aws-cli scripts default to), in
/// the endpoint's Region.
pub fn aws_cli_files(
    url: &str,
    region: &Region,
    creds: &BTreeMap<String, Creds>,
) -> (String, String) {
    let mut config = String::new();
    let mut credentials = String::new();
    for (principal, c) in creds {
        let Some((account, who)) = principal.split_once('.') else {
            continue;
        };
        let profile = match who {
            "admin" => format!("xacct-{account}"),
            other => format!("xacct-{account}-{other}"),
        };
        config.push_str(&format!(
            "[profile {profile}]\nregion = {region}\nendpoint_url = {url}\ns3 =\n    addressing_style = path\n\n"
        ));
        credentials.push_str(&format!(
            "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
            c.access_key_id, c.secret_access_key
        ));
    }
    (config, credentials)
}
