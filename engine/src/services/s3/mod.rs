//! Amazon S3: buckets, versioned objects with storage classes, restores from the archive
//! classes, lifecycle rules evaluated every simulated midnight, and replication. Object bytes
//! live in the world's blob store; this state keeps their metadata.

mod lifecycle;
mod list;
pub mod notifications;
mod replication;
mod select;
mod storage_class;

pub use notifications::NotificationConfiguration;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use lifecycle::{
    Expiration, LifecycleConfiguration, LifecycleFilter, LifecycleRule,
    NoncurrentVersionExpiration, Transition,
};
pub use list::{ListObjectsRequest, ListPage, MAX_KEYS_MAX, ObjectSummary};
pub use replication::{ReplicationConfiguration, ReplicationDestination, ReplicationRule};
pub use select::{SelectOutput, SelectResult};
pub use storage_class::{PRICES_AS_OF, StorageClass, Tier};

use crate::sim::{BlobId, BlobStore, Env, Event, Millis};

const DAY_MS: Millis = 86_400_000;
/// S3 rejects keys longer than this many bytes.
const KEY_BYTES_MAX: usize = 1024;
/// Buckets per account (the default quota).
const BUCKETS_MAX: usize = 100;
/// Bucket names other AWS customers already own in this world, so that the shared namespace
/// (and BucketAlreadyExists) can be taught.
const NAMES_TAKEN_ELSEWHERE: &[&str] = &[
    "test",
    "data",
    "logs",
    "backup",
    "bucket",
    "my-bucket",
    "example",
    "images",
    "aws",
    "s3",
];

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct S3 {
    buckets: BTreeMap<String, Bucket>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    Unversioned,
    Enabled,
    Suspended,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    pub created_ms: Millis,
    pub versioning: Versioning,
    /// Every key's versions, oldest first; the last one is current.
    objects: BTreeMap<String, Vec<ObjectVersion>>,
    pub lifecycle: Option<LifecycleConfiguration>,
    pub replication: Option<ReplicationConfiguration>,
    #[serde(default)]
    pub notifications: NotificationConfiguration,
}

/// One version of a key: an object, or a delete marker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectVersion {
    /// `"null"` for objects written while versioning was off or suspended, as S3 reports it.
    pub version_id: String,
    pub last_modified_ms: Millis,
    /// When a newer version replaced this one (for noncurrent-version lifecycle rules).
    pub noncurrent_since_ms: Option<Millis>,
    pub object: Option<Object>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Object {
    pub blob: BlobId,
    pub size: u64,
    /// The MD5 of the bytes in hex, quoted, as S3 returns single-part ETags.
    pub etag: String,
    pub content_type: String,
    pub storage_class: StorageClass,
    /// When the object entered its storage class (minimum-duration charges start here).
    pub class_since_ms: Millis,
    pub metadata: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub restore: Option<Restore>,
    pub replication: Option<ReplicationStatus>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restore {
    pub tier: Tier,
    pub days: u32,
    pub completes_ms: Millis,
    /// Set when the restore completes: the temporary copy is readable until then.
    pub expires_ms: Option<Millis>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicationStatus {
    Pending,
    Completed,
    Failed,
    Replica,
}

impl ReplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicationStatus::Pending => "PENDING",
            ReplicationStatus::Completed => "COMPLETED",
            ReplicationStatus::Failed => "FAILED",
            ReplicationStatus::Replica => "REPLICA",
        }
    }
}

/// Work S3 does later on the simulated clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum S3Event {
    /// Lifecycle rules run once a day at 00:00 UTC while any bucket has them.
    LifecycleDaily,
    RestoreCompleted {
        bucket: String,
        key: String,
        version_id: String,
    },
    RestoreExpired {
        bucket: String,
        key: String,
        version_id: String,
    },
    Replicate {
        bucket: String,
        key: String,
        version_id: String,
        rule_id: String,
    },
    /// An event notification on its way to a function or queue (the world delivers it).
    Notify(notifications::Delivery),
}

