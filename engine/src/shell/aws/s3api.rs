//! `aws s3api …`: the S3 API operations, one function each, from checked CLI arguments to the
//! JSON the CLI prints. Input shapes mirror the API model's members (in the model's order, as
//! botocore lists them in its errors).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::shapes::{Member, Shape, member, required as req};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::formats::{CsvInput, FileHeaderInfo, JsonType, SelectInput};
use crate::services::lambda;
use crate::services::s3::NotificationConfiguration;
use crate::services::s3::SelectOutput;
use crate::services::s3::notifications::Destination;
use crate::services::s3::{
    self, CopyObject, LifecycleConfiguration, ListObjectsRequest, ObjectRef, ObjectVersion,
    PutObject, ReplicationConfiguration, RestoreOutcome, S3Error, StorageClass, Tier,
};
use crate::services::sqs::queue_url;
use crate::shell::Ctx;
use crate::sim::Millis;

static TAG: Shape = Shape::Structure(&[req("Key", &Shape::String), req("Value", &Shape::String)]);
static TAGS: Shape = Shape::List(&TAG);
static AND: Shape = Shape::Structure(&[
    member("Prefix", &Shape::String),
    member("Tags", &TAGS),
    member("ObjectSizeGreaterThan", &Shape::Integer),
    member("ObjectSizeLessThan", &Shape::Integer),
]);
static LIFECYCLE_FILTER: Shape = Shape::Structure(&[
    member("Prefix", &Shape::String),
    member("Tag", &TAG),
    member("ObjectSizeGreaterThan", &Shape::Integer),
    member("ObjectSizeLessThan", &Shape::Integer),
    member("And", &AND),
]);
static EXPIRATION: Shape = Shape::Structure(&[
    member("Date", &Shape::String),
    member("Days", &Shape::Integer),
    member("ExpiredObjectDeleteMarker", &Shape::Boolean),
]);
static TRANSITION: Shape = Shape::Structure(&[
    member("Date", &Shape::String),
    member("Days", &Shape::Integer),
    member("StorageClass", &Shape::String),
]);
static TRANSITIONS: Shape = Shape::List(&TRANSITION);
static NONCURRENT_EXPIRATION: Shape = Shape::Structure(&[
    member("NoncurrentDays", &Shape::Integer),
    member("NewerNoncurrentVersions", &Shape::Integer),
]);
static LIFECYCLE_RULE_MEMBERS: &[Member] = &[
    member("Expiration", &EXPIRATION),
    member("ID", &Shape::String),
    member("Prefix", &Shape::String),
    member("Filter", &LIFECYCLE_FILTER),
    req("Status", &Shape::String),
    member("Transitions", &TRANSITIONS),
    member("NoncurrentVersionTransitions", &Shape::Opaque),
    member("NoncurrentVersionExpiration", &NONCURRENT_EXPIRATION),
    member("AbortIncompleteMultipartUpload", &Shape::Opaque),
];
static LIFECYCLE_RULES: Shape = Shape::List(&Shape::Structure(LIFECYCLE_RULE_MEMBERS));
static LIFECYCLE_CONFIGURATION: Shape = Shape::Structure(&[req("Rules", &LIFECYCLE_RULES)]);
static DESTINATION: Shape = Shape::Structure(&[
    req("Bucket", &Shape::String),
    member("Account", &Shape::String),
    member("StorageClass", &Shape::String),
    member("AccessControlTranslation", &Shape::Opaque),
    member("EncryptionConfiguration", &Shape::Opaque),
    member("ReplicationTime", &Shape::Opaque),
    member("Metrics", &Shape::Opaque),
]);
static REPLICATION_FILTER: Shape = Shape::Structure(&[
    member("Prefix", &Shape::String),
    member("Tag", &TAG),
    member("And", &Shape::Opaque),
]);
static STATUS: Shape = Shape::Structure(&[req("Status", &Shape::String)]);
static REPLICATION_RULE: Shape = Shape::Structure(&[
    member("ID", &Shape::String),
    member("Priority", &Shape::Integer),
    member("Prefix", &Shape::String),
    member("Filter", &REPLICATION_FILTER),
    req("Status", &Shape::String),
    member("SourceSelectionCriteria", &Shape::Opaque),
    member("ExistingObjectReplication", &Shape::Opaque),
    req("Destination", &DESTINATION),
    member("DeleteMarkerReplication", &STATUS),
]);
static REPLICATION_RULES: Shape = Shape::List(&REPLICATION_RULE);
static REPLICATION_CONFIGURATION: Shape = Shape::Structure(&[
    req("Role", &Shape::String),
    req("Rules", &REPLICATION_RULES),
]);
static NOTIFICATION_CONFIGURATION: Shape = Shape::Structure(&[
    member("LambdaFunctionConfigurations", &Shape::Opaque),
    member("QueueConfigurations", &Shape::Opaque),
    member("TopicConfigurations", &Shape::Opaque),
    member("EventBridgeConfiguration", &Shape::Opaque),
]);
static GLACIER_JOB_PARAMETERS: Shape = Shape::Structure(&[req("Tier", &Shape::String)]);
static RESTORE_REQUEST: Shape = Shape::Structure(&[
    member("Days", &Shape::Integer),
    member("GlacierJobParameters", &GLACIER_JOB_PARAMETERS),
    member("Type", &Shape::String),
    member("Tier", &Shape::String),
    member("Description", &Shape::String),
    member("SelectParameters", &Shape::Opaque),
    member("OutputLocation", &Shape::Opaque),
]);
static VERSIONING_CONFIGURATION: Shape = Shape::Structure(&[
    member("MFADelete", &Shape::String),
    member("Status", &Shape::String),
]);
static CREATE_BUCKET_CONFIGURATION: Shape = Shape::Structure(&[
    member("LocationConstraint", &Shape::String),
    member("Location", &Shape::Opaque),
    member("Bucket", &Shape::Opaque),
]);

