//! Group ids for GROUP BY keys: an open-addressing table of key bytes (the string itself for a
//! single varchar key, Arrow's row format for anything else) that hands out dense ids in the
//! order groups first appear, without allocating per row.

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::DataType;
use arrow::row::{RowConverter, Rows, SortField};

use super::error::SqlError;
use super::expr::Expr;

/// FxHash: fast and deterministic. Iteration order of what it hashes is never observed.
#[derive(Default)]
pub(super) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    /// Ends with MurmurHash3's finalizer: Fx alone leaves the low bits, which tables index by,
    /// nearly equal for strings that differ only in their last byte (`sensor-1`, `sensor-2`).
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(super) type FxBuild = BuildHasherDefault<FxHasher>;

/// The hash of a key: Fx over 8-byte words, then the finalizer. Hot: once per input row.
#[inline]
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hash = FxHasher {
        hash: bytes.len() as u64,
    };
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        hash.add(u64::from_le_bytes(*word));
        rest = tail;
    }
    if !rest.is_empty() {
        let mut word = 0u64;
        for (i, b) in rest.iter().enumerate() {
            word |= (*b as u64) << (8 * i);
        }
        hash.add(word);
    }
    hash.finish()
}

pub(super) fn arrow_error(e: arrow::error::ArrowError) -> SqlError {
    SqlError::not_supported(
        None,
        format!("GROUP BY on this type is not supported by the playground yet: {e}"),
    )
}

/// Key bytes by group id, and a hash table from key bytes to group id.
#[derive(Default)]
struct KeyTable {
    /// Group id + 1 per slot; 0 is an empty slot. The length is a power of two.
    slots: Vec<u32>,
    hashes: Vec<u64>,
    offsets: Vec<usize>,
    bytes: Vec<u8>,
    /// A group kept here but never looked up (the NULL group of a string key).
    unindexed: Option<usize>,
}

impl KeyTable {
    #[inline]
    fn key(&self, id: usize) -> &[u8] {
        &self.bytes[self.offsets[id]..self.offsets[id + 1]]
    }

