//! ListObjectsV2: keys in UTF-8 byte order under a prefix, rolled up into common prefixes at a
//! delimiter, a page at a time with an opaque continuation token.

use base64::Engine as _;

use super::{Bucket, StorageClass};
use crate::sim::Millis;

/// S3 returns at most this many keys per page.
pub const MAX_KEYS_MAX: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct ListObjectsRequest {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub start_after: Option<String>,
    pub continuation_token: Option<String>,
    pub max_keys: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    pub key: String,
    pub last_modified_ms: Millis,
    pub etag: String,
    pub size: u64,
    pub storage_class: StorageClass,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPage {
    pub contents: Vec<ObjectSummary>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_continuation_token: Option<String>,
}

impl ListPage {
    pub fn key_count(&self) -> usize {
        self.contents.len() + self.common_prefixes.len()
    }
}

/// The token is the last key or prefix returned; resuming skips everything up to it (and,
/// for a prefix, everything under it).
fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(last.as_bytes())
}

fn decode_token(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes).ok()
}

impl Bucket {
    /// One page of ListObjectsV2. An unreadable continuation token is S3's InvalidArgument.
    pub fn list(&self, request: &ListObjectsRequest) -> Result<ListPage, super::S3Error> {
        let resume = match &request.continuation_token {
            Some(token) => {
                Some(
                    decode_token(token).ok_or_else(|| super::S3Error::InvalidArgument {
                        message: "The continuation token provided is incorrect".into(),
                    })?,
                )
            }
            None => None,
        };
        let after = resume
            .clone()
            .or_else(|| request.start_after.clone())
            .unwrap_or_default();
        let max_keys = request.max_keys.unwrap_or(MAX_KEYS_MAX).min(MAX_KEYS_MAX);
        let mut page = ListPage::default();
        let mut last = None;
        for (key, version) in self.current_objects() {
            if !key.starts_with(&request.prefix) || key.as_str() <= after.as_str() {
                continue;
            }
            if resume.as_deref().is_some_and(|r| {
                r.ends_with(request.delimiter.as_deref().unwrap_or("\0")) && key.starts_with(r)
            }) {
                continue;
            }
            let rolled_up = request.delimiter.as_deref().and_then(|delimiter| {
                let rest = &key[request.prefix.len()..];
                rest.find(delimiter)
                    .map(|at| format!("{}{}", request.prefix, &rest[..at + delimiter.len()]))
            });
            if rolled_up
                .as_ref()
                .is_some_and(|prefix| page.common_prefixes.last() == Some(prefix))
            {
                continue;
            }
            if page.key_count() == max_keys {
                page.is_truncated = true;
                page.next_continuation_token = last.as_deref().map(encode_token);
                break;
            }
            match rolled_up {
                Some(prefix) => {
                    last = Some(prefix.clone());
                    page.common_prefixes.push(prefix);
                }
                None => {
                    let object = version
                        .object
                        .as_ref()
                        .expect("current objects are objects");
                    last = Some(key.clone());
                    page.contents.push(ObjectSummary {
                        key: key.clone(),
                        last_modified_ms: version.last_modified_ms,
                        etag: object.etag.clone(),
                        size: object.size,
                        storage_class: object.storage_class,
                    });
                }
            }
        }
        Ok(page)
    }
}