impl S3Event {
    pub fn describe(&self) -> String {
        match self {
            S3Event::LifecycleDaily => "s3: evaluate lifecycle rules".into(),
            S3Event::RestoreCompleted { bucket, key, .. } => {
                format!("s3: restore of s3://{bucket}/{key} completes")
            }
            S3Event::RestoreExpired { bucket, key, .. } => {
                format!("s3: restored copy of s3://{bucket}/{key} expires")
            }
            S3Event::Replicate { bucket, key, .. } => format!("s3: replicate s3://{bucket}/{key}"),
            S3Event::Notify(delivery) => {
                format!("s3: notify {} about s3://{}", delivery.arn, delivery.bucket)
            }
        }
    }
}

/// Why an S3 call failed. `code()` and `message()` are S3's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S3Error {
    NoSuchBucket,
    NoSuchKey,
    NoSuchVersion,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    InvalidBucketName {
        reason: String,
    },
    TooManyBuckets,
    BucketNotEmpty {
        versioned: bool,
    },
    KeyTooLong,
    /// Reading (or copying from) an archived object that has not been restored.
    ObjectNotReadable,
    /// Restoring an object that is not in an archive class.
    RestoreNotAllowed,
    RestoreAlreadyInProgress,
    InvalidStorageClass,
    InvalidArgument {
        message: String,
    },
    InvalidRequest {
        message: String,
    },
    MalformedXml,
    NoSuchLifecycleConfiguration,
    ReplicationConfigurationNotFound,
    /// A real S3 feature the playground does not simulate; the shell says so plainly.
    NotSimulated {
        what: String,
    },
    /// S3 Select's own errors (`UnsupportedSqlOperation`, `InvalidColumnIndex`, `CastFailed` …).
    Select {
        code: String,
        message: String,
    },
}

impl S3Error {
    pub fn code(&self) -> &str {
        match self {
            S3Error::NoSuchBucket => "NoSuchBucket",
            S3Error::NoSuchKey => "NoSuchKey",
            S3Error::NoSuchVersion => "NoSuchVersion",
            S3Error::BucketAlreadyExists => "BucketAlreadyExists",
            S3Error::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            S3Error::InvalidBucketName { .. } => "InvalidBucketName",
            S3Error::TooManyBuckets => "TooManyBuckets",
            S3Error::BucketNotEmpty { .. } => "BucketNotEmpty",
            S3Error::KeyTooLong => "KeyTooLongError",
            S3Error::ObjectNotReadable | S3Error::RestoreNotAllowed => "InvalidObjectState",
            S3Error::RestoreAlreadyInProgress => "RestoreAlreadyInProgress",
            S3Error::InvalidStorageClass => "InvalidStorageClass",
            S3Error::InvalidArgument { .. } => "InvalidArgument",
            S3Error::InvalidRequest { .. } => "InvalidRequest",
            S3Error::MalformedXml => "MalformedXML",
            S3Error::NoSuchLifecycleConfiguration => "NoSuchLifecycleConfiguration",
            S3Error::ReplicationConfigurationNotFound => "ReplicationConfigurationNotFoundError",
            S3Error::NotSimulated { .. } => "NotSimulated",
            S3Error::Select { code, .. } => code,
        }
    }

