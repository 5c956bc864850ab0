//! The algorithm behind `sticky` and `cooperative-sticky` (Kafka's `AbstractStickyAssignor`).
//! It guarantees balance first: member partition counts differ by at most one, or no member
//! with two fewer could take one of the bigger member's partitions. Then stickiness: owned
//! partitions stay where they are as far as balance allows.
//!
//! Owned partitions come with a generation; when members claim the same partition, the newest
//! generation wins, and two claims from the same generation void both. When every member
//! subscribes to the same topics, Kafka's quota-based "constrained" builder runs; otherwise the
//! "general" builder assigns to the least loaded member and then moves partitions until balanced.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{Assignment, Member, PartitionCounts, TopicPartition, java_cmp, sorted};

/// Kafka's `DEFAULT_GENERATION`, for a member that reports none.
const DEFAULT_GENERATION: i32 = -1;

pub(super) struct StickyAssignment {
    pub target: Assignment,
    /// Partitions handed to a member while another member still owns them, by receiving
    /// member: the constrained builder's `partitionsTransferringOwnership`. `None` after the
    /// general builder, which does not track them (the cooperative assignor computes them).
    pub transferring: Option<BTreeMap<TopicPartition, String>>,
}

pub(super) fn assign(members: &[Member], partitions: &PartitionCounts) -> StickyAssignment {
    let group = Group::new(members, partitions);
    if group.members.is_empty() {
        return StickyAssignment {
            target: Assignment::new(),
            transferring: Some(BTreeMap::new()),
        };
    }
    let owned = Owned::resolve(&group);
    if group.subscriptions_equal() {
        let (by_member, transferring) = constrained(&group, &owned);
        let transferring = transferring
            .into_iter()
            .map(|(partition, member)| (partition, group.member_id(member)))
            .collect();
        StickyAssignment {
            target: group.assignment(by_member),
            transferring: Some(transferring),
        }
    } else {
        StickyAssignment {
            target: group.assignment(General::run(&group, &owned)),
            transferring: None,
        }
    }
}

/// The members, indexed in Java member-id order (Kafka's tie-breaker in its sorted sets), and
/// the topics to assign.
struct Group<'a> {
    members: Vec<&'a Member>,
    /// Member indexes in the order Kafka iterates its subscriptions `HashMap`, which decides
    /// who keeps a contested partition and who gets the larger quota.
    iteration: Vec<usize>,
    /// Subscribed topics that have partitions: Kafka's `partitionsPerTopic`.
    counts: BTreeMap<&'a str, u32>,
}

impl<'a> Group<'a> {
    fn new(members: &'a [Member], partitions: &PartitionCounts) -> Self {
        let mut ordered: Vec<&Member> = members.iter().collect();
        ordered.sort_by(|a, b| java_cmp(&a.member_id, &b.member_id));
        let rank = |id: &str| ordered.iter().position(|m| m.member_id == id);
        let iteration = java_hash_map_order(members)
            .into_iter()
            .filter_map(|joined| rank(&members[joined].member_id))
            .collect();
        let counts = ordered
            .iter()
            .flat_map(|m| &m.topics)
            .filter_map(|topic| {
                let count = partitions.get(topic).copied().unwrap_or(0);
                (count > 0).then_some((topic.as_str(), count))
            })
            .collect();
        Self {
            members: ordered,
            iteration,
            counts,
        }
    }

    fn subscriptions_equal(&self) -> bool {
        self.members
            .windows(2)
            .all(|pair| pair[0].topics == pair[1].topics)
    }

    /// Owned partitions of topics no longer subscribed or gone are not claims at all. Kafka
    /// checks only the topic; a partition number past the count (a topic deleted and created
    /// again smaller) is dropped here too.
    fn exists(&self, partition: &TopicPartition) -> bool {
        self.counts
            .get(partition.topic.as_str())
            .is_some_and(|&count| partition.partition < count)
    }

    fn total_partitions(&self) -> usize {
        self.counts.values().map(|&count| count as usize).sum()
    }

    /// Every partition to assign, sorted by topic, then partition.
    fn all_partitions(&self) -> Vec<TopicPartition> {
        self.counts
            .iter()
            .flat_map(|(&topic, &count)| (0..count).map(move |p| TopicPartition::new(topic, p)))
            .collect()
    }

    fn subscribed(&self, member: usize, topic: &str) -> bool {
        self.members[member].topics.contains(topic)
    }

    fn member_id(&self, member: usize) -> String {
        self.members[member].member_id.clone()
    }

    fn assignment(&self, by_member: Vec<Vec<TopicPartition>>) -> Assignment {
        sorted((0..).map(|m| self.member_id(m)).zip(by_member).collect())
    }
}

/// The order a `java.util.HashMap` filled with the members, in join order, iterates them:
/// by bucket (`String.hashCode` spread as `h ^ (h >>> 16)`, masked by the table size, which
/// starts at 16 and doubles past 75% load), then by insertion within a bucket. Kafka's
/// treeified buckets (8 colliding ids in a table of 64 or more) are not modelled.
fn java_hash_map_order(members: &[Member]) -> Vec<usize> {
    let mut capacity = 16;
    while members.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let bucket = |id: &str| {
        let hash = java_string_hash(id);
        (hash ^ (hash >> 16)) as usize & (capacity - 1)
    };
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by_key(|&joined| (bucket(&members[joined].member_id), joined));
    order
}

/// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
fn java_string_hash(text: &str) -> u32 {
    text.encode_utf16().fold(0u32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

fn generation(member: &Member) -> i32 {
    member.generation.unwrap_or(DEFAULT_GENERATION)
}

/// What each member still owns once conflicting claims are settled (the ownership half of
/// Kafka's `allSubscriptionsEqual`).
struct Owned {
    by_member: Vec<Vec<TopicPartition>>,
    /// Partitions two members claimed in the same generation: neither keeps them.
    claimed_twice: BTreeSet<TopicPartition>,
    max_generation: i32,
}

impl Owned {
    fn resolve(group: &Group) -> Self {
        let mut owned = Owned {
            by_member: vec![Vec::new(); group.members.len()],
            claimed_twice: BTreeSet::new(),
            max_generation: DEFAULT_GENERATION,
        };
        let mut owner: BTreeMap<&TopicPartition, usize> = BTreeMap::new();
        for &member in &group.iteration {
            let subscription = group.members[member];
            let claim_generation = generation(subscription);
            owned.max_generation = owned.max_generation.max(claim_generation);
            let claims = subscription.owned_partitions.iter();
            for partition in claims.filter(|p| group.exists(p)) {
                let Some(&other) = owner.get(partition) else {
                    owned.by_member[member].push(partition.clone());
                    owner.insert(partition, member);
                    continue;
                };
                match claim_generation.cmp(&generation(group.members[other])) {
                    Ordering::Less => {}
                    Ordering::Equal => {
                        owned.claimed_twice.insert(partition.clone());
                        owned.by_member[other].retain(|p| p != partition);
                        owner.insert(partition, member);
                    }
                    Ordering::Greater => {
                        owned.by_member[other].retain(|p| p != partition);
                        owned.by_member[member].push(partition.clone());
                        owner.insert(partition, member);
                    }
                }
            }
        }
        owned
    }
}

/// Kafka's `ConstrainedAssignmentBuilder`, for equal subscriptions: every member gets
/// `floor(total / members)` partitions, `total % members` of them one more. Members first keep
/// owned partitions up to that quota (lowest partition numbers first), then the rest is dealt
/// round-robin to members below quota. Returns the partitions per member and those handed to
/// a member while another one owns them.
fn constrained(
    group: &Group,
    owned: &Owned,
) -> (Vec<Vec<TopicPartition>>, BTreeMap<TopicPartition, usize>) {
    let member_count = group.members.len();
    let total = group.total_partitions();
    let (min_quota, max_quota) = (total / member_count, total.div_ceil(member_count));
    let mut quotas = Quotas {
        min_quota,
        max_quota,
        expected_over_min: total % member_count,
        over_min: 0,
        under_min: Vec::new(),
        at_min: VecDeque::new(),
    };
    let mut assignment = vec![Vec::new(); member_count];
    let mut maybe_revoked = BTreeMap::new();
    for &member in &group.iteration {
        let mut kept: Vec<TopicPartition> = owned.by_member[member]
            .iter()
            .filter(|p| !owned.claimed_twice.contains(p))
            .cloned()
            .collect();
        kept.sort_by(|a, b| a.partition.cmp(&b.partition).then(a.topic.cmp(&b.topic)));
        let keep = quotas.keep_owned(member, kept.len());
        for partition in kept.drain(keep..) {
            maybe_revoked.insert(partition, member);
        }
        assignment[member] = kept;
    }
    let assigned: BTreeSet<&TopicPartition> = assignment.iter().flatten().collect();
    let unassigned: Vec<TopicPartition> = group
        .all_partitions()
        .into_iter()
        .filter(|p| !assigned.contains(p))
        .collect();
    let mut transferring = BTreeMap::new();
    for (partition, member) in quotas.deal(unassigned, &mut assignment) {
        let revoked_elsewhere = maybe_revoked.get(&partition).is_some_and(|&m| m != member);
        if revoked_elsewhere || owned.claimed_twice.contains(&partition) {
            transferring.insert(partition, member);
        }
    }
    (assignment, transferring)
}

/// The constrained builder's bookkeeping of who may still take partitions.
struct Quotas {
    min_quota: usize,
    max_quota: usize,
    /// How many members get `max_quota` when it differs from `min_quota`.
    expected_over_min: usize,
    over_min: usize,
    /// Members below `min_quota`, in member order.
    under_min: Vec<usize>,
    /// Members at `min_quota` that may still take one more.
    at_min: VecDeque<usize>,
}

impl Quotas {
    /// How many of its `owned` partitions `member` keeps (`assignOwnedPartitions`).
    fn keep_owned(&mut self, member: usize, owned: usize) -> usize {
        if owned < self.min_quota {
            self.under_min.push(member);
            owned
        } else if owned >= self.max_quota && self.over_min < self.expected_over_min {
            self.over_min += 1;
            if self.over_min == self.expected_over_min {
                self.at_min.clear();
            }
            self.max_quota
        } else {
            if self.over_min < self.expected_over_min {
                self.at_min.push_back(member);
            }
            self.min_quota
        }
    }

    /// Deals `unassigned` round-robin over members below quota, then one each to members at
    /// `min_quota` (`assignRoundRobin`). Returns who got what.
    fn deal(
        mut self,
        unassigned: Vec<TopicPartition>,
        assignment: &mut [Vec<TopicPartition>],
    ) -> Vec<(TopicPartition, usize)> {
        self.under_min.sort_unstable();
        self.at_min.make_contiguous().sort_unstable();
        let mut dealt = Vec::with_capacity(unassigned.len());
        let mut next = 0;
        for partition in unassigned {
            let member = if next < self.under_min.len() {
                next += 1;
                self.under_min[next - 1]
            } else if self.under_min.is_empty() {
                self.at_min
                    .pop_front()
                    .expect("the quotas leave room for every partition")
            } else {
                next = 1;
                self.under_min[0]
            };
            assignment[member].push(partition.clone());
            if assignment[member].len() == self.min_quota {
                next -= 1;
                self.under_min.remove(next);
                self.at_min.push_back(member);
            }
            dealt.push((partition, member));
        }
        dealt
    }
}

/// Kafka's `GeneralAssignmentBuilder`, for members subscribed to different topics.
struct General<'g, 'a> {
    group: &'g Group<'a>,
    /// Members subscribed to each topic (`topic2AllPotentialConsumers`).
    candidates: BTreeMap<&'a str, Vec<usize>>,
    current: Vec<Vec<TopicPartition>>,
    owner: BTreeMap<TopicPartition, usize>,
    /// Members that take part, by (partition count, member order): `sortedCurrentSubscriptions`.
    by_load: BTreeSet<(usize, usize)>,
    /// Members that cannot gain or lose anything, left out of balancing.
    fixed: BTreeSet<usize>,
    movements: Movements,
}

impl<'g, 'a> General<'g, 'a> {
    fn run(group: &'g Group<'a>, owned: &Owned) -> Vec<Vec<TopicPartition>> {
        let previous = previous_owners(group, owned.max_generation);
        let mut current = owned.by_member.clone();
        let mut revocation_required = false;
        for (member, partitions) in current.iter_mut().enumerate() {
            partitions.retain(|p| {
                let still_subscribed = group.subscribed(member, &p.topic);
                revocation_required |= !still_subscribed;
                still_subscribed
            });
        }
        let candidates: BTreeMap<&str, Vec<usize>> = group
            .counts
            .keys()
            .map(|&topic| {
                let members = (0..group.members.len()).filter(|&m| group.subscribed(m, topic));
                (topic, members.collect())
            })
            .collect();
        let owner = (0..)
            .zip(&current)
            .flat_map(|(m, partitions)| partitions.iter().map(move |p| (p.clone(), m)))
            .collect();
        let by_load = (0..).zip(&current).map(|(m, p)| (p.len(), m)).collect();
        let mut builder = General {
            group,
            candidates,
            current,
            owner,
            by_load,
            fixed: BTreeSet::new(),
            movements: Movements::default(),
        };
        builder.balance(&previous, revocation_required);
        builder.current
    }

    /// Every partition, those with the fewest candidate members first (Kafka's
    /// `TopicComparator`, then partition number).
    fn partitions_by_candidates(&self) -> Vec<TopicPartition> {
        let mut partitions = self.group.all_partitions();
        partitions.sort_by_key(|p| (self.candidates[p.topic.as_str()].len(), p.clone()));
        partitions
    }

    fn balance(&mut self, previous: &BTreeMap<&TopicPartition, usize>, revocation_required: bool) {
        let initializing = self
            .by_load
            .last()
            .is_some_and(|&(_, m)| self.current[m].is_empty());
        let mut all = self.partitions_by_candidates();
        let mut unassigned: Vec<TopicPartition> = all
            .iter()
            .filter(|p| !self.owner.contains_key(*p))
            .cloned()
            .collect();
        for partition in &unassigned {
            self.assign_to_least_loaded(partition);
        }
        // Only topics two members can take, and only members that can gain or lose, move.
        all.retain(|p| self.candidates[p.topic.as_str()].len() >= 2);
        unassigned.retain(|p| self.candidates[p.topic.as_str()].len() >= 2);
        for member in 0..self.current.len() {
            if !self.can_participate(member) {
                self.by_load.remove(&(self.current[member].len(), member));
                self.fixed.insert(member);
            }
        }
        let before = (self.current.clone(), self.owner.clone());
        if !revocation_required {
            self.reassign_until_balanced(&unassigned, previous);
        }
        let reassigned = self.reassign_until_balanced(&all, previous);
        // Moving owned partitions is only worth it if it improves the balance.
        if !initializing
            && reassigned
            && self.balance_score(&self.current) >= self.balance_score(&before.0)
        {
            (self.current, self.owner) = before;
        }
    }

    fn assign_to_least_loaded(&mut self, partition: &TopicPartition) {
        let least_loaded = self
            .by_load
            .iter()
            .map(|&(_, m)| m)
            .find(|&m| self.group.subscribed(m, &partition.topic));
        if let Some(member) = least_loaded {
            self.by_load.remove(&(self.current[member].len(), member));
            self.current[member].push(partition.clone());
            self.owner.insert(partition.clone(), member);
            self.by_load.insert((self.current[member].len(), member));
        }
    }

    /// The most partitions `member` could hold: all of its subscribed topics'.
    fn max_assignment_size(&self, member: usize) -> usize {
        let topics = self.group.members[member].topics.iter();
        topics
            .filter_map(|t| self.group.counts.get(t.as_str()))
            .map(|&count| count as usize)
            .sum()
    }

    fn can_participate(&self, member: usize) -> bool {
        self.current[member].len() < self.max_assignment_size(member)
            || self.current[member]
                .iter()
                .any(|p| self.candidates[p.topic.as_str()].len() >= 2)
    }

    /// Kafka's `isBalanced`: counts differ by at most one, or no member could take a partition
    /// from a member holding two or more partitions more.
    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.by_load.first(), self.by_load.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        self.by_load.iter().all(|&(count, member)| {
            count == self.max_assignment_size(member) || !self.could_take_from_bigger(member, count)
        })
    }

    fn could_take_from_bigger(&self, member: usize, count: usize) -> bool {
        self.group.members[member].topics.iter().any(|topic| {
            let first = TopicPartition::new(topic.as_str(), 0);
            let last = TopicPartition::new(topic.as_str(), u32::MAX);
            self.owner.range(first..=last).any(|(_, &other)| {
                other != member
                    && !self.fixed.contains(&other)
                    && count + 1 < self.current[other].len()
            })
        })
    }

    /// Sum of count differences over all pairs of participating members; 0 is perfect.
    fn balance_score(&self, assignment: &[Vec<TopicPartition>]) -> usize {
        let counts: Vec<usize> = (0..assignment.len())
            .filter(|m| !self.fixed.contains(m))
            .map(|m| assignment[m].len())
            .collect();
        let pairs = counts
            .iter()
            .enumerate()
            .flat_map(|(i, a)| counts[i + 1..].iter().map(move |b| a.abs_diff(*b)));
        pairs.sum()
    }

    /// `performReassignments`: moves partitions off members holding two or more than a
    /// candidate, back to their previous owner if that evens things out, until balanced.
    /// Returns whether anything moved.
    fn reassign_until_balanced(
        &mut self,
        partitions: &[TopicPartition],
        previous: &BTreeMap<&TopicPartition, usize>,
    ) -> bool {
        let mut reassigned = false;
        loop {
            let mut modified = false;
            for partition in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(&member) = self.owner.get(partition) else {
                    continue;
                };
                let load = self.current[member].len();
                if let Some(&before) = previous.get(partition)
                    && self.can_return_to(before, partition)
                    && load > self.current[before].len() + 1
                {
                    self.reassign(partition, before);
                } else if self.candidates[partition.topic.as_str()]
                    .iter()
                    .any(|&other| load > self.current[other].len() + 1)
                {
                    self.reassign_to_least_loaded(partition);
                } else {
                    continue;
                }
                reassigned = true;
                modified = true;
            }
            if !modified {
                return reassigned;
            }
        }
    }

    /// Kafka hands a partition back to its previous owner without checking the owner still
    /// subscribes to the topic and takes part; the playground checks both, so a stale claim
    /// never produces an invalid assignment.
    fn can_return_to(&self, member: usize, partition: &TopicPartition) -> bool {
        !self.fixed.contains(&member) && self.group.subscribed(member, &partition.topic)
    }

    fn reassign_to_least_loaded(&mut self, partition: &TopicPartition) {
        let least_loaded = self
            .by_load
            .iter()
            .map(|&(_, m)| m)
            .find(|&m| self.group.subscribed(m, &partition.topic));
        if let Some(member) = least_loaded {
            self.reassign(partition, member);
        }
    }

    fn reassign(&mut self, partition: &TopicPartition, to: usize) {
        let from = self.owner[partition];
        let moved = self.movements.partition_to_move(partition, from, to);
        self.move_partition(moved, to);
    }

    fn move_partition(&mut self, partition: TopicPartition, to: usize) {
        let from = self.owner[&partition];
        self.by_load.remove(&(self.current[from].len(), from));
        self.by_load.remove(&(self.current[to].len(), to));
        self.movements.record(&partition, from, to);
        self.current[from].retain(|p| *p != partition);
        self.current[to].push(partition.clone());
        self.owner.insert(partition, to);
        self.by_load.insert((self.current[from].len(), from));
        self.by_load.insert((self.current[to].len(), to));
    }
}