static CSV_INPUT: Shape = Shape::Structure(&[
    member("FileHeaderInfo", &Shape::String),
    member("Comments", &Shape::String),
    member("QuoteEscapeCharacter", &Shape::String),
    member("RecordDelimiter", &Shape::String),
    member("FieldDelimiter", &Shape::String),
    member("QuoteCharacter", &Shape::String),
    member("AllowQuotedRecordDelimiter", &Shape::Boolean),
]);
static JSON_INPUT: Shape = Shape::Structure(&[member("Type", &Shape::String)]);
static INPUT_SERIALIZATION: Shape = Shape::Structure(&[
    member("CSV", &CSV_INPUT),
    member("CompressionType", &Shape::String),
    member("JSON", &JSON_INPUT),
    member("Parquet", &Shape::Opaque),
]);
static CSV_OUTPUT: Shape = Shape::Structure(&[
    member("QuoteFields", &Shape::String),
    member("QuoteEscapeCharacter", &Shape::String),
    member("RecordDelimiter", &Shape::String),
    member("FieldDelimiter", &Shape::String),
    member("QuoteCharacter", &Shape::String),
]);
static JSON_OUTPUT: Shape = Shape::Structure(&[member("RecordDelimiter", &Shape::String)]);
static OUTPUT_SERIALIZATION: Shape =
    Shape::Structure(&[member("CSV", &CSV_OUTPUT), member("JSON", &JSON_OUTPUT)]);

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("s3api", name, api_name, params, call)
}

const BUCKET: super::Param = required("--bucket", ParamKind::String);
const KEY: super::Param = required("--key", ParamKind::String);
const VERSION_ID: super::Param = param("--version-id", ParamKind::String);

