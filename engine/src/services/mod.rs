//! The simulated AWS services. Each owns its state and rules and takes typed requests; none
//! prints. They reach each other only through the world (`sim::Env` plus the other services'
//! state handed in by the caller), so every cross-service call is visible in one place.

pub mod athena;
pub mod eventbridge;
pub mod s3;

/// The account every learner's world lives in (the account ID AWS's own documentation uses).
pub const ACCOUNT_ID: &str = "123456789012";

use serde::{Deserialize, Serialize};

/// Every service's state, as one serialisable value inside the world.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Services {
    pub s3: s3::S3,
    pub athena: athena::Athena,
}