/// Older claims, by partition: the member of the newest generation below the group's newest
/// (`prepopulateCurrentAssignments`). Moving a partition back there keeps it stickier.
fn previous_owners<'a>(
    group: &Group<'a>,
    max_generation: i32,
) -> BTreeMap<&'a TopicPartition, usize> {
    let mut previous: BTreeMap<&TopicPartition, (usize, i32)> = BTreeMap::new();
    for &member in &group.iteration {
        let subscription = group.members[member];
        let claim_generation = match subscription.generation {
            Some(g) if g < max_generation => g,
            None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
            _ => continue,
        };
        for partition in &subscription.owned_partitions {
            let newer = previous
                .get(partition)
                .is_none_or(|&(_, g)| claim_generation > g);
            if newer {
                previous.insert(partition, (member, claim_generation));
            }
        }
    }
    previous
        .into_iter()
        .map(|(p, (member, _))| (p, member))
        .collect()
}

/// Partitions moved during one rebalance, so a partition is not moved from A to B while
/// another partition of its topic goes from B to A (Kafka's `PartitionMovements`).
#[derive(Default)]
struct Movements {
    /// Each moved partition's first owner and latest owner.
    moves: BTreeMap<TopicPartition, (usize, usize)>,
    by_topic: BTreeMap<String, BTreeMap<(usize, usize), BTreeSet<u32>>>,
}

