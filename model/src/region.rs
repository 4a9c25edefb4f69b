//! The AWS Region requests are sent to ([`Region`]) and the CreateBucket LocationConstraint a
//! request carries there ([`LocationConstraint`]).

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The Regions S3 names in `BucketLocationConstraint` (CreateBucketConfiguration), plus
/// us-east-1, whose buckets have no LocationConstraint.
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// An AWS Region name, one S3 knows. The default is us-east-1 (N. Virginia).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Region(String);

/// A Region name S3 does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an AWS Region S3 knows (e.g. us-east-1, eu-west-1)")]
pub struct UnknownRegion(pub String);

impl Region {
    pub const US_EAST_1: &'static str = "us-east-1";

    pub fn parse(name: &str) -> Result<Region, UnknownRegion> {
        if REGIONS.contains(&name) {
            Ok(Region(name.to_string()))
        } else {
            Err(UnknownRegion(name.to_string()))
        }
    }

    /// The Regions a scenario may name.
    pub fn names() -> &'static [&'static str] {
        REGIONS
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// us-east-1, where S3 keeps its legacy CreateBucket behaviour.
    pub fn is_us_east_1(&self) -> bool {
        self.0 == Region::US_EAST_1
    }

    /// The LocationConstraint a CreateBucket sent here carries: none in us-east-1, the
    /// Region's name elsewhere (CreateBucket API reference, CreateBucketConfiguration).
    pub fn location_constraint(&self) -> Option<&str> {
        (!self.is_us_east_1()).then_some(self.as_str())
    }

    /// Whether `constraint` names this Region (`EU` is the legacy name of eu-west-1).
    pub fn is_named_by(&self, constraint: &str) -> bool {
        constraint == self.0 || (constraint == "EU" && self.0 == "eu-west-1")
    }

    /// Whether `constraint` is a LocationConstraint value S3 knows.
    pub fn is_known_constraint(constraint: &str) -> bool {
        constraint == "EU" || REGIONS.contains(&constraint)
    }
}

impl Default for Region {
    fn default() -> Region {
        Region(Region::US_EAST_1.to_string())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Region {
    type Err = UnknownRegion;
    fn from_str(s: &str) -> Result<Region, UnknownRegion> {
        Region::parse(s)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Region, D::Error> {
        let s = String::deserialize(d)?;
        Region::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The LocationConstraint of a CreateBucket step. A step without the field sends what its
/// Region needs ([`Region::location_constraint`]); `null` sends no CreateBucketConfiguration;
/// a string is sent as it is.
pub type LocationConstraint = Option<Option<String>>;

/// Deserializes a present field (even `null`) as `Some`, so that absent and `null` differ.
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<LocationConstraint, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What a CreateBucket step sends in `region`: the step's own constraint, or the Region's.
pub fn sent_constraint<'a>(step: &'a LocationConstraint, region: &'a Region) -> Option<&'a str> {
    match step {
        Some(c) => c.as_deref(),
        None => region.location_constraint(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_and_default_to_us_east_1() {
        assert_eq!(Region::default().as_str(), "us-east-1");
        assert!(Region::parse("eu-west-1").is_ok());
        assert!(Region::parse("mars-1").is_err());
        let eu = Region::parse("eu-west-1").unwrap();
        assert_eq!(eu.location_constraint(), Some("eu-west-1"));
        assert_eq!(Region::default().location_constraint(), None);
        assert!(eu.is_named_by("EU") && !eu.is_named_by("eu-west-2"));
    }

    #[test]
    fn a_step_constraint_overrides_the_regions() {
        let eu = Region::parse("eu-west-1").unwrap();
        assert_eq!(sent_constraint(&None, &eu), Some("eu-west-1"));
        assert_eq!(sent_constraint(&Some(None), &eu), None);
        assert_eq!(sent_constraint(&Some(Some("EU".into())), &eu), Some("EU"));
    }
}
