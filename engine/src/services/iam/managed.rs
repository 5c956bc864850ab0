//! AWS managed policies as data: the documents AWS publishes in the "AWS managed policy
//! reference" (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/), each the
//! default version at the time of writing, laid out as that reference shows them. Only the
//! policies the course's pipeline uses are here; each is parsed by the same `Policy::parse` as a
//! learner's own policy, so a managed policy and a hand-written one behave alike.

/// One AWS managed policy: where it lives (`arn:aws:iam::aws:policy{path}{name}`) and its
/// default version's document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub name: &'static str,
    pub arn: &'static str,
    /// "/" for most policies, "/service-role/" for those meant for a service's role.
    pub path: &'static str,
    pub document: &'static str,
}

/// The managed policy with this ARN, if the simulation knows it.
pub fn managed_policy(arn: &str) -> Option<&'static ManagedPolicy> {
    MANAGED_POLICIES.iter().find(|policy| policy.arn == arn)
}

/// Every managed policy the simulation knows, in name order.
pub fn managed_policies() -> &'static [ManagedPolicy] {
    MANAGED_POLICIES
}

static MANAGED_POLICIES: &[ManagedPolicy] = &[
    ManagedPolicy {
        name: "AdministratorAccess",
        arn: "arn:aws:iam::aws:policy/AdministratorAccess",
        path: "/",
        // v1
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : "*",
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AmazonAthenaFullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonAthenaFullAccess",
        path: "/",
        // v15 (February 12, 2026)
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "BaseAthenaPermissions",
      "Effect" : "Allow",
      "Action" : [
        "athena:*"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseGluePermissions",
      "Effect" : "Allow",
      "Action" : [
        "glue:CreateDatabase",
        "glue:DeleteDatabase",
        "glue:GetCatalog",
        "glue:GetCatalogs",
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:UpdateDatabase",
        "glue:CreateTable",
        "glue:DeleteTable",
        "glue:BatchDeleteTable",
        "glue:UpdateTable",
        "glue:GetTable",
        "glue:GetTables",
        "glue:BatchCreatePartition",
        "glue:CreatePartition",
        "glue:DeletePartition",
        "glue:BatchDeletePartition",
        "glue:UpdatePartition",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:BatchGetPartition",
        "glue:StartColumnStatisticsTaskRun",
        "glue:GetColumnStatisticsTaskRun",
        "glue:GetColumnStatisticsTaskRuns",
        "glue:GetCatalogImportStatus"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseQueryResultsPermissions",
      "Effect" : "Allow",
      "Action" : [
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
        "s3:CreateBucket",
        "s3:PutObject",
        "s3:PutBucketPublicAccessBlock"
      ],
      "Resource" : [
        "arn:aws:s3:::aws-athena-query-results-*"
      ]
    },
    {
      "Sid" : "BaseAthenaExamplesPermissions",
      "Effect" : "Allow",
      "Action" : [
        "s3:GetObject",
        "s3:ListBucket"
      ],
      "Resource" : [
        "arn:aws:s3:::athena-examples*"
      ]
    },
    {
      "Sid" : "BaseS3BucketPermissions",
      "Effect" : "Allow",
      "Action" : [
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:ListAllMyBuckets"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseSNSPermissions",
      "Effect" : "Allow",
      "Action" : [
        "sns:ListTopics",
        "sns:GetTopicAttributes"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseCloudWatchPermissions",
      "Effect" : "Allow",
      "Action" : [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:GetMetricData"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseLakeFormationPermissions",
      "Effect" : "Allow",
      "Action" : [
        "lakeformation:GetDataAccess"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BaseDataZonePermissions",
      "Effect" : "Allow",
      "Action" : [
        "datazone:ListDomains",
        "datazone:ListProjects",
        "datazone:ListAccountEnvironments"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "BasePricingPermissions",
      "Effect" : "Allow",
      "Action" : [
        "pricing:GetProducts"
      ],
      "Resource" : [
        "*"
      ]
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AmazonEventBridgeFullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess",
        path: "/",
        // v7 (February 12, 2026)
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "EventBridgeActions",
      "Effect" : "Allow",
      "Action" : [
        "events:*",
        "schemas:*",
        "scheduler:*",
        "pipes:*"
      ],
      "Resource" : "*"
    },
    {
      "Sid" : "IAMCreateServiceLinkedRoleForApiDestinations",
      "Effect" : "Allow",
      "Action" : "iam:CreateServiceLinkedRole",
      "Resource" : "arn:aws:iam::*:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations",
      "Condition" : {
        "StringEquals" : {
          "iam:AWSServiceName" : "apidestinations.events.amazonaws.com"
        }
      }
    },
    {
      "Sid" : "IAMCreateServiceLinkedRoleForAmazonEventBridgeSchemas",
      "Effect" : "Allow",
      "Action" : "iam:CreateServiceLinkedRole",
      "Resource" : "arn:aws:iam::*:role/aws-service-role/schemas.amazonaws.com/AWSServiceRoleForSchemas",
      "Condition" : {
        "StringEquals" : {
          "iam:AWSServiceName" : "schemas.amazonaws.com"
        }
      }
    },
    {
      "Sid" : "SecretsManagerAccessForApiDestinations",
      "Effect" : "Allow",
      "Action" : [
        "secretsmanager:CreateSecret",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue"
      ],
      "Resource" : "arn:aws:secretsmanager:*:*:secret:events!*"
    },
    {
      "Sid" : "IAMPassRoleAccessForEventBridge",
      "Effect" : "Allow",
      "Action" : "iam:PassRole",
      "Resource" : "arn:aws:iam::*:role/*",
      "Condition" : {
        "StringLike" : {
          "iam:PassedToService" : "events.amazonaws.com"
        }
      }
    },
    {
      "Sid" : "IAMPassRoleAccessForScheduler",
      "Effect" : "Allow",
      "Action" : "iam:PassRole",
      "Resource" : "arn:aws:iam::*:role/*",
      "Condition" : {
        "StringLike" : {
          "iam:PassedToService" : "scheduler.amazonaws.com"
        }
      }
    },
    {
      "Sid" : "IAMPassRoleAccessForPipes",
      "Effect" : "Allow",
      "Action" : "iam:PassRole",
      "Resource" : "arn:aws:iam::*:role/*",
      "Condition" : {
        "StringLike" : {
          "iam:PassedToService" : "pipes.amazonaws.com"
        }
      }
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AmazonS3FullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        path: "/",
        // v2
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "s3:*",
        "s3-object-lambda:*"
      ],
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AmazonS3ReadOnlyAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        path: "/",
        // v3
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "s3:Get*",
        "s3:List*",
        "s3:Describe*",
        "s3-object-lambda:Get*",
        "s3-object-lambda:List*"
      ],
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AmazonSQSFullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
        path: "/",
        // v1
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Action" : [
        "sqs:*"
      ],
      "Effect" : "Allow",
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AWSLambdaBasicExecutionRole",
        arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        path: "/service-role/",
        // v1
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AWSLambdaRole",
        arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
        path: "/service-role/",
        // v1
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "lambda:InvokeFunction"
      ],
      "Resource" : [
        "*"
      ]
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "AWSLambdaSQSQueueExecutionRole",
        arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        path: "/service-role/",
        // v1: what an SQS event source mapping needs, plus the basic execution role's logs.
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource" : "*"
    }
  ]
}"#,
    },
    ManagedPolicy {
        name: "CloudWatchLogsFullAccess",
        arn: "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
        path: "/",
        // v3 (May 20, 2025)
        document: r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "CloudWatchLogsFullAccess",
      "Effect" : "Allow",
      "Action" : [
        "logs:*",
        "cloudwatch:GenerateQuery",
        "cloudwatch:GenerateQueryResultsSummary"
      ],
      "Resource" : "*"
    }
  ]
}"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::iam::policy::{Context, Decision, Policy, Request, evaluate};

    fn decision(
        policy: &ManagedPolicy,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Decision {
        let parsed = Policy::parse(policy.document).expect("managed policies parse");
        let request = Request {
            action,
            resource,
            context,
        };
        evaluate(&[(policy.arn, &parsed)], &request).decision
    }

    fn named(name: &str) -> &'static ManagedPolicy {
        managed_policies()
            .iter()
            .find(|policy| policy.name == name)
            .expect("known managed policy")
    }

    #[test]
    fn every_managed_document_parses() {
        for policy in managed_policies() {
            let parsed = Policy::parse(policy.document);
            assert!(parsed.is_ok(), "{}: {:?}", policy.name, parsed.err());
        }
    }

    #[test]
    fn arns_are_built_from_path_and_name_and_are_unique() {
        for policy in managed_policies() {
            assert_eq!(
                policy.arn,
                format!("arn:aws:iam::aws:policy{}{}", policy.path, policy.name)
            );
            assert_eq!(managed_policy(policy.arn), Some(policy));
        }
        let mut names: Vec<_> = managed_policies().iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), managed_policies().len());
    }

    #[test]
    fn lambda_basic_execution_role_is_a_service_role_policy() {
        let policy =
            managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                .expect("known");
        assert_eq!(policy.path, "/service-role/");
        assert_eq!(
            managed_policy("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"),
            None
        );
        let context = Context::new();
        let group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f";
        assert_eq!(
            decision(policy, "logs:PutLogEvents", group, &context),
            Decision::Allowed
        );
        assert_eq!(
            decision(policy, "logs:DeleteLogGroup", group, &context),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn the_policies_grant_what_their_names_say() {
        let context = Context::new();
        let object = "arn:aws:s3:::raw-data/2024/01/events.json";
        let admin = named("AdministratorAccess");
        assert_eq!(
            decision(admin, "iam:CreateRole", "*", &context),
            Decision::Allowed
        );

        let read_only = named("AmazonS3ReadOnlyAccess");
        assert_eq!(
            decision(read_only, "s3:GetObject", object, &context),
            Decision::Allowed
        );
        assert_eq!(
            decision(read_only, "s3:PutObject", object, &context),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(
                named("AmazonS3FullAccess"),
                "s3:PutObject",
                object,
                &context
            ),
            Decision::Allowed
        );

        // Athena's results bucket is reachable, an arbitrary bucket only for listing.
        let athena = named("AmazonAthenaFullAccess");
        let results = "arn:aws:s3:::aws-athena-query-results-123456789012-us-east-1/q.csv";
        assert_eq!(
            decision(athena, "s3:PutObject", results, &context),
            Decision::Allowed
        );
        assert_eq!(
            decision(athena, "s3:PutObject", object, &context),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(athena, "athena:StartQueryExecution", "*", &context),
            Decision::Allowed
        );

        let queue = "arn:aws:sqs:us-east-1:123456789012:orders";
        assert_eq!(
            decision(
                named("AmazonSQSFullAccess"),
                "sqs:SendMessage",
                queue,
                &context
            ),
            Decision::Allowed
        );
        assert_eq!(
            decision(
                named("AWSLambdaRole"),
                "lambda:InvokeFunction",
                "*",
                &context
            ),
            Decision::Allowed
        );
        let sqs_execution = named("AWSLambdaSQSQueueExecutionRole");
        assert_eq!(
            decision(sqs_execution, "sqs:DeleteMessage", queue, &context),
            Decision::Allowed
        );
        assert_eq!(
            decision(sqs_execution, "sqs:SendMessage", queue, &context),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(
                named("CloudWatchLogsFullAccess"),
                "logs:DeleteLogGroup",
                "*",
                &context
            ),
            Decision::Allowed
        );
    }

    #[test]
    fn eventbridge_passes_roles_only_to_eventbridge_services() {
        let policy = named("AmazonEventBridgeFullAccess");
        let role = "arn:aws:iam::123456789012:role/pipeline";
        let passed_to = |service: &str| {
            Context::from([("iam:passedtoservice".to_string(), vec![service.to_string()])])
        };
        assert_eq!(
            decision(
                policy,
                "iam:PassRole",
                role,
                &passed_to("events.amazonaws.com")
            ),
            Decision::Allowed
        );
        assert_eq!(
            decision(
                policy,
                "iam:PassRole",
                role,
                &passed_to("lambda.amazonaws.com")
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(policy, "iam:PassRole", role, &Context::new()),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(policy, "events:PutRule", "*", &Context::new()),
            Decision::Allowed
        );
    }
}