    /// The id of `key`, adding it as group `next` when it is new; `true` when it was added.
    #[inline]
    fn id(&mut self, key: &[u8], next: u32) -> (u32, bool) {
        if (self.hashes.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = hash_bytes(key);
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            match self.slots[slot] {
                0 => break,
                stored => {
                    let id = (stored - 1) as usize;
                    if self.hashes[id] == hash && self.key(id) == key {
                        return (id as u32, false);
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }
        self.slots[slot] = next + 1;
        self.push(key, hash);
        (next, true)
    }

    /// Records a group that lookups must never find (the NULL group of a string key).
    fn push_unindexed(&mut self) {
        self.unindexed = Some(self.hashes.len());
        self.push(&[], 0);
    }

    fn push(&mut self, key: &[u8], hash: u64) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.bytes.extend_from_slice(key);
        self.offsets.push(self.bytes.len());
        self.hashes.push(hash);
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(64);
        self.slots = vec![0; capacity];
        let mask = capacity - 1;
        for (id, hash) in self.hashes.iter().enumerate() {
            if self.unindexed == Some(id) {
                continue;
            }
            let mut slot = *hash as usize & mask;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = id as u32 + 1;
        }
    }
}

enum Keys {
    /// No GROUP BY: one group.
    Global,
    /// One varchar key, hashed as the string itself; NULL is a group of its own.
    Strings { null_group: Option<u32> },
    /// Anything else, in Arrow's row format.
    Rows {
        converter: RowConverter,
        scratch: Rows,
    },
}

/// Assigns rows to groups.
pub(super) struct Grouper {
    keys: Keys,
    table: KeyTable,
    groups: usize,
}

impl Grouper {
    pub fn new(keys: &[Expr]) -> Result<Grouper, SqlError> {
        let (keys, groups) = match keys {
            [] => (Keys::Global, 1),
            [key] if key.ty.to_arrow() == DataType::Utf8 => (Keys::Strings { null_group: None }, 0),
            _ => {
                let fields = keys
                    .iter()
                    .map(|k| SortField::new(k.ty.to_arrow()))
                    .collect();
                let converter = RowConverter::new(fields).map_err(arrow_error)?;
                let scratch = converter.empty_rows(0, 0);
                (Keys::Rows { converter, scratch }, 0)
            }
        };
        Ok(Grouper {
            keys,
            table: KeyTable::default(),
            groups,
        })
    }

    pub fn len(&self) -> usize {
        self.groups
    }

    /// The group id of every row, given the key columns of a batch.
    pub fn assign(&mut self, columns: &[ArrayRef], rows: usize) -> Result<Vec<u32>, SqlError> {
        let mut ids = Vec::with_capacity(rows);
        match &mut self.keys {
            Keys::Global => ids.resize(rows, 0),
            Keys::Strings { null_group } => {
                let strings: &StringArray = columns[0].as_string();
                let (offsets, data) = (strings.value_offsets(), strings.value_data());
                let nulls = strings.nulls().filter(|n| n.null_count() > 0);
                for (i, bounds) in offsets.windows(2).enumerate().take(rows) {
                    if nulls.is_some_and(|n| n.is_null(i)) {
                        let id = *null_group.get_or_insert_with(|| {
                            self.table.push_unindexed();
                            self.groups += 1;
                            self.groups as u32 - 1
                        });
                        ids.push(id);
                        continue;
                    }
                    let key = &data[bounds[0] as usize..bounds[1] as usize];
                    let (id, added) = self.table.id(key, self.groups as u32);
                    self.groups += usize::from(added);
                    ids.push(id);
                }
            }
            Keys::Rows { converter, scratch } => {
                scratch.clear();
                converter.append(scratch, columns).map_err(arrow_error)?;
                for row in scratch.iter() {
                    let (id, added) = self.table.id(row.as_ref(), self.groups as u32);
                    self.groups += usize::from(added);
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// The key columns, one value per group in id order.
    pub fn finish(self) -> Result<Vec<ArrayRef>, SqlError> {
        let table = self.table;
        match self.keys {
            Keys::Global => Ok(vec![]),
            Keys::Strings { null_group } => {
                let offsets: Vec<i32> = table.offsets.iter().map(|o| *o as i32).collect();
                let offsets = OffsetBuffer::new(ScalarBuffer::from(if offsets.is_empty() {
                    vec![0]
                } else {
                    offsets
                }));
                let nulls = null_group
                    .map(|n| NullBuffer::from_iter((0..self.groups).map(|i| i != n as usize)));
                let strings = StringArray::try_new(offsets, Buffer::from_vec(table.bytes), nulls)
                    .map_err(arrow_error)?;
                Ok(vec![Arc::new(strings)])
            }
            Keys::Rows { converter, .. } => {
                let parser = converter.parser();
                let rows = (0..self.groups).map(|id| parser.parse(table.key(id)));
                converter.convert_rows(rows).map_err(arrow_error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray};

    use super::*;
    use crate::sql::types::{SqlType, VARCHAR};

    fn key(ty: SqlType) -> Expr {
        Expr::column(0, "k", None, ty)
    }

    #[test]
    fn numbers_groups_in_first_seen_order_across_batches() {
        let mut grouper = Grouper::new(&[key(VARCHAR)]).unwrap();
        let first: ArrayRef = Arc::new(StringArray::from(vec![
            Some("b"),
            None,
            Some("a"),
            Some("b"),
        ]));
        let second: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("c"), None]));
        assert_eq!(grouper.assign(&[first], 4).unwrap(), vec![0, 1, 2, 0]);
        assert_eq!(grouper.assign(&[second], 3).unwrap(), vec![2, 3, 1]);
        let keys = grouper.finish().unwrap();
        let expected: ArrayRef = Arc::new(StringArray::from(vec![
            Some("b"),
            None,
            Some("a"),
            Some("c"),
        ]));
        assert_eq!(&keys[0], &expected);
    }

    #[test]
    fn groups_other_types_through_the_row_format() {
        let mut grouper = Grouper::new(&[key(SqlType::Integer)]).unwrap();
        let values: ArrayRef = Arc::new(Int32Array::from(
            (0..1000).map(|i| i % 300).collect::<Vec<_>>(),
        ));
        let ids = grouper.assign(&[values], 1000).unwrap();
        assert_eq!(grouper.len(), 300);
        assert_eq!(ids[299..302], [299, 0, 1]);
        let keys = grouper.finish().unwrap();
        assert_eq!(
            keys[0]
                .as_primitive::<arrow::datatypes::Int32Type>()
                .value(299),
            299
        );
    }
}