    pub fn message(&self) -> String {
        match self {
            S3Error::NoSuchBucket => "The specified bucket does not exist".into(),
            S3Error::NoSuchKey => "The specified key does not exist.".into(),
            S3Error::NoSuchVersion => "The specified version does not exist.".into(),
            S3Error::BucketAlreadyExists => "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.".into(),
            S3Error::BucketAlreadyOwnedByYou => "Your previous request to create the named bucket succeeded and you already own it.".into(),
            S3Error::InvalidBucketName { .. } => "The specified bucket is not valid.".into(),
            S3Error::TooManyBuckets => "You have attempted to create more buckets than allowed".into(),
            S3Error::BucketNotEmpty { versioned: false } => "The bucket you tried to delete is not empty".into(),
            S3Error::BucketNotEmpty { versioned: true } => "The bucket you tried to delete is not empty. You must delete all versions in the bucket.".into(),
            S3Error::KeyTooLong => "Your key is too long".into(),
            S3Error::ObjectNotReadable => "The operation is not valid for the object's storage class".into(),
            S3Error::RestoreNotAllowed => "Restore is not allowed for the object's current storage class".into(),
            S3Error::RestoreAlreadyInProgress => "Object restore is already in progress".into(),
            S3Error::InvalidStorageClass => "The storage class you specified is not valid".into(),
            S3Error::InvalidArgument { message } | S3Error::InvalidRequest { message } => message.clone(),
            S3Error::MalformedXml => "The XML you provided was not well-formed or did not validate against our published schema".into(),
            S3Error::NoSuchLifecycleConfiguration => "The lifecycle configuration does not exist".into(),
            S3Error::ReplicationConfigurationNotFound => "The replication configuration was not found".into(),
            S3Error::NotSimulated { what } => format!("{what} is not simulated by the playground"),
            S3Error::Select { message, .. } => message.clone(),
        }
    }

    /// Our own explanation for learners, printed after S3's words where it helps.
    pub fn hint(&self) -> Option<String> {
        match self {
            S3Error::InvalidBucketName { reason } => Some(reason.clone()),
            S3Error::BucketAlreadyExists => {
                Some("bucket names are global across all AWS accounts; add something unique, e.g. your name and a date".into())
            }
            S3Error::ObjectNotReadable => Some(
                "objects in GLACIER or DEEP_ARCHIVE must be restored first: aws s3api restore-object --bucket B --key K --restore-request '{\"Days\":1,\"GlacierJobParameters\":{\"Tier\":\"Standard\"}}'"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// A new object's contents and attributes.
#[derive(Clone, Debug)]
pub struct PutObject {
    pub bucket: String,
    pub key: String,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub storage_class: StorageClass,
    pub metadata: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
}

impl PutObject {
    pub fn new(bucket: &str, key: &str, body: Vec<u8>) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: key.to_string(),
            body,
            content_type: None,
            storage_class: StorageClass::Standard,
            metadata: BTreeMap::new(),
            tags: BTreeMap::new(),
        }
    }
}

/// Names one object version: the current one when `version_id` is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectRef<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version_id: Option<&'a str>,
}

/// CopyObject's parameters: source (bucket, key, version), destination, and what changes.
#[derive(Clone, Debug)]
pub struct CopyObject {
    pub source: (String, String, Option<String>),
    pub bucket: String,
    pub key: String,
    pub storage_class: Option<StorageClass>,
    pub metadata: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutObjectOutput {
    pub etag: String,
    pub version_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteObjectOutput {
    pub delete_marker: bool,
    pub version_id: Option<String>,
}

/// Whether a restore request started one or extended a finished one (S3's 202 vs 200).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreOutcome {
    Started { completes_ms: Millis },
    Extended { expires_ms: Millis },
}

/// S3's bucket naming rules, with the rule that was broken.
pub fn check_bucket_name(name: &str) -> Result<(), S3Error> {
    let fail = |reason: &str| {
        Err(S3Error::InvalidBucketName {
            reason: format!("`{name}`: {reason}"),
        })
    };
    if !(3..=63).contains(&name.len()) {
        return fail("bucket names are 3 to 63 characters long");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return fail("only lowercase letters, digits, hyphens and dots are allowed");
    }
    let first_last = [name.chars().next(), name.chars().last()];
    if first_last
        .iter()
        .any(|c| !c.is_some_and(|c| c.is_ascii_alphanumeric()))
    {
        return fail("a bucket name must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return fail("two dots in a row are not allowed");
    }
    if name.split('.').count() == 4 && name.split('.').all(|part| part.parse::<u8>().is_ok()) {
        return fail("a bucket name must not look like an IP address");
    }
    if name.starts_with("xn--")
        || name.starts_with("sthree-")
        || name.ends_with("-s3alias")
        || name.ends_with("--ol-s3")
    {
        return fail(
            "names beginning xn-- or sthree-, or ending -s3alias or --ol-s3, are reserved",
        );
    }
    Ok(())
}

/// The quoted MD5 hex S3 uses as a single-part upload's ETag.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", crate::services::md5_hex(bytes))
}

/// How a lifecycle or replication rule starts when the S3 panel lists it in a line: its ID,
/// what it applies to, and whether it is off, as in `archive-logs (log-*) [Disabled]`.
fn rule_heading(id: Option<&str>, prefix: &str, enabled: bool) -> String {
    let name = id.unwrap_or("(no ID)");
    let scope = if prefix.is_empty() {
        "every object".to_string()
    } else {
        format!("{prefix}*")
    };
    let off = if enabled { "" } else { " [Disabled]" };
    format!("{name} ({scope}){off}")
}

/// The next 00:00 UTC at or after `ms`: lifecycle actions and restore expiries happen then.
pub fn midnight_at_or_after(ms: Millis) -> Millis {
    ms.div_euclid(DAY_MS) * DAY_MS
        + if ms.rem_euclid(DAY_MS) == 0 {
            0
        } else {
            DAY_MS
        }
}

impl S3 {
    pub fn bucket(&self, name: &str) -> Result<&Bucket, S3Error> {
        self.buckets.get(name).ok_or(S3Error::NoSuchBucket)
    }

