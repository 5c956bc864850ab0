//! Which consumer of a group reads which partitions: Kafka's client-side assignors (`range`,
//! `roundrobin`, `sticky`, `cooperative-sticky`), which the group leader runs on every rebalance
//! with each member's subscription. Results match the Java client's for the same input, so a
//! learner can compare them with `kafka-consumer-groups.sh --describe` on a real cluster.
//!
//! Kafka keeps the subscriptions in a `HashMap` and the sticky assignors iterate it; where that
//! order decides a result (who keeps a contested partition, who gets the larger quota), the
//! playground reproduces Java's iteration order for the member ids, inserted in join order
//! (the order of `members`). Rack-aware assignment (`client.rack`) is not modelled.

mod sticky;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// One partition of one topic, ordered by topic, then partition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: u32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

/// `orders-0`, as Kafka's `TopicPartition.toString` and its tools print it.
impl std::fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A group member's subscription as the leader receives it in the JoinGroup response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub member_id: String,
    /// `group.instance.id`: static members keep their place in `range` and `roundrobin` across
    /// restarts, because those sort by it before the (new) member id.
    pub group_instance_id: Option<String>,
    pub topics: BTreeSet<String>,
    /// What the member owned before this rebalance (ConsumerProtocol v1+ `owned_partitions`,
    /// or the sticky assignor's user data). Only the sticky assignors read it.
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation in which it owned them: the sticky assignors trust the newest claim.
    pub generation: Option<i32>,
}

/// Partitions per member id, each list sorted. Every member appears, even with nothing.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Partition counts per topic, as the leader's metadata knows them. Topics missing here (or
/// with no partitions) are subscribed to but not assigned, as Kafka skips topics without metadata.
pub type PartitionCounts = BTreeMap<String, u32>;

/// `partition.assignment.strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignorError {
    /// Neither a known class name nor a short name. The Java consumer fails with
    /// `org.apache.kafka.common.KafkaException: {name} ClassNotFoundException exception occurred`.
    ClassNotFound { name: String },
}

const STRATEGIES: [Strategy; 4] = [
    Strategy::Range,
    Strategy::RoundRobin,
    Strategy::Sticky,
    Strategy::CooperativeSticky,
];

impl Strategy {
    /// One entry of `partition.assignment.strategy`: a class name, as the Java client takes,
    /// or the assignor's protocol name, as librdkafka-based clients take.
    pub fn from_config(value: &str) -> Result<Self, AssignorError> {
        let value = value.trim();
        STRATEGIES
            .into_iter()
            .find(|strategy| value == strategy.class_name() || value == strategy.name())
            .ok_or_else(|| AssignorError::ClassNotFound {
                name: value.to_string(),
            })
    }

    /// The protocol name the group coordinator records (`ConsumerPartitionAssignor.name()`),
    /// shown as ASSIGNMENT-STRATEGY by `kafka-consumer-groups.sh --describe --state`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => {
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            }
        }
    }

    /// The leader's assignment for this rebalance. `members` come in join order and have
    /// distinct member ids, as the group coordinator guarantees.
    pub fn assign(self, members: &[Member], partitions: &PartitionCounts) -> Rebalance {
        let distinct: BTreeSet<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(distinct.len(), members.len(), "member ids are unique");
        match self {
            Strategy::Range => Rebalance::eager(range(members, partitions)),
            Strategy::RoundRobin => Rebalance::eager(round_robin(members, partitions)),
            Strategy::Sticky => Rebalance::eager(sticky::assign(members, partitions).target),
            Strategy::CooperativeSticky => cooperative_sticky(members, partitions),
        }
    }
}

/// What one rebalance hands out. Eager assignors revoke everything first, so members get the
/// target at once. The cooperative assignor leaves out partitions that move between members:
/// their old owner revokes them, rejoins, and a second rebalance hands them to the new owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebalance {
    pub target: Assignment,
    pub first_round: Assignment,
}

impl Rebalance {
    fn eager(target: Assignment) -> Self {
        Self {
            first_round: target.clone(),
            target,
        }
    }

    /// Whether partitions were held back, so the group rebalances again.
    pub fn needs_second_round(&self) -> bool {
        self.first_round != self.target
    }
}

/// Java's `String.compareTo`: by UTF-16 code units, which orders characters beyond U+FFFF
/// before U+E000..U+FFFF, unlike Rust's byte order. Member ids come from `client.id`, which
/// may hold any text, so sorting them as Java does keeps results equal to Kafka's.
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `AbstractPartitionAssignor.MemberInfo.compareTo`: static members by `group.instance.id`
/// first, then dynamic members by member id. Kafka leaves ties between equal instance ids to
/// map order; the coordinator never admits two, and the member id settles it here.
fn member_order(a: &Member, b: &Member) -> Ordering {
    let by_instance = match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_instance.then_with(|| java_cmp(&a.member_id, &b.member_id))
}

