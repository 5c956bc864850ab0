//! Object bytes, stored once and never changed. Services keep `BlobId`s in their state, so the
//! state stays small; undo only needs the store's length, because blobs are only ever appended.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BlobId(u64);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BlobStore {
    blobs: Vec<Arc<[u8]>>,
}

impl BlobStore {
    pub fn put(&mut self, bytes: impl Into<Arc<[u8]>>) -> BlobId {
        self.blobs.push(bytes.into());
        BlobId(self.blobs.len() as u64 - 1)
    }

    /// The bytes of a blob this store handed out.
    pub fn get(&self, id: BlobId) -> &Arc<[u8]> {
        &self.blobs[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Total bytes held, for the undo history's memory budget and the UI.
    pub fn size_bytes(&self) -> usize {
        self.blobs.iter().map(|blob| blob.len()).sum()
    }

    /// Forgets blobs added after the first `len` (used by rewind).
    pub fn truncate(&mut self, len: usize) {
        assert!(
            len <= self.blobs.len(),
            "a rewind cannot grow the blob store"
        );
        self.blobs.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_appended_and_truncated() {
        let mut store = BlobStore::default();
        let a = store.put(b"alpha".to_vec());
        let b = store.put(b"beta".to_vec());
        assert_eq!(&**store.get(a), b"alpha");
        assert_eq!(store.size_bytes(), 9);
        store.truncate(1);
        assert_eq!(store.len(), 1);
        assert_ne!(a, b);
    }
}