    fn bucket_mut(&mut self, name: &str) -> Result<&mut Bucket, S3Error> {
        self.buckets.get_mut(name).ok_or(S3Error::NoSuchBucket)
    }

    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.values()
    }

    pub fn create_bucket(
        &mut self,
        env: &mut Env,
        name: &str,
        region: &str,
    ) -> Result<(), S3Error> {
        check_bucket_name(name)?;
        if self.buckets.contains_key(name) {
            return Err(S3Error::BucketAlreadyOwnedByYou);
        }
        if NAMES_TAKEN_ELSEWHERE.contains(&name) {
            return Err(S3Error::BucketAlreadyExists);
        }
        if self.buckets.len() >= BUCKETS_MAX {
            return Err(S3Error::TooManyBuckets);
        }
        let bucket = Bucket {
            name: name.to_string(),
            region: region.to_string(),
            created_ms: env.now_ms,
            versioning: Versioning::Unversioned,
            objects: BTreeMap::new(),
            lifecycle: None,
            replication: None,
            notifications: NotificationConfiguration::default(),
        };
        self.buckets.insert(name.to_string(), bucket);
        env.record(
            "s3",
            "bucket-created",
            vec![("bucket", name.into()), ("region", region.into())],
        );
        Ok(())
    }

    pub fn delete_bucket(&mut self, env: &mut Env, name: &str) -> Result<(), S3Error> {
        let bucket = self.bucket(name)?;
        if !bucket.objects.is_empty() {
            return Err(S3Error::BucketNotEmpty {
                versioned: bucket.versioning != Versioning::Unversioned,
            });
        }
        self.buckets.remove(name);
        env.record("s3", "bucket-deleted", vec![("bucket", name.into())]);
        Ok(())
    }

    pub fn put_bucket_versioning(
        &mut self,
        env: &mut Env,
        name: &str,
        enabled: bool,
    ) -> Result<(), S3Error> {
        let bucket = self.bucket_mut(name)?;
        bucket.versioning = if enabled {
            Versioning::Enabled
        } else {
            Versioning::Suspended
        };
        let status = if enabled { "Enabled" } else { "Suspended" };
        env.record(
            "s3",
            "versioning-set",
            vec![("bucket", name.into()), ("status", status.into())],
        );
        Ok(())
    }

    pub fn put_object(
        &mut self,
        env: &mut Env,
        request: PutObject,
    ) -> Result<PutObjectOutput, S3Error> {
        self.write_object(env, request, "ObjectCreated:Put")
    }

