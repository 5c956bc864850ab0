//! Where a topic's replicas go: Kafka's rack-unaware assignment (`AdminUtils.
//! assignReplicasToBrokersRackUnaware`, used by ZooKeeper-mode clusters and by
//! `kafka-reassign-partitions.sh --generate`). Leaders go round-robin from a random broker;
//! followers are shifted by a second random amount that grows every time the partitions wrap
//! around the brokers, so replicas of consecutive partitions do not all pile on the same
//! neighbours. (KRaft controllers use the `StripedReplicaPlacer` instead, which spreads
//! replicas the same way without racks but draws differently; the playground uses this one
//! for both modes.)

use super::BrokerId;

/// Why replicas cannot be placed, with `InvalidReplicationFactorException`'s words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooFewBrokers {
    pub replication_factor: u32,
    pub brokers: usize,
}

/// Replicas (the first is the preferred leader) for partitions `first_partition..` of a
/// topic. `start_index` and `replica_shift` are Kafka's `startIndex` and `nextReplicaShift`,
/// each `rand.nextInt(brokers.len())` for a new topic.
pub fn assign_replicas(
    brokers: &[BrokerId],
    partitions: u32,
    replication_factor: u32,
    start_index: usize,
    replica_shift: usize,
    first_partition: u32,
) -> Result<Vec<Vec<BrokerId>>, TooFewBrokers> {
    let n = brokers.len();
    if replication_factor as usize > n {
        return Err(TooFewBrokers {
            replication_factor,
            brokers: n,
        });
    }
    let mut shift = replica_shift;
    let mut assignment = Vec::with_capacity(partitions as usize);
    for partition in first_partition..first_partition + partitions {
        let partition = partition as usize;
        if partition > 0 && partition.is_multiple_of(n) {
            shift += 1;
        }
        let first = (partition + start_index) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..replication_factor as usize - 1 {
            replicas.push(brokers[replica_index(first, shift, j, n)]);
        }
        assignment.push(replicas);
    }
    Ok(assignment)
}

/// `AdminUtils.replicaIndex`: follower `j` sits `1 + (shift + j) % (n - 1)` brokers after the
/// leader, so it is never the leader itself.
fn replica_index(first: usize, shift: usize, j: usize, n: usize) -> usize {
    let step = 1 + (shift + j) % (n - 1);
    (first + step) % n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        brokers: &[BrokerId],
        partitions: u32,
        rf: u32,
        start: usize,
        first_partition: u32,
        expect: &[&[BrokerId]],
    ) {
        let got = assign_replicas(brokers, partitions, rf, start, start, first_partition).unwrap();
        let expect: Vec<Vec<BrokerId>> = expect.iter().map(|r| r.to_vec()).collect();
        assert_eq!(got, expect);
    }

    /// `AdminRackAwareTest`/`ReplicaAssignmentTest.testReplicaAssignment` (Kafka's core tests):
    /// brokers 0..4, ten partitions, three replicas, fixed start index 0.
    #[test]
    fn matches_kafkas_replica_assignment_test() {
        check(
            &[0, 1, 2, 3, 4],
            10,
            3,
            0,
            0,
            &[
                &[0, 1, 2],
                &[1, 2, 3],
                &[2, 3, 4],
                &[3, 4, 0],
                &[4, 0, 1],
                &[0, 2, 3],
                &[1, 3, 4],
                &[2, 4, 0],
                &[3, 0, 1],
                &[4, 1, 2],
            ],
        );
    }

    /// New partitions (`--alter --partitions`) keep the leaders' round robin; Kafka does not
    /// count the wraps before the first new partition, so followers may shift differently.
    #[test]
    fn added_partitions_continue_the_leader_round_robin() {
        let tail = assign_replicas(&[1, 2, 3], 2, 2, 1, 1, 4).unwrap();
        assert_eq!(tail, [vec![3, 2], vec![1, 3]]);
    }

    #[test]
    fn replication_factor_above_the_broker_count_is_refused() {
        assert_eq!(
            assign_replicas(&[1, 2, 3], 1, 4, 0, 0, 0),
            Err(TooFewBrokers {
                replication_factor: 4,
                brokers: 3
            })
        );
    }

    #[test]
    fn every_partition_has_distinct_replicas() {
        for n in 1..6 {
            let brokers: Vec<BrokerId> = (1..=n).collect();
            for start in 0..n as usize {
                let got = assign_replicas(&brokers, 12, n as u32, start, start + 1, 0).unwrap();
                for replicas in got {
                    let mut sorted = replicas.clone();
                    sorted.sort();
                    sorted.dedup();
                    assert_eq!(sorted.len(), replicas.len(), "{replicas:?}");
                }
            }
        }
    }
}