pub static OPERATIONS: &[Operation] = &[
    op(
        "copy-object",
        "CopyObject",
        &[
            BUCKET,
            required("--copy-source", ParamKind::String),
            KEY,
            param("--storage-class", ParamKind::String),
            param(
                "--metadata",
                ParamKind::Structure("Metadata", &Shape::StringMap),
            ),
            param("--metadata-directive", ParamKind::String),
        ],
        copy_object,
    ),
    op(
        "create-bucket",
        "CreateBucket",
        &[
            BUCKET,
            param(
                "--create-bucket-configuration",
                ParamKind::Structure("CreateBucketConfiguration", &CREATE_BUCKET_CONFIGURATION),
            ),
        ],
        create_bucket,
    ),
    op("delete-bucket", "DeleteBucket", &[BUCKET], delete_bucket),
    op(
        "delete-bucket-lifecycle",
        "DeleteBucketLifecycle",
        &[BUCKET],
        delete_bucket_lifecycle,
    ),
    op(
        "delete-object",
        "DeleteObject",
        &[BUCKET, KEY, VERSION_ID],
        delete_object,
    ),
    op(
        "get-bucket-lifecycle-configuration",
        "GetBucketLifecycleConfiguration",
        &[BUCKET],
        get_bucket_lifecycle,
    ),
    op(
        "get-bucket-notification-configuration",
        "GetBucketNotificationConfiguration",
        &[BUCKET],
        get_bucket_notification_configuration,
    ),
    op(
        "get-bucket-replication",
        "GetBucketReplication",
        &[BUCKET],
        get_bucket_replication,
    ),
    op(
        "get-bucket-versioning",
        "GetBucketVersioning",
        &[BUCKET],
        get_bucket_versioning,
    ),
    Operation {
        service: "s3api",
        name: "get-object",
        api_name: "GetObject",
        params: &[BUCKET, KEY, VERSION_ID],
        positional: Some("outfile"),
        call: get_object,
    },
    op("head-bucket", "HeadBucket", &[BUCKET], head_bucket),
    op(
        "head-object",
        "HeadObject",
        &[BUCKET, KEY, VERSION_ID],
        head_object,
    ),
    op("list-buckets", "ListBuckets", &[], list_buckets),
    op(
        "list-objects-v2",
        "ListObjectsV2",
        &[
            BUCKET,
            param("--prefix", ParamKind::String),
            param("--delimiter", ParamKind::String),
            param("--start-after", ParamKind::String),
            param("--max-items", ParamKind::Integer),
            param("--page-size", ParamKind::Integer),
            param("--starting-token", ParamKind::String),
        ],
        list_objects_v2,
    ),
    op(
        "put-bucket-lifecycle-configuration",
        "PutBucketLifecycleConfiguration",
        &[
            BUCKET,
            param(
                "--lifecycle-configuration",
                ParamKind::Structure("LifecycleConfiguration", &LIFECYCLE_CONFIGURATION),
            ),
        ],
        put_bucket_lifecycle,
    ),
    op(
        "put-bucket-notification-configuration",
        "PutBucketNotificationConfiguration",
        &[
            BUCKET,
            required(
                "--notification-configuration",
                ParamKind::Structure("NotificationConfiguration", &NOTIFICATION_CONFIGURATION),
            ),
        ],
        put_bucket_notification_configuration,
    ),
    op(
        "put-bucket-replication",
        "PutBucketReplication",
        &[
            BUCKET,
            required(
                "--replication-configuration",
                ParamKind::Structure("ReplicationConfiguration", &REPLICATION_CONFIGURATION),
            ),
        ],
        put_bucket_replication,
    ),
    op(
        "put-bucket-versioning",
        "PutBucketVersioning",
        &[
            BUCKET,
            required(
                "--versioning-configuration",
                ParamKind::Structure("VersioningConfiguration", &VERSIONING_CONFIGURATION),
            ),
        ],
        put_bucket_versioning,
    ),
    op(
        "put-object",
        "PutObject",
        &[
            BUCKET,
            KEY,
            param("--body", ParamKind::Blob),
            param("--content-type", ParamKind::String),
            param("--storage-class", ParamKind::String),
            param(
                "--metadata",
                ParamKind::Structure("Metadata", &Shape::StringMap),
            ),
            param("--tagging", ParamKind::String),
        ],
        put_object,
    ),
    Operation {
        service: "s3api",
        name: "select-object-content",
        api_name: "SelectObjectContent",
        params: &[
            BUCKET,
            KEY,
            required("--expression", ParamKind::String),
            required("--expression-type", ParamKind::String),
            required(
                "--input-serialization",
                ParamKind::Structure("InputSerialization", &INPUT_SERIALIZATION),
            ),
            required(
                "--output-serialization",
                ParamKind::Structure("OutputSerialization", &OUTPUT_SERIALIZATION),
            ),
        ],
        positional: Some("outfile"),
        call: select_object_content,
    },
    op(
        "restore-object",
        "RestoreObject",
        &[
            BUCKET,
            KEY,
            VERSION_ID,
            param(
                "--restore-request",
                ParamKind::Structure("RestoreRequest", &RESTORE_REQUEST),
            ),
        ],
        restore_object,
    ),
];