    /// Stores a new object version and sends `event_name` to the bucket's notifications.
    fn write_object(
        &mut self,
        env: &mut Env,
        request: PutObject,
        event_name: &str,
    ) -> Result<PutObjectOutput, S3Error> {
        check_key(&request.key)?;
        let bucket = self.bucket_mut(&request.bucket)?;
        let version_id = bucket.next_version_id(env);
        let size = request.body.len() as u64;
        let etag = etag_of(&request.body);
        let object = Object {
            blob: env.blobs.put(request.body),
            size,
            etag: etag.clone(),
            content_type: request
                .content_type
                .unwrap_or_else(|| "binary/octet-stream".into()),
            storage_class: request.storage_class,
            class_since_ms: env.now_ms,
            metadata: request.metadata,
            tags: request.tags,
            restore: None,
            replication: None,
        };
        bucket.push_version(
            ObjectVersion {
                version_id: version_id.clone(),
                last_modified_ms: env.now_ms,
                noncurrent_since_ms: None,
                object: Some(object),
            },
            &request.key,
            env.now_ms,
        );
        env.record(
            "s3",
            "object-created",
            vec![
                ("bucket", request.bucket.as_str().into()),
                ("key", request.key.as_str().into()),
                ("size", size.into()),
                ("storage_class", request.storage_class.as_str().into()),
                ("version_id", version_id.as_str().into()),
            ],
        );
        replication::schedule_if_matching(bucket, env, &request.key, &version_id);
        bucket
            .notifications
            .notify(env, &request.bucket, &request.key, event_name, size, &etag);
        let version_id = (bucket.versioning != Versioning::Unversioned)
            .then_some(version_id)
            .filter(|id| id != "null");
        Ok(PutObjectOutput { etag, version_id })
    }

    /// The version `version_id` names (the current one when `None`), which must be an object.
    pub fn version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<&ObjectVersion, S3Error> {
        let versions = self
            .bucket(bucket)?
            .objects
            .get(key)
            .ok_or(S3Error::NoSuchKey)?;
        let version = match version_id {
            None => versions
                .last()
                .filter(|version| version.object.is_some())
                .ok_or(S3Error::NoSuchKey)?,
            Some(id) => versions
                .iter()
                .find(|version| version.version_id == id)
                .ok_or(S3Error::NoSuchVersion)?,
        };
        Ok(version)
    }

    /// An object's metadata and bytes, for GetObject: archived objects need a finished restore.
    pub fn read<'a>(
        &'a self,
        blobs: &'a BlobStore,
        now_ms: Millis,
        object: ObjectRef<'_>,
    ) -> Result<(&'a ObjectVersion, &'a [u8]), S3Error> {
        let version = self.version(object.bucket, object.key, object.version_id)?;
        let stored = version.object.as_ref().ok_or(S3Error::NoSuchKey)?;
        if !stored.readable_at(now_ms) {
            return Err(S3Error::ObjectNotReadable);
        }
        Ok((version, blobs.get(stored.blob)))
    }