impl Movements {
    fn record(&mut self, partition: &TopicPartition, from: usize, to: usize) {
        match self.forget(partition) {
            Some((first, latest)) => {
                assert_eq!(latest, from, "a moved partition leaves its latest owner");
                if first != to {
                    self.remember(partition, (first, to));
                }
            }
            None => self.remember(partition, (from, to)),
        }
    }

    fn forget(&mut self, partition: &TopicPartition) -> Option<(usize, usize)> {
        let pair = self.moves.remove(partition)?;
        if let Some(pairs) = self.by_topic.get_mut(&partition.topic) {
            if let Some(moved) = pairs.get_mut(&pair) {
                moved.remove(&partition.partition);
                if moved.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&partition.topic);
            }
        }
        Some(pair)
    }

    fn remember(&mut self, partition: &TopicPartition, pair: (usize, usize)) {
        self.moves.insert(partition.clone(), pair);
        let pairs = self.by_topic.entry(partition.topic.clone()).or_default();
        pairs.entry(pair).or_default().insert(partition.partition);
    }

    /// `getTheActualPartitionToBeMoved`: if a partition of the same topic already moved the
    /// other way, move that one back instead. Kafka takes any of them (a `HashSet`'s first);
    /// the playground takes the lowest partition number.
    fn partition_to_move(
        &self,
        partition: &TopicPartition,
        from: usize,
        to: usize,
    ) -> TopicPartition {
        let Some(pairs) = self.by_topic.get(&partition.topic) else {
            return partition.clone();
        };
        let from = self.moves.get(partition).map_or(from, |&(first, _)| first);
        match pairs.get(&(to, from)).and_then(|moved| moved.first()) {
            Some(&number) => TopicPartition::new(partition.topic.as_str(), number),
            None => partition.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sticky;
    use super::super::tests::{after, check, counts, member, owning, tps};
    use super::*;

    const TWO_TOPICS: [&str; 2] = ["topic1", "topic2"];

    // AbstractStickyAssignorTest (clients/src/test/java/org/apache/kafka/clients/consumer/
    // internals/), StickyAssignorTest and the StickyAssignor javadoc, without racks.

    #[test]
    fn one_consumer() {
        // testOneConsumerNoTopic, testOneConsumerNonexistentTopic, testOneConsumerOneTopic,
        // testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics
        check(
            &sticky(&[member("consumer", &[])], &counts(&[])),
            &[("consumer", "")],
        );
        let topic = ["topic"];
        check(
            &sticky(&[member("consumer", &topic)], &counts(&[("topic", 0)])),
            &[("consumer", "")],
        );
        let three = counts(&[("topic", 3)]);
        check(
            &sticky(&[member("consumer", &topic)], &three),
            &[("consumer", "topic-0, topic-1, topic-2")],
        );
        let stale = owning("consumer", &topic, "topic-0, topic-1, other-0, other-1", 1);
        check(
            &sticky(&[stale], &counts(&[("topic", 2)])),
            &[("consumer", "topic-0, topic-1")],
        );
        let both = counts(&[("topic1", 1), ("topic2", 2)]);
        check(
            &sticky(&[member("consumer", &TWO_TOPICS)], &both),
            &[("consumer", "topic1-0, topic2-0, topic2-1")],
        );
    }

    #[test]
    fn two_consumers() {
        // testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions,
        // testTwoConsumersTwoTopicsSixPartitions
        let members = [
            member("consumer1", &["topic"]),
            member("consumer2", &["topic"]),
        ];
        check(
            &sticky(&members, &counts(&[("topic", 1)])),
            &[("consumer1", "topic-0"), ("consumer2", "")],
        );
        check(
            &sticky(&members, &counts(&[("topic", 2)])),
            &[("consumer1", "topic-0"), ("consumer2", "topic-1")],
        );
        let members = [
            member("consumer1", &TWO_TOPICS),
            member("consumer2", &TWO_TOPICS),
        ];
        check(
            &sticky(&members, &counts(&[("topic1", 3), ("topic2", 3)])),
            &[
                ("consumer1", "topic1-0, topic1-2, topic2-1"),
                ("consumer2", "topic1-1, topic2-0, topic2-2"),
            ],
        );
    }

    #[test]
    fn mixed_subscriptions_use_the_general_builder() {
        // testMultipleConsumersMixedTopicSubscriptions
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &TWO_TOPICS),
            member("consumer3", &["topic1"]),
        ];
        check(
            &sticky(&members, &counts(&[("topic1", 3), ("topic2", 2)])),
            &[
                ("consumer1", "topic1-0, topic1-2"),
                ("consumer2", "topic2-0, topic2-1"),
                ("consumer3", "topic1-1"),
            ],
        );
    }

    #[test]
    fn javadoc_example_2_balances_better_than_round_robin() {
        // StickyAssignor javadoc, example 2: C0 [t0], C1 [t0, t1], C2 [t0, t1, t2].
        let members = [
            member("C0", &["t0"]),
            member("C1", &["t0", "t1"]),
            member("C2", &["t0", "t1", "t2"]),
        ];
        let topics = counts(&[("t0", 1), ("t1", 2), ("t2", 3)]);
        let first = sticky(&members, &topics);
        check(
            &first,
            &[
                ("C0", "t0-0"),
                ("C1", "t1-0, t1-1"),
                ("C2", "t2-0, t2-1, t2-2"),
            ],
        );
        // C0 leaves: sticky keeps five of six partitions in place.
        let rest = after(&members[1..], &first, 1);
        check(
            &sticky(&rest, &topics),
            &[("C1", "t0-0, t1-0, t1-1"), ("C2", "t2-0, t2-1, t2-2")],
        );
    }

    #[test]
    fn javadoc_example_1_keeps_everything_when_c1_leaves() {
        // StickyAssignor javadoc, example 1: three consumers on four topics of two partitions.
        let topics = ["t0", "t1", "t2", "t3"];
        let members = [
            member("C0", &topics),
            member("C1", &topics),
            member("C2", &topics),
        ];
        let partitions = counts(&[("t0", 2), ("t1", 2), ("t2", 2), ("t3", 2)]);
        let first = sticky(&members, &partitions);
        let remaining = after(&[members[0].clone(), members[2].clone()], &first, 1);
        let second = sticky(&remaining, &partitions);
        for m in &remaining {
            assert!(
                m.owned_partitions
                    .iter()
                    .all(|p| second[&m.member_id].contains(p))
            );
        }
        assert_eq!(second.values().map(Vec::len).collect::<Vec<_>>(), [4, 4]);
    }

    #[test]
    fn owned_partitions_up_to_the_quota() {
        // testConsumerOwningMinQuotaExpectedMaxQuota
        let topics = counts(&[("topic1", 2), ("topic2", 3)]);
        let members = [
            owning("consumer1", &TWO_TOPICS, "topic1-0, topic2-1", 1),
            owning("consumer2", &TWO_TOPICS, "topic1-1, topic2-2", 1),
        ];
        check(
            &sticky(&members, &topics),
            &[
                ("consumer1", "topic1-0, topic2-0, topic2-1"),
                ("consumer2", "topic1-1, topic2-2"),
            ],
        );
        // testAllConsumersAreUnderMinQuota
        let members = [
            owning("consumer1", &TWO_TOPICS, "topic1-0", 1),
            owning("consumer2", &TWO_TOPICS, "topic1-1", 1),
            owning("consumer3", &TWO_TOPICS, "", 1),
        ];
        check(
            &sticky(&members, &topics),
            &[
                ("consumer1", "topic1-0, topic2-1"),
                ("consumer2", "topic1-1, topic2-2"),
                ("consumer3", "topic2-0"),
            ],
        );
        // testAllConsumersReachExpectedQuotaAndAreConsideredFilled
        let members = [
            owning("consumer1", &["topic"], "topic-0, topic-1", 1),
            owning("consumer2", &["topic"], "topic-2", 1),
            owning("consumer3", &["topic"], "", 1),
        ];
        check(
            &sticky(&members, &counts(&[("topic", 4)])),
            &[
                ("consumer1", "topic-0, topic-1"),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-3"),
            ],
        );
    }

    #[test]
    fn max_quota_goes_to_the_member_kafka_iterates_first() {
        // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: Java's HashMap iterates
        // consumer3, consumer2, consumer1, so consumer2 keeps two and consumer1 gives one up.
        let members = [
            owning("consumer1", &TWO_TOPICS, "topic1-0, topic2-0", 1),
            owning("consumer2", &TWO_TOPICS, "topic1-1, topic2-1", 1),
            owning("consumer3", &TWO_TOPICS, "", 1),
        ];
        assert_eq!(java_hash_map_order(&members), [2, 1, 0]);
        check(
            &sticky(&members, &counts(&[("topic1", 2), ("topic2", 2)])),
            &[
                ("consumer1", "topic1-0"),
                ("consumer2", "topic1-1, topic2-1"),
                ("consumer3", "topic2-0"),
            ],
        );
    }

    #[test]
    fn add_and_remove_consumers() {
        // testAddRemoveConsumerOneTopic
        let topics = counts(&[("topic", 3)]);
        let first = sticky(&[member("consumer1", &["topic"])], &topics);
        let two = after(
            &[
                member("consumer1", &["topic"]),
                member("consumer2", &["topic"]),
            ],
            &first,
            1,
        );
        let second = sticky(&two, &topics);
        check(
            &second,
            &[("consumer1", "topic-0, topic-1"), ("consumer2", "topic-2")],
        );
        let third = sticky(&after(&two[1..], &second, 1), &topics);
        check(&third, &[("consumer2", "topic-0, topic-1, topic-2")]);
        // testAddRemoveTwoConsumersTwoTopics
        let topics = counts(&[("topic1", 3), ("topic2", 4)]);
        let pair = [
            member("consumer1", &TWO_TOPICS),
            member("consumer2", &TWO_TOPICS),
        ];
        let first = sticky(&pair, &topics);
        check(
            &first,
            &[
                ("consumer1", "topic1-0, topic1-2, topic2-1, topic2-3"),
                ("consumer2", "topic1-1, topic2-0, topic2-2"),
            ],
        );
        let mut four = pair.to_vec();
        four.extend([
            member("consumer3", &TWO_TOPICS),
            member("consumer4", &TWO_TOPICS),
        ]);
        let four = after(&four, &first, 1);
        let second = sticky(&four, &topics);
        check(
            &second,
            &[
                ("consumer1", "topic1-0, topic2-1"),
                ("consumer2", "topic1-1, topic2-0"),
                ("consumer3", "topic1-2, topic2-3"),
                ("consumer4", "topic2-2"),
            ],
        );
        let third = sticky(&after(&four[2..], &second, 1), &topics);
        check(
            &third,
            &[
                ("consumer3", "topic1-0, topic1-2, topic2-1, topic2-3"),
                ("consumer4", "topic1-1, topic2-0, topic2-2"),
            ],
        );
    }

    #[test]
    fn topic_balance_after_reassignment() {
        // testTopicBalanceAfterReassignment: 12 + 12 partitions over 1, 2, 4, then 2 members.
        let topics = counts(&[("topic1", 12), ("topic2", 12)]);
        let everyone: Vec<_> = (1..=4)
            .map(|i| member(&format!("consumer{i}"), &TWO_TOPICS))
            .collect();
        let mut assignment = Assignment::new();
        for (members, per_topic) in [
            (&everyone[..1], 12),
            (&everyone[..2], 6),
            (&everyone[..], 3),
            (&everyone[2..], 6),
        ] {
            assignment = sticky(&after(members, &assignment, 1), &topics);
            for partitions in assignment.values() {
                for topic in TWO_TOPICS {
                    assert_eq!(
                        partitions.iter().filter(|p| p.topic == topic).count(),
                        per_topic
                    );
                }
            }
        }
    }

    #[test]
    fn stickiness_when_the_leader_leaves() {
        // testStickiness: four members, three partitions; consumer1 leaves.
        let topics = counts(&[("topic1", 3)]);
        let members: Vec<_> = (1..=4)
            .map(|i| member(&format!("consumer{i}"), &["topic1"]))
            .collect();
        let first = sticky(&members, &topics);
        let rest = after(&members[1..], &first, 1);
        let second = sticky(&rest, &topics);
        for m in &rest {
            assert_eq!(second[&m.member_id].len(), 1);
            assert!(
                m.owned_partitions
                    .iter()
                    .all(|p| second[&m.member_id].contains(p))
            );
        }
    }

    #[test]
    fn deleted_topics() {
        // testAssignmentUpdatedForDeletedTopic, testNoExceptionThrownWhenOnlySubscribedTopicDeleted
        let members = [member("consumer", &["topic1", "topic2", "topic3"])];
        let assignment = sticky(&members, &counts(&[("topic1", 1), ("topic3", 100)]));
        assert_eq!(assignment["consumer"].len(), 101);
        let owner = [owning(
            "consumer",
            &["topic"],
            "topic-0, topic-1, topic-2",
            1,
        )];
        check(&sticky(&owner, &counts(&[])), &[("consumer", "")]);
    }

    #[test]
    fn claims_from_older_or_missing_generations_lose() {
        // testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration and …WithNoGeneration
        let topics = counts(&[("topic", 3), ("topic2", 3)]);
        let both = ["topic", "topic2"];
        for stale_generation in [9, DEFAULT_GENERATION] {
            let members = [
                owning("consumer1", &both, "topic-0, topic-2, topic2-1", 10),
                owning(
                    "consumer2",
                    &both,
                    "topic-0, topic-2, topic2-1",
                    stale_generation,
                ),
            ];
            check(
                &sticky(&members, &topics),
                &[
                    ("consumer1", "topic-0, topic-2, topic2-1"),
                    ("consumer2", "topic-1, topic2-0, topic2-2"),
                ],
            );
        }
        // testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
        let members = [
            owning("consumer1", &both, "topic-0, topic2-1, topic-1", 10),
            owning("consumer2", &both, "topic-0, topic2-1, topic2-2", 8),
        ];
        check(
            &sticky(&members, &topics),
            &[
                ("consumer1", "topic-0, topic-1, topic2-1"),
                ("consumer2", "topic-2, topic2-0, topic2-2"),
            ],
        );
    }

    #[test]
    fn partitions_go_to_the_highest_generation() {
        // testEnsurePartitionsAssignedToHighestGeneration
        let all = ["topic", "topic2", "topic3"];
        let topics = counts(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
        let members = [
            owning("consumer1", &all, "topic-0, topic2-0, topic3-0", 10),
            owning("consumer2", &all, "topic-1, topic2-1, topic3-1", 9),
            owning("consumer3", &all, "topic2-1, topic3-0, topic3-2", 8),
        ];
        check(
            &sticky(&members, &topics),
            &[
                ("consumer1", "topic-0, topic2-0, topic3-0"),
                ("consumer2", "topic-1, topic2-1, topic3-1"),
                ("consumer3", "topic-2, topic2-2, topic3-2"),
            ],
        );
    }

    #[test]
    fn no_reassignment_of_current_members() {
        // testNoReassignmentOnCurrentMembers
        let all = ["topic", "topic2", "topic3", "topic1"];
        let topics = counts(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
        let members = [
            Member {
                generation: None,
                ..owning("consumer1", &all, "", 0)
            },
            owning("consumer2", &all, "topic-0, topic2-0, topic1-0", 9),
            owning("consumer3", &all, "topic3-2, topic2-2, topic1-1", 8),
            owning("consumer4", &all, "topic3-1, topic-1, topic-2", 7),
        ];
        let assignment = sticky(&members, &topics);
        assert_eq!(assignment["consumer1"], tps("topic1-2, topic2-1, topic3-0"));
    }

    #[test]
    fn partitions_claimed_twice_in_one_generation_are_reassigned() {
        // StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultiple
        // ConsumersInSameGenerationWithEqualPartitionsPerConsumer and …WithUnequal…
        let members = [
            owning("consumer1", &["topic"], "topic-0, topic-1", 1),
            owning("consumer2", &["topic"], "topic-0, topic-2", 1),
            owning("consumer3", &["topic"], "", 1),
        ];
        check(
            &sticky(&members, &counts(&[("topic", 3)])),
            &[
                ("consumer1", "topic-1"),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-0"),
            ],
        );
        check(
            &sticky(&members, &counts(&[("topic", 4)])),
            &[
                ("consumer1", "topic-1, topic-3"),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-0"),
            ],
        );
    }

    #[test]
    fn conflicting_previous_generations() {
        // StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations, both cases.
        let topics = counts(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
        let all = ["topic", "topic2", "topic3"];
        for equal in [true, false] {
            let (c1_topics, c2_topics): (&[&str], &[&str]) = if equal {
                (&all, &all)
            } else {
                (&["topic"], &["topic", "topic2"])
            };
            let c1_owned = if equal {
                "topic-0, topic-1, topic-2, topic2-2, topic2-3, topic3-0"
            } else {
                "topic-0, topic-1, topic-2, topic-3"
            };
            let c2_owned = "topic-0, topic-1, topic2-0, topic2-1, topic2-2, topic2-3";
            let c3_owned = "topic-2, topic-3, topic3-0, topic3-1, topic3-2, topic3-3";
            let members = [
                owning("consumer1", c1_topics, c1_owned, 1),
                owning("consumer2", c2_topics, c2_owned, 2),
                owning("consumer3", &all, c3_owned, 2),
            ];
            let assignment = sticky(&members, &topics);
            assert!(assignment.values().all(|p| p.len() == 4), "{assignment:?}");
            assert!(
                assignment["consumer2"]
                    .iter()
                    .all(|p| tps(c2_owned).contains(p))
            );
            assert!(
                assignment["consumer3"]
                    .iter()
                    .all(|p| tps(c3_owned).contains(p))
            );
        }
    }

    #[test]
    fn multiple_generations() {
        // StickyAssignorTest.testAssignmentWithMultipleGenerations1, both cases.
        let topics = counts(&[("topic", 6), ("topic2", 6)]);
        let all = ["topic", "topic2"];
        for equal in [true, false] {
            let c2_topics: &[&str] = if equal { &all } else { &["topic"] };
            let members = [
                member("consumer1", &all),
                member("consumer2", c2_topics),
                member("consumer3", &all),
            ];
            let r1 = sticky(&members, &topics);
            assert!(r1.values().all(|p| p.len() == 4));
            let r2 = sticky(&after(&members[..2], &r1, 1), &topics);
            assert!(r2.values().all(|p| p.len() == 6));
            assert!(r1["consumer2"].iter().all(|p| r2["consumer2"].contains(p)));
            if equal {
                assert!(r1["consumer1"].iter().all(|p| r2["consumer1"].contains(p)));
            }
            assert!(r2["consumer2"].iter().any(|p| r1["consumer3"].contains(p)));
            let third = [
                owning("consumer2", c2_topics, "", 2),
                owning("consumer3", &all, "", 1),
            ];
            let third = [
                Member {
                    owned_partitions: r2["consumer2"].clone(),
                    ..third[0].clone()
                },
                Member {
                    owned_partitions: r1["consumer3"].clone(),
                    ..third[1].clone()
                },
            ];
            let r3 = sticky(&third, &topics);
            assert!(r3.values().all(|p| p.len() == 6), "{r3:?}");
        }
    }

    #[test]
    fn three_generations_claiming_one_partition() {
        // testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
        let topics = counts(&[("topic", 6), ("topic1", 1)]);
        for [g1, g2, g3] in [
            [1, 2, 3],
            [1, 3, 2],
            [2, 1, 3],
            [2, 3, 1],
            [3, 1, 2],
            [3, 2, 1],
        ] {
            let members = [
                owning("consumer1", &["topic"], "topic-0, topic-2", g1),
                owning("consumer2", &["topic"], "topic-1, topic-2, topic-3", g2),
                owning("consumer3", &["topic"], "topic-2, topic-4, topic-5", g3),
                owning("consumer4", &["topic1"], "topic1-0", 2),
            ];
            let assignment = sticky(&members, &topics);
            let all: BTreeSet<&TopicPartition> = assignment.values().flatten().collect();
            assert_eq!(all.len(), 7);
            assert!(
                assignment.values().all(|p| (1..=2).contains(&p.len())),
                "{assignment:?}"
            );
        }
    }

    #[test]
    fn java_string_hash_matches_java() {
        // "consumer1".hashCode() in Java.
        assert_eq!(java_string_hash("consumer1") as i32, -421_004_549);
        assert_eq!(java_string_hash(""), 0);
    }
}