/// Timestamps as the CLI prints them: ISO 8601 with `+00:00` (microseconds when not whole).
pub fn cli_time(ms: Millis) -> String {
    let time = chrono::DateTime::from_timestamp_millis(ms).expect("clock instants are valid");
    if ms.rem_euclid(1000) == 0 {
        time.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
    }
}

/// HTTP dates, as S3 puts them inside headers such as `x-amz-restore`.
fn http_date(ms: Millis) -> String {
    let time = chrono::DateTime::from_timestamp_millis(ms).expect("clock instants are valid");
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn storage_class(text: Option<&str>) -> Result<StorageClass, CallError> {
    match text {
        None => Ok(StorageClass::Standard),
        Some(text) => StorageClass::parse(text).ok_or_else(|| S3Error::InvalidStorageClass.into()),
    }
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    let entries = value.and_then(Value::as_object).into_iter().flatten();
    entries
        .map(|(k, v)| (k.to_lowercase(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// `--tagging "k=v&k2=v2"`: a URL query string, as the API takes it.
fn tagging(text: Option<&str>) -> Result<BTreeMap<String, String>, CallError> {
    let mut tags = BTreeMap::new();
    for pair in text
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if tags.insert(key.to_string(), value.to_string()).is_some() {
            return Err(S3Error::InvalidArgument {
                message: "The TagKey you have provided is invalid".into(),
            }
            .into());
        }
    }
    Ok(tags)
}

/// Drops nulls and empty lists/objects, as the CLI omits members a response does not have.
pub fn pruned(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(k, v)| (k, pruned(v)))
                .filter(|(_, v)| {
                    !(v.is_null()
                        || v.as_array().is_some_and(Vec::is_empty)
                        || v.as_object().is_some_and(Map::is_empty))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pruned).collect()),
        other => other,
    }
}

fn create_bucket(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = args.required_text("--bucket");
    let constraint = args
        .json("--create-bucket-configuration")
        .and_then(|c| c["LocationConstraint"].as_str());
    let region = check_location(&args.region, constraint)?;
    let (services, mut env) = ctx.world.split();
    services.s3.create_bucket(&mut env, bucket, &region)?;
    let location = if region == super::DEFAULT_REGION {
        format!("/{bucket}")
    } else {
        format!("http://{bucket}.s3.amazonaws.com/")
    };
    Ok(json!({ "Location": location }))
}

/// S3's region rules for CreateBucket: outside us-east-1 the request must name its region.
pub fn check_location(region: &str, constraint: Option<&str>) -> Result<String, CallError> {
    let api = |code: &str, message: &str| CallError::api(code, message, None);
    match constraint {
        None if region != super::DEFAULT_REGION => Err(api(
            "IllegalLocationConstraintException",
            "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
        )),
        Some("us-east-1") => Err(api(
            "InvalidLocationConstraint",
            "The specified location-constraint is not valid",
        )),
        Some(constraint) if constraint != region => Err(api(
            "IllegalLocationConstraintException",
            &format!(
                "The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to."
            ),
        )),
        _ => Ok(region.to_string()),
    }
}

fn delete_bucket(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .s3
        .delete_bucket(&mut env, args.required_text("--bucket"))?;
    Ok(json!({}))
}

fn head_bucket(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))
        .map_err(not_found)?;
    Ok(json!({ "BucketRegion": bucket.region, "AccessPointAlias": false }))
}

/// HEAD requests have no body, so S3's error code never arrives: the CLI says `404 Not Found`.
fn not_found(_: S3Error) -> CallError {
    CallError::api("404", "Not Found", None)
}