fn in_member_order(members: &[Member]) -> Vec<&Member> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| member_order(a, b));
    sorted
}

fn empty_assignment(members: &[Member]) -> Assignment {
    members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect()
}

fn sorted(mut assignment: Assignment) -> Assignment {
    for partitions in assignment.values_mut() {
        partitions.sort();
    }
    assignment
}

/// Topics that have partitions, in order. Kafka topic names are ASCII (`[a-zA-Z0-9._-]`), so
/// Rust's order is Java's.
fn known_topics(partitions: &PartitionCounts) -> impl Iterator<Item = (&String, u32)> {
    partitions
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(topic, count)| (topic, *count))
}

/// `RangeAssignor`: per topic, the partitions in order are cut into one range per subscribed
/// member (in [`member_order`]); the first `partitions % members` ranges get one extra.
pub fn range(members: &[Member], partitions: &PartitionCounts) -> Assignment {
    let ordered = in_member_order(members);
    let mut assignment = empty_assignment(members);
    for (topic, count) in known_topics(partitions) {
        let subscribers: Vec<&Member> = ordered
            .iter()
            .copied()
            .filter(|m| m.topics.contains(topic))
            .collect();
        let subscriber_count = subscribers.len() as u32;
        if subscriber_count == 0 {
            continue;
        }
        let (per_member, with_extra) = (count / subscriber_count, count % subscriber_count);
        let mut next = 0;
        for (index, member) in (0..).zip(subscribers) {
            let len = per_member + u32::from(index < with_extra);
            let range = (next..next + len).map(|p| TopicPartition::new(topic.as_str(), p));
            assignment
                .entry(member.member_id.clone())
                .or_default()
                .extend(range);
            next += len;
        }
    }
    sorted(assignment)
}

/// `RoundRobinAssignor`: all subscribed partitions, sorted, dealt to the members in
/// [`member_order`] in turn, skipping a member not subscribed to the partition's topic.
pub fn round_robin(members: &[Member], partitions: &PartitionCounts) -> Assignment {
    let ordered = in_member_order(members);
    let mut assignment = empty_assignment(members);
    let subscribed: BTreeSet<&String> = members.iter().flat_map(|m| &m.topics).collect();
    let mut turn = 0;
    for topic in subscribed {
        let count = partitions.get(topic).copied().unwrap_or(0);
        for partition in 0..count {
            // Some member subscribed to `topic`, so this finds one within a lap.
            while !ordered[turn].topics.contains(topic) {
                turn = (turn + 1) % ordered.len();
            }
            assignment
                .entry(ordered[turn].member_id.clone())
                .or_default()
                .push(TopicPartition::new(topic.as_str(), partition));
            turn = (turn + 1) % ordered.len();
        }
    }
    sorted(assignment)
}

/// `StickyAssignor`: as balanced as possible, then moving as few owned partitions as possible.
pub fn sticky(members: &[Member], partitions: &PartitionCounts) -> Assignment {
    sticky::assign(members, partitions).target
}

/// `CooperativeStickyAssignor`: the sticky target, minus partitions changing owner in the first
/// round (`adjustAssignment`), so no partition is owned by two members at once.
pub fn cooperative_sticky(members: &[Member], partitions: &PartitionCounts) -> Rebalance {
    let sticky = sticky::assign(members, partitions);
    let transferring = sticky
        .transferring
        .unwrap_or_else(|| partitions_transferring_ownership(members, &sticky.target));
    let mut first_round = sticky.target.clone();
    for (partition, member_id) in &transferring {
        if let Some(assigned) = first_round.get_mut(member_id) {
            assigned.retain(|p| p != partition);
        }
    }
    Rebalance {
        target: sticky.target,
        first_round,
    }
}