    pub fn delete_object(
        &mut self,
        env: &mut Env,
        bucket_name: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteObjectOutput, S3Error> {
        let bucket = self.bucket_mut(bucket_name)?;
        let output = bucket.delete(env, key, version_id)?;
        let (kind, event_name) = if output.delete_marker {
            ("delete-marker-created", "ObjectRemoved:DeleteMarkerCreated")
        } else {
            ("object-deleted", "ObjectRemoved:Delete")
        };
        env.record(
            "s3",
            kind,
            vec![("bucket", bucket_name.into()), ("key", key.into())],
        );
        bucket
            .notifications
            .notify(env, bucket_name, key, event_name, 0, "");
        Ok(output)
    }

    /// CopyObject: the source must be readable; the copy gets a new class if asked.
    pub fn copy_object(
        &mut self,
        env: &mut Env,
        request: CopyObject,
    ) -> Result<PutObjectOutput, S3Error> {
        let CopyObject {
            source,
            bucket,
            key,
            storage_class,
            metadata,
        } = request;
        let source_ref = ObjectRef {
            bucket: &source.0,
            key: &source.1,
            version_id: source.2.as_deref(),
        };
        let (version, bytes) = self.read(env.blobs, env.now_ms, source_ref)?;
        let object = version.object.as_ref().expect("read returns objects");
        let same_place = (source.0.as_str(), source.1.as_str()) == (bucket.as_str(), key.as_str());
        if same_place && storage_class.is_none() && metadata.is_none() {
            return Err(S3Error::InvalidRequest {
                message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.".into(),
            });
        }
        let request = PutObject {
            bucket,
            key,
            body: bytes.to_vec(),
            content_type: Some(object.content_type.clone()),
            storage_class: storage_class.unwrap_or(StorageClass::Standard),
            metadata: metadata.unwrap_or_else(|| object.metadata.clone()),
            tags: object.tags.clone(),
        };
        self.write_object(env, request, "ObjectCreated:Copy")
    }

    pub fn restore_object(
        &mut self,
        env: &mut Env,
        bucket_name: &str,
        key: &str,
        days: u32,
        tier: Tier,
    ) -> Result<RestoreOutcome, S3Error> {
        if days == 0 {
            return Err(S3Error::MalformedXml);
        }
        let now = env.now_ms;
        let bucket = self.bucket_mut(bucket_name)?;
        let version = bucket.current_mut(key)?;
        let version_id = version.version_id.clone();
        let object = version.object.as_mut().ok_or(S3Error::NoSuchKey)?;
        if !object.storage_class.needs_restore() {
            return Err(S3Error::RestoreNotAllowed);
        }
        let (low, high) = tier
            .restore_window_ms(object.storage_class)
            .ok_or_else(|| S3Error::InvalidArgument {
                message: format!(
                    "{} retrieval is not supported for the {} storage class",
                    tier.as_str(),
                    object.storage_class.as_str()
                ),
            })?;
        match object.restore {
            Some(Restore {
                expires_ms: None, ..
            }) => return Err(S3Error::RestoreAlreadyInProgress),
            Some(Restore {
                expires_ms: Some(expires),
                ..
            }) if expires > now => {
                let expires_ms = midnight_at_or_after(now + days as Millis * DAY_MS);
                object.restore = Some(Restore {
                    tier,
                    days,
                    completes_ms: now,
                    expires_ms: Some(expires_ms),
                });
                return Ok(RestoreOutcome::Extended { expires_ms });
            }
            _ => {}
        }
        let completes_ms = now + env.rng.between(low, high);
        object.restore = Some(Restore {
            tier,
            days,
            completes_ms,
            expires_ms: None,
        });
        let event = S3Event::RestoreCompleted {
            bucket: bucket_name.into(),
            key: key.into(),
            version_id,
        };
        env.schedule(completes_ms, Event::S3(event))
            .map_err(|err| S3Error::InvalidRequest {
                message: err.to_string(),
            })?;
        env.record(
            "s3",
            "restore-started",
            vec![
                ("bucket", bucket_name.into()),
                ("key", key.into()),
                ("tier", tier.as_str().into()),
                ("completes_ms", completes_ms.into()),
            ],
        );
        Ok(RestoreOutcome::Started { completes_ms })
    }

    pub fn put_lifecycle(
        &mut self,
        env: &mut Env,
        bucket: &str,
        config: LifecycleConfiguration,
    ) -> Result<(), S3Error> {
        config.validate()?;
        let rules = config.rules.len() as u64;
        self.bucket_mut(bucket)?.lifecycle = Some(config);
        env.record(
            "s3",
            "lifecycle-configured",
            vec![("bucket", bucket.into()), ("rules", rules.into())],
        );
        lifecycle::ensure_daily_run(env);
        Ok(())
    }

    pub fn delete_lifecycle(&mut self, env: &mut Env, bucket: &str) -> Result<(), S3Error> {
        self.bucket_mut(bucket)?.lifecycle = None;
        env.record("s3", "lifecycle-deleted", vec![("bucket", bucket.into())]);
        Ok(())
    }

    pub fn put_replication(
        &mut self,
        env: &mut Env,
        bucket: &str,
        config: ReplicationConfiguration,
    ) -> Result<(), S3Error> {
        replication::validate(self, bucket, &config)?;
        let rules = config.rules.len() as u64;
        self.bucket_mut(bucket)?.replication = Some(config);
        env.record(
            "s3",
            "replication-configured",
            vec![("bucket", bucket.into()), ("rules", rules.into())],
        );
        Ok(())
    }

    /// PutBucketNotificationConfiguration: `check` confirms each destination accepts events
    /// from the bucket (AWS validates destinations when the configuration is put).
    pub fn put_notifications(
        &mut self,
        env: &mut Env,
        bucket: &str,
        config: NotificationConfiguration,
        check: impl Fn(&notifications::Destination) -> bool,
    ) -> Result<(), S3Error> {
        self.bucket(bucket)?;
        if !config.destinations().all(check) {
            return Err(S3Error::InvalidArgument {
                message: "Unable to validate the following destination configurations".into(),
            });
        }
        let count = config.destinations().count() as u64;
        self.bucket_mut(bucket)?.notifications = config;
        env.record(
            "s3",
            "notifications-configured",
            vec![("bucket", bucket.into()), ("destinations", count.into())],
        );
        Ok(())
    }

    pub fn on_event(&mut self, env: &mut Env, event: S3Event) {
        match event {
            S3Event::Notify(_) => unreachable!("the world delivers notifications"),
            S3Event::LifecycleDaily => lifecycle::run_daily(self, env),
            S3Event::RestoreCompleted {
                bucket,
                key,
                version_id,
            } => self.finish_restore(env, &bucket, &key, &version_id),
            S3Event::RestoreExpired {
                bucket,
                key,
                version_id,
            } => self.expire_restore(env, &bucket, &key, &version_id),
            S3Event::Replicate {
                bucket,
                key,
                version_id,
                rule_id,
            } => replication::replicate(self, env, &bucket, &key, &version_id, &rule_id),
        }
    }

    fn finish_restore(&mut self, env: &mut Env, bucket: &str, key: &str, version_id: &str) {
        let now = env.now_ms;
        let Some(object) = self.object_mut(bucket, key, version_id) else {
            return;
        };
        let Some(restore) = object.restore.as_mut() else {
            return;
        };
        let expires_ms = midnight_at_or_after(now + restore.days as Millis * DAY_MS);
        restore.expires_ms = Some(expires_ms);
        let event = S3Event::RestoreExpired {
            bucket: bucket.into(),
            key: key.into(),
            version_id: version_id.into(),
        };
        // The queue can only be full if something else runs away; the copy then never expires.
        let _ = env.schedule(expires_ms, Event::S3(event));
        env.record(
            "s3",
            "restore-completed",
            vec![
                ("bucket", bucket.into()),
                ("key", key.into()),
                ("expires_ms", expires_ms.into()),
            ],
        );
    }

    fn expire_restore(&mut self, env: &mut Env, bucket: &str, key: &str, version_id: &str) {
        let now = env.now_ms;
        let Some(object) = self.object_mut(bucket, key, version_id) else {
            return;
        };
        if object
            .restore
            .is_some_and(|restore| restore.expires_ms.is_some_and(|at| at <= now))
        {
            object.restore = None;
            env.record(
                "s3",
                "restore-expired",
                vec![("bucket", bucket.into()), ("key", key.into())],
            );
        }
    }

    fn object_mut(&mut self, bucket: &str, key: &str, version_id: &str) -> Option<&mut Object> {
        let versions = self.buckets.get_mut(bucket)?.objects.get_mut(key)?;
        versions
            .iter_mut()
            .find(|version| version.version_id == version_id)?
            .object
            .as_mut()
    }

    /// Total bytes and objects per storage class across every bucket (current and noncurrent
    /// versions), for the cost estimate.
    pub fn usage_by_class(&self, bucket: Option<&str>) -> BTreeMap<StorageClass, (u64, u64)> {
        let mut usage = BTreeMap::new();
        let buckets = self
            .buckets
            .values()
            .filter(|b| bucket.is_none_or(|name| b.name == name));
        for object in buckets
            .flat_map(|b| b.objects.values().flatten())
            .filter_map(|v| v.object.as_ref())
        {
            let entry = usage.entry(object.storage_class).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += object
                .size
                .max(object.storage_class.minimum_billable_bytes());
        }
        usage
    }
}

impl Object {
    /// Archived objects are readable only while a restored copy exists.
    pub fn readable_at(&self, now_ms: Millis) -> bool {
        !self.storage_class.needs_restore()
            || self
                .restore
                .is_some_and(|restore| restore.expires_ms.is_some_and(|at| at > now_ms))
    }
}

impl Bucket {
    /// Current objects (not delete markers) by key, in key order.
    pub fn current_objects(&self) -> impl Iterator<Item = (&String, &ObjectVersion)> {
        self.objects.iter().filter_map(|(key, versions)| {
            versions
                .last()
                .filter(|v| v.object.is_some())
                .map(|v| (key, v))
        })
    }