fn list_buckets(ctx: &mut Ctx, _args: &Args) -> Result<Value, CallError> {
    let buckets: Vec<Value> = ctx
        .world
        .services()
        .s3
        .buckets()
        .map(|b| json!({ "Name": b.name, "CreationDate": cli_time(b.created_ms) }))
        .collect();
    Ok(json!({ "Buckets": buckets, "Owner": { "DisplayName": "learner", "ID": OWNER_ID } }))
}

/// The canonical user ID of the learner's account.
const OWNER_ID: &str = "8f4c1a9e2b7d3c6f0a5e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a";

fn put_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let request = PutObject {
        bucket: args.required_text("--bucket").to_string(),
        key: args.required_text("--key").to_string(),
        body: args.bytes("--body").unwrap_or_default().to_vec(),
        content_type: args.text("--content-type").map(str::to_string),
        storage_class: storage_class(args.text("--storage-class"))?,
        metadata: string_map(args.json("--metadata")),
        tags: tagging(args.text("--tagging"))?,
    };
    let (services, mut env) = ctx.world.split();
    let output = services.s3.put_object(&mut env, request)?;
    let mut response = json!({ "ETag": output.etag, "ServerSideEncryption": "AES256" });
    if let Some(version_id) = output.version_id {
        response["VersionId"] = json!(version_id);
    }
    Ok(response)
}

fn object_ref(args: &Args) -> ObjectRef<'_> {
    ObjectRef {
        bucket: args.required_text("--bucket"),
        key: args.required_text("--key"),
        version_id: args.text("--version-id"),
    }
}

/// GetObject and HeadObject's description of a version.
fn object_headers(version: &ObjectVersion, now_ms: Millis) -> Value {
    let object = version.object.as_ref().expect("only objects are described");
    let mut headers = json!({
        "AcceptRanges": "bytes",
        "LastModified": cli_time(version.last_modified_ms),
        "ContentLength": object.size,
        "ETag": object.etag,
    });
    if version.version_id != "null" {
        headers["VersionId"] = json!(version.version_id);
    }
    headers["ContentType"] = json!(object.content_type);
    headers["ServerSideEncryption"] = json!("AES256");
    headers["Metadata"] = json!(object.metadata);
    if object.storage_class != StorageClass::Standard {
        headers["StorageClass"] = json!(object.storage_class.as_str());
    }
    if let Some(restore) = object.restore {
        headers["Restore"] = json!(match restore.expires_ms {
            Some(expires) if expires > now_ms => format!(
                "ongoing-request=\"false\", expiry-date=\"{}\"",
                http_date(expires)
            ),
            _ => "ongoing-request=\"true\"".to_string(),
        });
    }
    if let Some(status) = object.replication {
        headers["ReplicationStatus"] = json!(status.as_str());
    }
    if !object.tags.is_empty() {
        headers["TagCount"] = json!(object.tags.len());
    }
    headers
}

fn get_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let now = ctx.world.now_ms();
    let world = &*ctx.world;
    let (version, bytes) = world
        .services()
        .s3
        .read(world.blobs(), now, object_ref(args))?;
    let headers = object_headers(version, now);
    ctx.files
        .write(args.positional(), bytes)
        .map_err(|err| CallError::NotSimulated(format!("cannot write {err}")))?;
    Ok(headers)
}

fn head_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let s3 = &ctx.world.services().s3;
    let target = object_ref(args);
    let version = s3
        .version(target.bucket, target.key, target.version_id)
        .map_err(not_found)?;
    if version.object.is_none() {
        return Err(not_found(S3Error::NoSuchKey));
    }
    Ok(object_headers(version, ctx.world.now_ms()))
}

fn delete_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let target = object_ref(args);
    let (services, mut env) = ctx.world.split();
    let output =
        services
            .s3
            .delete_object(&mut env, target.bucket, target.key, target.version_id)?;
    let mut response = json!({});
    if output.delete_marker {
        response["DeleteMarker"] = json!(true);
    }
    if let Some(version_id) = output.version_id.filter(|id| id != "null") {
        response["VersionId"] = json!(version_id);
    }
    Ok(response)
}