/// `computePartitionsTransferringOwnership`, for the general (unequal subscriptions) case:
/// partitions a member gains that another member claims to own and loses.
fn partitions_transferring_ownership(
    members: &[Member],
    target: &Assignment,
) -> BTreeMap<TopicPartition, String> {
    let mut added = BTreeMap::new();
    let mut revoked = BTreeSet::new();
    for member in members {
        let assigned = target.get(&member.member_id).map_or(&[][..], Vec::as_slice);
        for partition in assigned {
            if !member.owned_partitions.contains(partition) {
                added.insert(partition.clone(), member.member_id.clone());
            }
        }
        for partition in &member.owned_partitions {
            if !assigned.contains(partition) {
                revoked.insert(partition.clone());
            }
        }
    }
    added.retain(|partition, _| revoked.contains(partition));
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{
        ProptestConfig, TestCaseError, any, prop_assert, prop_assert_eq, proptest,
    };
    use proptest::strategy::Strategy as _;

    /// "topic1-0, topic2-1": partitions in the notation of Kafka's own assignor tests.
    pub(super) fn tps(list: &str) -> Vec<TopicPartition> {
        let mut partitions: Vec<TopicPartition> = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let (topic, partition) = item.rsplit_once('-').expect("topic-partition");
                TopicPartition::new(topic, partition.parse().expect("partition number"))
            })
            .collect();
        partitions.sort();
        partitions
    }

    pub(super) fn member(id: &str, topics: &[&str]) -> Member {
        Member {
            member_id: id.to_string(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            ..Member::default()
        }
    }

    /// A member that owned `owned` in `generation` (ConsumerProtocol v2+ subscription).
    pub(super) fn owning(id: &str, topics: &[&str], owned: &str, generation: i32) -> Member {
        Member {
            owned_partitions: tps(owned),
            generation: Some(generation),
            ..member(id, topics)
        }
    }

    fn static_member(id: &str, instance: &str, topics: &[&str]) -> Member {
        Member {
            group_instance_id: Some(instance.to_string()),
            ..member(id, topics)
        }
    }

    pub(super) fn counts(topics: &[(&str, u32)]) -> PartitionCounts {
        topics.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    pub(super) fn check(assignment: &Assignment, expect: &[(&str, &str)]) {
        let expect: Assignment = expect
            .iter()
            .map(|(member, partitions)| (member.to_string(), tps(partitions)))
            .collect();
        assert_eq!(assignment, &expect);
    }

    /// The members again, now owning what `assignment` gave them in `generation`.
    pub(super) fn after(
        members: &[Member],
        assignment: &Assignment,
        generation: i32,
    ) -> Vec<Member> {
        let owned = |m: &Member| assignment.get(&m.member_id).cloned().unwrap_or_default();
        members
            .iter()
            .map(|m| Member {
                owned_partitions: owned(m),
                generation: Some(generation),
                ..m.clone()
            })
            .collect()
    }

    const TWO_TOPICS: [&str; 2] = ["topic1", "topic2"];

    // RangeAssignorTest (clients/src/test/java/org/apache/kafka/clients/consumer/), without racks.

    #[test]
    fn range_one_consumer_no_topic_or_nonexistent_topic() {
        // testOneConsumerNoTopic, testOneConsumerNonexistentTopic
        check(
            &range(&[member("consumer1", &[])], &counts(&[])),
            &[("consumer1", "")],
        );
        let members = [member("consumer1", &["topic1"])];
        check(&range(&members, &counts(&[])), &[("consumer1", "")]);
    }

    #[test]
    fn range_one_consumer() {
        // testOneConsumerOneTopic, testOnlyAssignsPartitionsFromSubscribedTopics,
        // testOneConsumerMultipleTopics
        let members = [member("consumer1", &["topic1"])];
        let topics = counts(&[("topic1", 3), ("other", 3)]);
        check(
            &range(&members, &topics),
            &[("consumer1", "topic1-0, topic1-1, topic1-2")],
        );
        let members = [member("consumer1", &TWO_TOPICS)];
        let topics = counts(&[("topic1", 1), ("topic2", 2)]);
        check(
            &range(&members, &topics),
            &[("consumer1", "topic1-0, topic2-0, topic2-1")],
        );
    }

    #[test]
    fn range_two_consumers_one_topic() {
        // testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1"]),
        ];
        let one = range(&members, &counts(&[("topic1", 1)]));
        check(&one, &[("consumer1", "topic1-0"), ("consumer2", "")]);
        let two = range(&members, &counts(&[("topic1", 2)]));
        check(
            &two,
            &[("consumer1", "topic1-0"), ("consumer2", "topic1-1")],
        );
    }

    #[test]
    fn range_multiple_consumers_mixed_topics() {
        // testMultipleConsumersMixedTopics
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &TWO_TOPICS),
            member("consumer3", &["topic1"]),
        ];
        let assignment = range(&members, &counts(&[("topic1", 3), ("topic2", 2)]));
        check(
            &assignment,
            &[
                ("consumer1", "topic1-0"),
                ("consumer2", "topic1-1, topic2-0, topic2-1"),
                ("consumer3", "topic1-2"),
            ],
        );
    }

    #[test]
    fn range_two_consumers_two_topics_six_partitions() {
        // testTwoConsumersTwoTopicsSixPartitions, and RangeAssignor's javadoc example
        let members = [
            member("consumer1", &TWO_TOPICS),
            member("consumer2", &TWO_TOPICS),
        ];
        let assignment = range(&members, &counts(&[("topic1", 3), ("topic2", 3)]));
        check(
            &assignment,
            &[
                ("consumer1", "topic1-0, topic1-1, topic2-0, topic2-1"),
                ("consumer2", "topic1-2, topic2-2"),
            ],
        );
    }

    #[test]
    fn range_static_members_sort_by_instance_id_first() {
        // testTwoStaticConsumersTwoTopicsSixPartitions,
        // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
        let topics = counts(&[("topic1", 3), ("topic2", 3)]);
        let expect = [
            ("consumer-a", "topic1-2, topic2-2"),
            ("consumer-b", "topic1-0, topic1-1, topic2-0, topic2-1"),
        ];
        let both_static = [
            static_member("consumer-b", "instance1", &TWO_TOPICS),
            static_member("consumer-a", "instance2", &TWO_TOPICS),
        ];
        check(&range(&both_static, &topics), &expect);
        let one_static = [
            static_member("consumer-b", "instance1", &TWO_TOPICS),
            member("consumer-a", &TWO_TOPICS),
        ];
        check(&range(&one_static, &topics), &expect);
    }

    fn three_static_members() -> Vec<Member> {
        (1..=3)
            .map(|i| {
                static_member(
                    &format!("consumer{i}"),
                    &format!("instance{i}"),
                    &TWO_TOPICS,
                )
            })
            .collect()
    }

    #[test]
    fn range_static_member_assignment_persists() {
        // testStaticMemberRangeAssignmentPersistent
        let topics = counts(&[("topic1", 5), ("topic2", 4)]);
        let mut members = three_static_members();
        members.push(member("consumer4", &TWO_TOPICS));
        let expect_static = [
            ("consumer1", "topic1-0, topic1-1, topic2-0"),
            ("consumer2", "topic1-2, topic2-1"),
            ("consumer3", "topic1-3, topic2-2"),
        ];
        let mut expect = expect_static.to_vec();
        expect.push(("consumer4", "topic1-4, topic2-3"));
        check(&range(&members, &topics), &expect);
        members[3] = member("consumer5", &TWO_TOPICS);
        expect[3] = ("consumer5", "topic1-4, topic2-3");
        check(&range(&members, &topics), &expect);
    }

    /// The assignment per `group.instance.id`, as Kafka's `checkStaticAssignment` collects it.
    fn by_instance(
        members: &[Member],
        assignment: &Assignment,
    ) -> BTreeMap<String, Vec<TopicPartition>> {
        members
            .iter()
            .filter_map(|m| {
                Some((
                    m.group_instance_id.clone()?,
                    assignment[&m.member_id].clone(),
                ))
            })
            .collect()
    }

    /// A rolling bounce: consumer2 and consumer3 come back with new member ids.
    fn bounced(mut members: Vec<Member>) -> Vec<Member> {
        members[1].member_id = "consumer5".into();
        members[2].member_id = "consumer4".into();
        members
    }

    #[test]
    fn range_static_member_assignment_persists_after_member_id_changes() {
        // testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges
        let topics = counts(&[("topic1", 5), ("topic2", 5)]);
        let members = three_static_members();
        let before = by_instance(&members, &range(&members, &topics));
        let expect: BTreeMap<String, Vec<TopicPartition>> = [
            ("instance1", "topic1-0, topic1-1, topic2-0, topic2-1"),
            ("instance2", "topic1-2, topic1-3, topic2-2, topic2-3"),
            ("instance3", "topic1-4, topic2-4"),
        ]
        .iter()
        .map(|(i, p)| (i.to_string(), tps(p)))
        .collect();
        assert_eq!(before, expect);
        let members = bounced(members);
        assert_eq!(by_instance(&members, &range(&members, &topics)), expect);
    }

    // RoundRobinAssignorTest

    #[test]
    fn round_robin_trivial_groups() {
        // testOneConsumerNoTopic, testOneConsumerNonexistentTopic, testOneConsumerOneTopic,
        // testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics,
        // testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions
        check(
            &round_robin(&[member("c", &[])], &counts(&[])),
            &[("c", "")],
        );
        check(
            &round_robin(&[member("c", &["topic1"])], &counts(&[])),
            &[("c", "")],
        );
        let topics = counts(&[("topic1", 3), ("other", 3)]);
        let one = [member("c", &["topic1"])];
        check(
            &round_robin(&one, &topics),
            &[("c", "topic1-0, topic1-1, topic1-2")],
        );
        let both = [member("c", &TWO_TOPICS)];
        let topics = counts(&[("topic1", 1), ("topic2", 2)]);
        check(
            &round_robin(&both, &topics),
            &[("c", "topic1-0, topic2-0, topic2-1")],
        );
        let two = [
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1"]),
        ];
        let assignment = round_robin(&two, &counts(&[("topic1", 1)]));
        check(&assignment, &[("consumer1", "topic1-0"), ("consumer2", "")]);
        let assignment = round_robin(&two, &counts(&[("topic1", 2)]));
        check(
            &assignment,
            &[("consumer1", "topic1-0"), ("consumer2", "topic1-1")],
        );
    }

    #[test]
    fn round_robin_multiple_consumers_mixed_topics() {
        // testMultipleConsumersMixedTopics
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &TWO_TOPICS),
            member("consumer3", &["topic1"]),
        ];
        let assignment = round_robin(&members, &counts(&[("topic1", 3), ("topic2", 2)]));
        check(
            &assignment,
            &[
                ("consumer1", "topic1-0"),
                ("consumer2", "topic1-1, topic2-0, topic2-1"),
                ("consumer3", "topic1-2"),
            ],
        );
    }

    #[test]
    fn round_robin_skips_members_not_subscribed() {
        // RoundRobinAssignor's javadoc: C0 [t0], C1 [t0, t1], C2 [t0, t1, t2].
        let members = [
            member("C0", &["t0"]),
            member("C1", &["t0", "t1"]),
            member("C2", &["t0", "t1", "t2"]),
        ];
        let assignment = round_robin(&members, &counts(&[("t0", 1), ("t1", 2), ("t2", 3)]));
        check(
            &assignment,
            &[
                ("C0", "t0-0"),
                ("C1", "t1-0"),
                ("C2", "t1-1, t2-0, t2-1, t2-2"),
            ],
        );
    }

    #[test]
    fn round_robin_two_consumers_two_topics_six_partitions() {
        // testTwoDynamicConsumersTwoTopicsSixPartitions, testTwoStaticConsumersTwoTopicsSixPartitions,
        // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
        let topics = counts(&[("topic1", 3), ("topic2", 3)]);
        let dynamic = [
            member("consumer1", &TWO_TOPICS),
            member("consumer2", &TWO_TOPICS),
        ];
        check(
            &round_robin(&dynamic, &topics),
            &[
                ("consumer1", "topic1-0, topic1-2, topic2-1"),
                ("consumer2", "topic1-1, topic2-0, topic2-2"),
            ],
        );
        let expect = [
            ("consumer-a", "topic1-1, topic2-0, topic2-2"),
            ("consumer-b", "topic1-0, topic1-2, topic2-1"),
        ];
        let both_static = [
            static_member("consumer-b", "instance1", &TWO_TOPICS),
            static_member("consumer-a", "instance2", &TWO_TOPICS),
        ];
        check(&round_robin(&both_static, &topics), &expect);
        let one_static = [
            static_member("consumer-b", "instance1", &TWO_TOPICS),
            member("consumer-a", &TWO_TOPICS),
        ];
        check(&round_robin(&one_static, &topics), &expect);
    }

    #[test]
    fn round_robin_static_member_assignment_persists() {
        // testStaticMemberRoundRobinAssignmentPersistent
        let topics = counts(&[("topic1", 3), ("topic2", 3)]);
        let mut members = three_static_members();
        members.push(member("consumer4", &TWO_TOPICS));
        let mut expect = vec![
            ("consumer1", "topic1-0, topic2-1"),
            ("consumer2", "topic1-1, topic2-2"),
            ("consumer3", "topic1-2"),
            ("consumer4", "topic2-0"),
        ];
        check(&round_robin(&members, &topics), &expect);
        members[3] = member("consumer5", &TWO_TOPICS);
        expect[3] = ("consumer5", "topic2-0");
        check(&round_robin(&members, &topics), &expect);
    }

    #[test]
    fn round_robin_static_member_assignment_persists_after_member_id_changes() {
        // testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges
        let topics = counts(&[("topic1", 5), ("topic2", 5)]);
        let members = three_static_members();
        let before = by_instance(&members, &round_robin(&members, &topics));
        let expect: BTreeMap<String, Vec<TopicPartition>> = [
            ("instance1", "topic1-0, topic1-3, topic2-1, topic2-4"),
            ("instance2", "topic1-1, topic1-4, topic2-2"),
            ("instance3", "topic1-2, topic2-0, topic2-3"),
        ]
        .iter()
        .map(|(i, p)| (i.to_string(), tps(p)))
        .collect();
        assert_eq!(before, expect);
        let members = bounced(members);
        assert_eq!(
            by_instance(&members, &round_robin(&members, &topics)),
            expect
        );
    }

    #[test]
    fn member_ids_sort_as_java_strings() {
        // U+1F600 is a surrogate pair in UTF-16 (0xD83D…), so Java sorts it before U+FF21.
        assert_eq!(java_cmp("\u{1F600}", "\u{FF21}"), Ordering::Less);
        assert_eq!("\u{1F600}".cmp("\u{FF21}"), Ordering::Greater);
    }

    // Strategy names: ConsumerPartitionAssignorTest

    #[test]
    fn strategies_by_class_name_or_protocol_name() {
        // shouldInstantiateAssignor, shouldThrowKafkaExceptionOnAssignorNotFound
        for strategy in STRATEGIES {
            assert_eq!(Strategy::from_config(strategy.class_name()), Ok(strategy));
            assert_eq!(Strategy::from_config(strategy.name()), Ok(strategy));
        }
        assert_eq!(
            Strategy::from_config(" org.apache.kafka.clients.consumer.StickyAssignor "),
            Ok(Strategy::Sticky)
        );
        assert_eq!(
            Strategy::from_config("Non-existent assignor"),
            Err(AssignorError::ClassNotFound {
                name: "Non-existent assignor".into()
            })
        );
    }

    // CooperativeStickyAssignorTest, and partitionsTransferringOwnership in
    // AbstractStickyAssignorTest: what moves is left out of the first round.

    fn check_cooperative(
        members: &[Member],
        topics: &PartitionCounts,
        first_round: &[(&str, &str)],
        target: &[(&str, &str)],
    ) {
        let rebalance = Strategy::CooperativeSticky.assign(members, topics);
        check(&rebalance.first_round, first_round);
        check(&rebalance.target, target);
        assert_eq!(rebalance.needs_second_round(), first_round != target);
    }

    #[test]
    fn cooperative_withholds_partitions_claimed_twice_in_one_generation() {
        // testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGeneration
        // WithEqualPartitionsPerConsumer and …WithUnequalPartitionsPerConsumer
        let members = [
            owning("consumer1", &["topic"], "topic-0, topic-1", 1),
            owning("consumer2", &["topic"], "topic-0, topic-2", 1),
            owning("consumer3", &["topic"], "", 1),
        ];
        check_cooperative(
            &members,
            &counts(&[("topic", 3)]),
            &[
                ("consumer1", "topic-1"),
                ("consumer2", "topic-2"),
                ("consumer3", ""),
            ],
            &[
                ("consumer1", "topic-1"),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-0"),
            ],
        );
        check_cooperative(
            &members,
            &counts(&[("topic", 4)]),
            &[
                ("consumer1", "topic-1, topic-3"),
                ("consumer2", "topic-2"),
                ("consumer3", ""),
            ],
            &[
                ("consumer1", "topic-1, topic-3"),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-0"),
            ],
        );
    }

    #[test]
    fn cooperative_withholds_partitions_moving_to_a_new_member() {
        // testAddRemoveConsumerOneTopic (second step): topic-2 transfers to consumer2.
        let members = [
            owning("consumer1", &["topic"], "topic-0, topic-1, topic-2", 1),
            owning("consumer2", &["topic"], "", 1),
        ];
        check_cooperative(
            &members,
            &counts(&[("topic", 3)]),
            &[("consumer1", "topic-0, topic-1"), ("consumer2", "")],
            &[("consumer1", "topic-0, topic-1"), ("consumer2", "topic-2")],
        );
        // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: topic2-0 to consumer3.
        let both = ["topic1", "topic2"];
        let members = [
            owning("consumer1", &both, "topic1-0, topic2-0", 1),
            owning("consumer2", &both, "topic1-1, topic2-1", 1),
            owning("consumer3", &both, "", 1),
        ];
        check_cooperative(
            &members,
            &counts(&[("topic1", 2), ("topic2", 2)]),
            &[
                ("consumer1", "topic1-0"),
                ("consumer2", "topic1-1, topic2-1"),
                ("consumer3", ""),
            ],
            &[
                ("consumer1", "topic1-0"),
                ("consumer2", "topic1-1, topic2-1"),
                ("consumer3", "topic2-0"),
            ],
        );
    }

    #[test]
    fn cooperative_two_members_join_two_topics() {
        // testAddRemoveTwoConsumersTwoTopics (second step): topic1-2 and topic2-3 transfer to
        // consumer3, topic2-2 to consumer4.
        let members = [
            owning(
                "consumer1",
                &TWO_TOPICS,
                "topic1-0, topic1-2, topic2-1, topic2-3",
                1,
            ),
            owning("consumer2", &TWO_TOPICS, "topic1-1, topic2-0, topic2-2", 1),
            owning("consumer3", &TWO_TOPICS, "", 1),
            owning("consumer4", &TWO_TOPICS, "", 1),
        ];
        check_cooperative(
            &members,
            &counts(&[("topic1", 3), ("topic2", 4)]),
            &[
                ("consumer1", "topic1-0, topic2-1"),
                ("consumer2", "topic1-1, topic2-0"),
                ("consumer3", ""),
                ("consumer4", ""),
            ],
            &[
                ("consumer1", "topic1-0, topic2-1"),
                ("consumer2", "topic1-1, topic2-0"),
                ("consumer3", "topic1-2, topic2-3"),
                ("consumer4", "topic2-2"),
            ],
        );
    }

    // Invariants, for every strategy.

    /// A group of up to five members subscribing to some of four topics, with partition counts
    /// (0 means the topic has no metadata).
    fn group() -> impl proptest::strategy::Strategy<Value = (Vec<Member>, PartitionCounts)> {
        let topic_names = ["t0", "t1", "t2", "t3"];
        let subscriptions = proptest::collection::vec(
            proptest::sample::subsequence(topic_names.to_vec(), 0..=4),
            1..=5,
        );
        let sizes = proptest::collection::vec(0u32..7, 4);
        (subscriptions, sizes).prop_map(move |(subscriptions, sizes)| {
            let members = (0..)
                .zip(subscriptions)
                .map(|(i, topics)| member(&format!("consumer{i}"), &topics))
                .collect();
            let topics = topic_names
                .iter()
                .zip(sizes)
                .map(|(t, n)| (t.to_string(), n))
                .collect();
            (members, topics)
        })
    }

    /// The same, with every member subscribed to the same topics.
    fn equal_group() -> impl proptest::strategy::Strategy<Value = (Vec<Member>, PartitionCounts)> {
        (group(), 1usize..=6).prop_map(|((members, topics), size)| {
            let subscribed = members[0].topics.clone();
            let members = (0..size)
                .map(|i| Member {
                    topics: subscribed.clone(),
                    ..member(&format!("consumer{i}"), &[])
                })
                .collect();
            (members, topics)
        })
    }

    /// Who stays and how many join (subscribed like an existing member) before the next rebalance.
    fn change() -> impl proptest::strategy::Strategy<Value = (Vec<bool>, usize)> {
        (proptest::collection::vec(any::<bool>(), 6), 0usize..3)
    }

    fn next_group(
        members: &[Member],
        assignment: &Assignment,
        (stays, joining): &(Vec<bool>, usize),
    ) -> Vec<Member> {
        let mut next: Vec<Member> = after(members, assignment, 1)
            .into_iter()
            .zip(stays)
            .filter_map(|(m, &stays)| stays.then_some(m))
            .collect();
        for j in 0..*joining {
            next.push(Member {
                topics: members[j % members.len()].topics.clone(),
                ..member(&format!("joiner{j}"), &[])
            });
        }
        next
    }

    /// Every partition of a subscribed topic goes to exactly one member subscribed to it, and
    /// nothing else is assigned; every member has an entry.
    fn check_valid(
        members: &[Member],
        topics: &PartitionCounts,
        assignment: &Assignment,
    ) -> Result<(), TestCaseError> {
        let ids: BTreeSet<&String> = members.iter().map(|m| &m.member_id).collect();
        prop_assert_eq!(assignment.keys().collect::<BTreeSet<_>>(), ids);
        let mut owners: BTreeMap<&TopicPartition, usize> = BTreeMap::new();
        for m in members {
            for p in &assignment[&m.member_id] {
                prop_assert!(
                    m.topics.contains(&p.topic),
                    "{} got {:?} unsubscribed",
                    m.member_id,
                    p
                );
                *owners.entry(p).or_default() += 1;
            }
        }
        let subscribed: BTreeSet<&String> = members.iter().flat_map(|m| &m.topics).collect();
        let expected: usize = subscribed
            .iter()
            .map(|t| topics.get(*t).copied().unwrap_or(0) as usize)
            .sum();
        prop_assert_eq!(owners.len(), expected);
        prop_assert!(
            owners.values().all(|&n| n == 1),
            "a partition has two owners: {:?}",
            owners
        );
        Ok(())
    }

    /// The sticky assignors' balance guarantee: counts differ by at most one, or a member with
    /// two fewer could not take any of the bigger member's partitions (it is not subscribed).
    fn check_balanced(members: &[Member], assignment: &Assignment) -> Result<(), TestCaseError> {
        for big in members {
            for small in members {
                let (big_partitions, small_count) = (
                    &assignment[&big.member_id],
                    assignment[&small.member_id].len(),
                );
                if big_partitions.len() >= small_count + 2 {
                    let movable = big_partitions
                        .iter()
                        .find(|p| small.topics.contains(&p.topic));
                    prop_assert!(
                        movable.is_none(),
                        "{:?} could move from {} to {}",
                        movable,
                        big.member_id,
                        small.member_id
                    );
                }
            }
        }
        Ok(())
    }

    fn min_max(counts: impl Iterator<Item = usize>) -> (usize, usize) {
        counts.fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn every_subscribed_partition_has_one_subscribed_owner((members, topics) in group()) {
            for strategy in STRATEGIES {
                check_valid(&members, &topics, &strategy.assign(&members, &topics).target)?;
            }
        }

        #[test]
        fn range_splits_each_topic_evenly_among_its_subscribers((members, topics) in group()) {
            let assignment = range(&members, &topics);
            for topic in topics.keys() {
                let subscribers = members.iter().filter(|m| m.topics.contains(topic));
                let per_member = subscribers.map(|m| assignment[&m.member_id].iter().filter(|p| &p.topic == topic).count());
                let (lo, hi) = min_max(per_member);
                prop_assert!(hi <= lo.saturating_add(1), "{topic}: {lo}..{hi}");
            }
        }

        #[test]
        fn round_robin_balances_identical_subscriptions((members, topics) in equal_group()) {
            let assignment = round_robin(&members, &topics);
            let (lo, hi) = min_max(assignment.values().map(Vec::len));
            prop_assert!(hi <= lo + 1, "{lo}..{hi}");
        }

        #[test]
        fn sticky_stays_balanced_and_valid_as_members_come_and_go((members, topics) in group(), change in change()) {
            let first = sticky(&members, &topics);
            check_balanced(&members, &first)?;
            let next = next_group(&members, &first, &change);
            let second = sticky(&next, &topics);
            check_valid(&next, &topics, &second)?;
            check_balanced(&next, &second)?;
        }

        #[test]
        fn sticky_changes_nothing_when_nothing_changed((members, topics) in group()) {
            let first = sticky(&members, &topics);
            prop_assert_eq!(sticky(&after(&members, &first, 1), &topics), first);
        }

        #[test]
        fn sticky_keeps_owned_partitions_up_to_the_quota((members, topics) in equal_group(), change in change()) {
            let first = sticky(&members, &topics);
            let next = next_group(&members, &first, &change);
            let second = sticky(&next, &topics);
            let total: usize = second.values().map(Vec::len).sum();
            let min_quota = total / next.len().max(1);
            for m in &next {
                let kept = m.owned_partitions.iter().filter(|p| second[&m.member_id].contains(p)).count();
                prop_assert!(kept >= m.owned_partitions.len().min(min_quota), "{} kept {kept}", m.member_id);
            }
        }

        #[test]
        fn cooperative_never_gives_a_partition_its_owner_still_holds((members, topics) in group(), change in change()) {
            let first = cooperative_sticky(&members, &topics).target;
            let mut group = next_group(&members, &first, &change);
            for generation in 2.. {
                prop_assert!(generation <= 6, "cooperative rebalancing did not settle");
                let rebalance = cooperative_sticky(&group, &topics);
                for m in &group {
                    let gained = rebalance.first_round[&m.member_id].iter().filter(|p| !m.owned_partitions.contains(p));
                    for p in gained {
                        let holder = group.iter().find(|other| other.owned_partitions.contains(p));
                        prop_assert!(holder.is_none(), "{:?} given to {} while {:?} owns it", p, m.member_id, holder.map(|h| &h.member_id));
                    }
                    let target = &rebalance.target[&m.member_id];
                    prop_assert!(rebalance.first_round[&m.member_id].iter().all(|p| target.contains(p)));
                }
                if !rebalance.needs_second_round() {
                    check_valid(&group, &topics, &rebalance.target)?;
                    check_balanced(&group, &rebalance.target)?;
                    break;
                }
                group = after(&group, &rebalance.first_round, generation);
            }
        }
    }
}