    pub fn all_versions(&self) -> impl Iterator<Item = (&String, &ObjectVersion)> {
        self.objects
            .iter()
            .flat_map(|(key, versions)| versions.iter().map(move |v| (key, v)))
    }

    fn current_mut(&mut self, key: &str) -> Result<&mut ObjectVersion, S3Error> {
        self.objects
            .get_mut(key)
            .and_then(|versions| versions.last_mut())
            .filter(|version| version.object.is_some())
            .ok_or(S3Error::NoSuchKey)
    }

    /// S3's version IDs: 32 random URL-safe characters; `"null"` without versioning.
    fn next_version_id(&self, env: &mut Env) -> String {
        if self.versioning != Versioning::Enabled {
            return "null".into();
        }
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
        (0..32)
            .map(|_| ALPHABET[env.rng.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// Adds a new current version. Without versioning (or with `"null"` IDs) it replaces the
    /// previous null version, as S3 does.
    fn push_version(&mut self, version: ObjectVersion, key: &str, now_ms: Millis) {
        let versions = self.objects.entry(key.to_string()).or_default();
        if version.version_id == "null" {
            versions.retain(|v| v.version_id != "null");
        }
        if let Some(previous) = versions.last_mut() {
            previous.noncurrent_since_ms.get_or_insert(now_ms);
        }
        versions.push(version);
    }

    fn delete(
        &mut self,
        env: &mut Env,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteObjectOutput, S3Error> {
        if let Some(id) = version_id {
            let versions = self.objects.get_mut(key).ok_or(S3Error::NoSuchVersion)?;
            let index = versions
                .iter()
                .position(|v| v.version_id == id)
                .ok_or(S3Error::NoSuchVersion)?;
            let removed = versions.remove(index);
            if versions.is_empty() {
                self.objects.remove(key);
            }
            return Ok(DeleteObjectOutput {
                delete_marker: removed.object.is_none(),
                version_id: Some(id.to_string()),
            });
        }
        if self.versioning == Versioning::Unversioned {
            // Deleting a missing key succeeds on S3 too.
            self.objects.remove(key);
            return Ok(DeleteObjectOutput {
                delete_marker: false,
                version_id: None,
            });
        }
        let marker_id = self.next_version_id(env);
        let marker = ObjectVersion {
            version_id: marker_id.clone(),
            last_modified_ms: env.now_ms,
            noncurrent_since_ms: None,
            object: None,
        };
        self.push_version(marker, key, env.now_ms);
        Ok(DeleteObjectOutput {
            delete_marker: true,
            version_id: Some(marker_id),
        })
    }
}

fn check_key(key: &str) -> Result<(), S3Error> {
    if key.is_empty() {
        return Err(S3Error::InvalidArgument {
            message: "The key must not be empty".into(),
        });
    }
    if key.len() > KEY_BYTES_MAX {
        return Err(S3Error::KeyTooLong);
    }
    Ok(())
}