/// `--copy-source bucket/key` or `bucket/key?versionId=…`.
fn copy_source(text: &str) -> Result<(String, String, Option<String>), CallError> {
    let (path, version) = match text.split_once("?versionId=") {
        Some((path, version)) => (path, Some(version.to_string())),
        None => (text, None),
    };
    let (bucket, key) = path
        .trim_start_matches('/')
        .split_once('/')
        .ok_or_else(|| {
            CallError::api(
                "InvalidArgument",
                "Invalid copy source object key",
                Some("write --copy-source as bucket/key".into()),
            )
        })?;
    Ok((bucket.to_string(), key.to_string(), version))
}

fn copy_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let replace = args.text("--metadata-directive") == Some("REPLACE");
    let request = CopyObject {
        source: copy_source(args.required_text("--copy-source"))?,
        bucket: args.required_text("--bucket").to_string(),
        key: args.required_text("--key").to_string(),
        storage_class: args
            .text("--storage-class")
            .map(|c| storage_class(Some(c)))
            .transpose()?,
        metadata: replace.then(|| string_map(args.json("--metadata"))),
    };
    let source_version = request.source.2.clone();
    let (services, mut env) = ctx.world.split();
    let output = services.s3.copy_object(&mut env, request)?;
    let mut response = json!({ "ServerSideEncryption": "AES256" });
    if let Some(version_id) = source_version {
        response["CopySourceVersionId"] = json!(version_id);
    }
    if let Some(version_id) = output.version_id {
        response["VersionId"] = json!(version_id);
    }
    response["CopyObjectResult"] =
        json!({ "ETag": output.etag, "LastModified": cli_time(env.now_ms) });
    Ok(response)
}

fn restore_object(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let request = args
        .json("--restore-request")
        .cloned()
        .unwrap_or(Value::Null);
    let days = request["Days"].as_i64().ok_or(S3Error::MalformedXml)?;
    let tier_name = request["GlacierJobParameters"]["Tier"]
        .as_str()
        .or(request["Tier"].as_str())
        .unwrap_or("Standard");
    let tier = Tier::parse(tier_name).ok_or(S3Error::MalformedXml)?;
    let target = object_ref(args);
    if target.version_id.is_some() {
        return Err(CallError::NotSimulated(
            "restoring a specific version".into(),
        ));
    }
    let days = u32::try_from(days).map_err(|_| S3Error::MalformedXml)?;
    let (services, mut env) = ctx.world.split();
    match services
        .s3
        .restore_object(&mut env, target.bucket, target.key, days, tier)?
    {
        RestoreOutcome::Started { .. } | RestoreOutcome::Extended { .. } => Ok(json!({})),
    }
}

fn list_objects_v2(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))?;
    let prefix = args.text("--prefix").unwrap_or_default().to_string();
    let max_items = args.integer("--max-items").map(|n| n.max(1) as usize);
    let page_size = args
        .integer("--page-size")
        .map(|n| n.clamp(1, s3::MAX_KEYS_MAX as i64) as usize);
    let mut request = ListObjectsRequest {
        prefix: prefix.clone(),
        delimiter: args.text("--delimiter").map(str::to_string),
        start_after: args.text("--start-after").map(str::to_string),
        continuation_token: args.text("--starting-token").map(str::to_string),
        max_keys: page_size,
    };
    let (mut contents, mut prefixes, mut next_token) = (Vec::new(), Vec::new(), None);
    // The CLI fetches page after page until done, or until --max-items are shown.
    loop {
        if let Some(max) = max_items {
            request.max_keys = Some(
                page_size
                    .unwrap_or(s3::MAX_KEYS_MAX)
                    .min(max - contents.len() - prefixes.len()),
            );
        }
        let page = bucket.list(&request)?;
        contents.extend(page.contents.iter().map(|o| {
            json!({ "Key": o.key, "LastModified": cli_time(o.last_modified_ms), "ETag": o.etag, "Size": o.size, "StorageClass": o.storage_class.as_str() })
        }));
        prefixes.extend(page.common_prefixes.iter().map(|p| json!({ "Prefix": p })));
        let full = max_items.is_some_and(|max| contents.len() + prefixes.len() >= max);
        match page.next_continuation_token {
            Some(token) if full => {
                next_token = Some(token);
                break;
            }
            Some(token) => request.continuation_token = Some(token),
            None => break,
        }
    }
    let mut response = json!({});
    if !contents.is_empty() {
        response["Contents"] = json!(contents);
    }
    if !prefixes.is_empty() {
        response["CommonPrefixes"] = json!(prefixes);
    }
    response["RequestCharged"] = Value::Null;
    response["Prefix"] = json!(prefix);
    if let Some(token) = next_token {
        response["NextToken"] = json!(token);
    }
    Ok(response)
}

