//! Athena acts with its caller's credentials: a query started by a Lambda function reads the
//! Glue catalog and S3, and writes its results, as the function's role. `Access` checks each
//! of those calls with IAM while the query runs and words refusals as Athena reports them.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::services::ACCOUNT_ID;
use crate::services::iam::policy::Context;
use crate::services::iam::{Denial, Iam, SessionPolicies};
use crate::sim::Millis;

/// The role session a query runs as (`None` on a query means the learner's own admin user).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub role: String,
    pub session: String,
}

/// Athena reports access problems without an error code in front of the message.
pub const ACCESS_DENIED: &str = "ACCESS_DENIED";

pub struct Access {
    /// The role's policies, parsed once for the whole query.
    policies: SessionPolicies,
    context: Context,
    /// Every distinct (action, resource) asked for, for the least-privilege helper.
    pub used: RefCell<BTreeSet<(String, String)>>,
    /// The calls refused, for `sim iam explain` (a query stops at its first).
    pub denials: RefCell<Vec<Denial>>,
}

pub fn glue_catalog_arn() -> String {
    format!("arn:aws:glue:us-east-1:{ACCOUNT_ID}:catalog")
}

pub fn glue_database_arn(database: &str) -> String {
    format!("arn:aws:glue:us-east-1:{ACCOUNT_ID}:database/{database}")
}

pub fn glue_table_arn(database: &str, table: &str) -> String {
    format!("arn:aws:glue:us-east-1:{ACCOUNT_ID}:table/{database}/{table}")
}

impl Access {
    pub fn new(iam: &Iam, principal: &Principal, now_ms: Millis) -> Self {
        let context = iam.request_context(now_ms, &principal.role, &principal.session);
        Self {
            policies: iam.session_policies(&principal.role, &principal.session),
            context,
            used: RefCell::new(BTreeSet::new()),
            denials: RefCell::new(Vec::new()),
        }
    }

    /// IAM's decision for one call; the error is IAM's AccessDenied sentence.
    pub fn check(&self, action: &str, resource: &str) -> Result<(), String> {
        self.used
            .borrow_mut()
            .insert((action.to_string(), resource.to_string()));
        self.policies
            .decide(action, resource, &self.context)
            .map_err(|denial| {
                let message = denial.message.clone();
                self.denials.borrow_mut().push(denial);
                message
            })
    }

    /// A Glue call on the catalog, the database and (if named) the table, as Glue authorizes
    /// them; the error is Athena's reason text.
    pub fn glue(&self, action: &str, database: &str, table: Option<&str>) -> Result<(), String> {
        let mut resources = vec![glue_catalog_arn(), glue_database_arn(database)];
        resources.extend(table.map(|table| glue_table_arn(database, table)));
        for resource in resources {
            self.check(action, &resource).map_err(|message| {
                format!(
                    "Insufficient permissions to execute the query. {message} (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)"
                )
            })?;
        }
        Ok(())
    }

    /// Writing a result or data file to `s3://bucket/key`.
    pub fn put_object(&self, bucket: &str, key: &str) -> Result<(), String> {
        self.check("s3:PutObject", &format!("arn:aws:s3:::{bucket}/{key}"))
            .map_err(|_| {
                format!(
                    "Access denied when writing output to url: s3://{bucket}/{key} . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key"
                )
            })
    }
}
