//! S3 storage classes and their rules: which can be read directly, how long a restore takes,
//! minimum storage durations and sizes, allowed lifecycle transitions, and list prices.

use serde::{Deserialize, Serialize};

use crate::sim::Millis;

const HOUR_MS: Millis = 3_600_000;
const MINUTE_MS: Millis = 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StorageClass {
    Standard,
    StandardIa,
    OnezoneIa,
    IntelligentTiering,
    GlacierIr,
    Glacier,
    DeepArchive,
}

/// `us-east-1` list prices in USD per GB-month (first 50 TB tier for S3 Standard), from the
/// Amazon S3 pricing page as published in 2024 and unchanged since. Requests and retrievals are
/// not included.
pub const PRICES_AS_OF: &str = "us-east-1 list prices as of 2024-11, storage only";

impl StorageClass {
    pub const ALL: [StorageClass; 7] = [
        StorageClass::Standard,
        StorageClass::StandardIa,
        StorageClass::OnezoneIa,
        StorageClass::IntelligentTiering,
        StorageClass::GlacierIr,
        StorageClass::Glacier,
        StorageClass::DeepArchive,
    ];

    /// The API's spelling, `STANDARD_IA`.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    pub fn parse(text: &str) -> Option<StorageClass> {
        StorageClass::ALL
            .into_iter()
            .find(|class| class.as_str() == text)
    }

    /// Objects in the archive classes must be restored before they can be read.
    pub fn needs_restore(self) -> bool {
        matches!(self, StorageClass::Glacier | StorageClass::DeepArchive)
    }

    pub fn price_per_gb_month(self) -> f64 {
        match self {
            StorageClass::Standard => 0.023,
            StorageClass::StandardIa => 0.0125,
            StorageClass::OnezoneIa => 0.01,
            // The frequent-access tier; objects move to cheaper tiers after 30 days unread.
            StorageClass::IntelligentTiering => 0.023,
            StorageClass::GlacierIr => 0.004,
            StorageClass::Glacier => 0.0036,
            StorageClass::DeepArchive => 0.00099,
        }
    }

    /// Deleting, overwriting or transitioning an object earlier still bills this many days.
    pub fn minimum_storage_days(self) -> u32 {
        match self {
            StorageClass::Standard | StorageClass::IntelligentTiering => 0,
            StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
            StorageClass::GlacierIr | StorageClass::Glacier => 90,
            StorageClass::DeepArchive => 180,
        }
    }

    /// Smaller objects are billed as this many bytes.
    pub fn minimum_billable_bytes(self) -> u64 {
        match self {
            StorageClass::StandardIa | StorageClass::OnezoneIa | StorageClass::GlacierIr => {
                128 * 1024
            }
            _ => 0,
        }
    }

    /// Lifecycle rules may only move objects "down" this waterfall (AWS's documented
    /// supported transitions).
    pub fn can_transition_to(self, target: StorageClass) -> bool {
        use StorageClass::*;
        match self {
            Standard => target != Standard,
            StandardIa => matches!(
                target,
                IntelligentTiering | OnezoneIa | GlacierIr | Glacier | DeepArchive
            ),
            IntelligentTiering => matches!(target, OnezoneIa | GlacierIr | Glacier | DeepArchive),
            OnezoneIa => matches!(target, Glacier | DeepArchive),
            GlacierIr => matches!(target, Glacier | DeepArchive),
            Glacier => target == DeepArchive,
            DeepArchive => false,
        }
    }

    /// Lifecycle transitions into these classes need `Days` of at least 30.
    pub fn transition_days_min(self) -> u32 {
        match self {
            StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
            _ => 0,
        }
    }
}

/// How fast an archived object comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tier {
    Expedited,
    Standard,
    Bulk,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Expedited => "Expedited",
            Tier::Standard => "Standard",
            Tier::Bulk => "Bulk",
        }
    }

    pub fn parse(text: &str) -> Option<Tier> {
        [Tier::Expedited, Tier::Standard, Tier::Bulk]
            .into_iter()
            .find(|tier| tier.as_str() == text)
    }

    /// The documented range of restore times, or `None` where the class does not offer the tier
    /// (Deep Archive has no Expedited retrieval).
    pub fn restore_window_ms(self, class: StorageClass) -> Option<(Millis, Millis)> {
        match (class, self) {
            (StorageClass::Glacier, Tier::Expedited) => Some((MINUTE_MS, 5 * MINUTE_MS)),
            (StorageClass::Glacier, Tier::Standard) => Some((3 * HOUR_MS, 5 * HOUR_MS)),
            (StorageClass::Glacier, Tier::Bulk) => Some((5 * HOUR_MS, 12 * HOUR_MS)),
            (StorageClass::DeepArchive, Tier::Standard) => Some((9 * HOUR_MS, 12 * HOUR_MS)),
            (StorageClass::DeepArchive, Tier::Bulk) => Some((24 * HOUR_MS, 48 * HOUR_MS)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for class in StorageClass::ALL {
            assert_eq!(StorageClass::parse(class.as_str()), Some(class));
        }
        assert_eq!(StorageClass::parse("standard"), None);
        assert_eq!(StorageClass::parse("REDUCED_REDUNDANCY"), None);
    }

    #[test]
    fn the_waterfall_only_goes_down() {
        use StorageClass::*;
        assert!(Standard.can_transition_to(Glacier));
        assert!(StandardIa.can_transition_to(DeepArchive));
        assert!(!Glacier.can_transition_to(StandardIa));
        assert!(!OnezoneIa.can_transition_to(GlacierIr));
        assert!(!DeepArchive.can_transition_to(Glacier));
        for class in StorageClass::ALL {
            assert!(!class.can_transition_to(Standard));
        }
    }

    #[test]
    fn archive_classes_need_restores_with_their_tiers() {
        assert!(StorageClass::Glacier.needs_restore() && StorageClass::DeepArchive.needs_restore());
        assert!(!StorageClass::GlacierIr.needs_restore());
        assert_eq!(
            Tier::Standard.restore_window_ms(StorageClass::Glacier),
            Some((3 * HOUR_MS, 5 * HOUR_MS))
        );
        assert_eq!(
            Tier::Expedited.restore_window_ms(StorageClass::DeepArchive),
            None
        );
        assert!(
            Tier::Standard
                .restore_window_ms(StorageClass::DeepArchive)
                .unwrap()
                .1
                <= 12 * HOUR_MS
        );
    }

    #[test]
    fn prices_fall_as_access_gets_slower() {
        let prices: Vec<f64> = [
            StorageClass::Standard,
            StorageClass::StandardIa,
            StorageClass::GlacierIr,
            StorageClass::Glacier,
            StorageClass::DeepArchive,
        ]
        .map(StorageClass::price_per_gb_month)
        .to_vec();
        assert!(
            prices.windows(2).all(|pair| pair[0] > pair[1]),
            "{prices:?}"
        );
    }
}