fn put_bucket_lifecycle(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let value = args
        .json("--lifecycle-configuration")
        .cloned()
        .ok_or(S3Error::MalformedXml)?;
    let config: LifecycleConfiguration =
        serde_json::from_value(value).map_err(|_| S3Error::MalformedXml)?;
    let (services, mut env) = ctx.world.split();
    services
        .s3
        .put_lifecycle(&mut env, args.required_text("--bucket"), config)?;
    Ok(json!({ "TransitionDefaultMinimumObjectSize": "all_storage_classes_128K" }))
}

fn get_bucket_lifecycle(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))?;
    let config = bucket
        .lifecycle
        .as_ref()
        .ok_or(S3Error::NoSuchLifecycleConfiguration)?;
    let rules = pruned(serde_json::to_value(&config.rules).expect("rules serialise"));
    Ok(json!({ "TransitionDefaultMinimumObjectSize": "all_storage_classes_128K", "Rules": rules }))
}

fn delete_bucket_lifecycle(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .s3
        .delete_lifecycle(&mut env, args.required_text("--bucket"))?;
    Ok(json!({}))
}

fn put_bucket_notification_configuration(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let value = args.json("--notification-configuration").expect("required");
    let config = NotificationConfiguration::parse(value)?;
    let bucket = args.required_text("--bucket");
    let source = format!("arn:aws:s3:::{bucket}");
    let (services, mut env) = ctx.world.split();
    let lambda = &services.lambda;
    let sqs = &services.sqs;
    // S3 checks that each destination exists and accepts its events before saving.
    let accepts = |d: &Destination| {
        if d.arn.contains(":lambda:") {
            lambda
                .check_invoke_permission(lambda::name_of(&d.arn), "s3.amazonaws.com", &source)
                .is_ok()
        } else {
            let queue = d.arn.rsplit(':').next().unwrap_or_default();
            sqs.queue(&queue_url(queue)).is_ok()
        }
    };
    services
        .s3
        .put_notifications(&mut env, bucket, config, accepts)?;
    Ok(json!({}))
}

fn get_bucket_notification_configuration(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))?;
    Ok(bucket.notifications.to_json())
}

fn put_bucket_replication(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let value = args
        .json("--replication-configuration")
        .cloned()
        .expect("required");
    let config: ReplicationConfiguration =
        serde_json::from_value(value).map_err(|_| S3Error::MalformedXml)?;
    let (services, mut env) = ctx.world.split();
    services
        .s3
        .put_replication(&mut env, args.required_text("--bucket"), config)?;
    Ok(json!({}))
}

fn get_bucket_replication(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))?;
    let config = bucket
        .replication
        .as_ref()
        .ok_or(S3Error::ReplicationConfigurationNotFound)?;
    Ok(
        json!({ "ReplicationConfiguration": pruned(serde_json::to_value(config).expect("configuration serialises")) }),
    )
}

fn put_bucket_versioning(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let status = args
        .json("--versioning-configuration")
        .and_then(|c| c["Status"].as_str())
        .unwrap_or_default();
    let enabled = match status {
        "Enabled" => true,
        "Suspended" => false,
        _ => return Err(S3Error::MalformedXml.into()),
    };
    let (services, mut env) = ctx.world.split();
    services
        .s3
        .put_bucket_versioning(&mut env, args.required_text("--bucket"), enabled)?;
    Ok(json!({}))
}

fn get_bucket_versioning(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let bucket = ctx
        .world
        .services()
        .s3
        .bucket(args.required_text("--bucket"))?;
    Ok(match bucket.versioning {
        s3::Versioning::Unversioned => json!({}),
        s3::Versioning::Enabled => json!({ "Status": "Enabled" }),
        s3::Versioning::Suspended => json!({ "Status": "Suspended" }),
    })
}

/// The first character of a serialisation setting, or the API's default.
fn setting_char(value: &Value, name: &str, default: char) -> char {
    value[name]
        .as_str()
        .and_then(|s| s.chars().next())
        .unwrap_or(default)
}

fn select_input(value: &Value) -> Result<SelectInput, CallError> {
    let invalid = |message: &str| CallError::api("InvalidRequest", message, None);
    let formats = ["CSV", "JSON", "Parquet"]
        .iter()
        .filter(|f| !value[**f].is_null())
        .count();
    if formats != 1 {
        return Err(invalid(
            "The InputSerialization must specify exactly one of CSV, JSON or Parquet",
        ));
    }
    if !value["JSON"].is_null() {
        return match value["JSON"]["Type"].as_str() {
            Some("LINES") => Ok(SelectInput::Json(JsonType::Lines)),
            Some("DOCUMENT") => Ok(SelectInput::Json(JsonType::Document)),
            _ => Err(invalid("The JSON Type must be DOCUMENT or LINES")),
        };
    }
    if !value["Parquet"].is_null() {
        return Ok(SelectInput::Parquet);
    }
    let csv = &value["CSV"];
    let header = match csv["FileHeaderInfo"].as_str().unwrap_or("NONE") {
        "USE" => FileHeaderInfo::Use,
        "IGNORE" => FileHeaderInfo::Ignore,
        "NONE" => FileHeaderInfo::None,
        _ => return Err(invalid("FileHeaderInfo must be USE, IGNORE or NONE")),
    };
    Ok(SelectInput::Csv(CsvInput {
        file_header_info: header,
        field_delimiter: setting_char(csv, "FieldDelimiter", ','),
        quote_character: setting_char(csv, "QuoteCharacter", '"'),
        quote_escape_character: setting_char(csv, "QuoteEscapeCharacter", '"'),
        record_delimiter: setting_char(csv, "RecordDelimiter", '\n'),
        comments: csv["Comments"].as_str().and_then(|c| c.chars().next()),
        allow_quoted_record_delimiter: csv["AllowQuotedRecordDelimiter"].as_bool().unwrap_or(false),
    }))
}

fn select_output(value: &Value) -> SelectOutput {
    let text =
        |v: &Value, name: &str, default: &str| v[name].as_str().unwrap_or(default).to_string();
    match value.get("CSV") {
        Some(csv) => SelectOutput::Csv {
            field_delimiter: text(csv, "FieldDelimiter", ","),
            record_delimiter: text(csv, "RecordDelimiter", "\n"),
            quote_always: csv["QuoteFields"].as_str() == Some("ALWAYS"),
        },
        None => SelectOutput::Json {
            record_delimiter: text(&value["JSON"], "RecordDelimiter", "\n"),
        },
    }
}

/// SelectObjectContent: the records go to `outfile`; the CLI prints nothing.
fn select_object_content(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    if args.required_text("--expression-type") != "SQL" {
        return Err(CallError::api(
            "InvalidExpressionType",
            "The ExpressionType is invalid. Only SQL expressions are supported.",
            None,
        ));
    }
    let input = select_input(args.json("--input-serialization").expect("required"))?;
    let output = select_output(args.json("--output-serialization").expect("required"));
    let world = &*ctx.world;
    let result = world.services().s3.select_object(
        world.blobs(),
        world.now_ms(),
        object_ref(args),
        args.required_text("--expression"),
        &input,
        &output,
    )?;
    ctx.files
        .write(args.positional(), &result.payload)
        .map_err(|err| CallError::NotSimulated(format!("cannot write {err}")))?;
    Ok(json!({}))
}
