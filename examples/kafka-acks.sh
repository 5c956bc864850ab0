# acks=1 against acks=all, with the leader crashing right after the producer's acknowledgement.
# A 3-broker KRaft cluster; both topics have one partition on all three brokers.
sim kafka create-cluster --brokers 3 --mode kraft
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic payments-fast --partitions 1 --replication-factor 3
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic payments-safe --partitions 1 --replication-factor 3 --config min.insync.replicas=2

# acks=1: the leader acknowledges alone. It crashes before its followers fetch (they would in 100 ms).
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic payments-fast --producer-property acks=1 <<EOF
pay-1
pay-2
pay-3
EOF
sim broker crash --leader-of payments-fast:0
# The controller notices after broker.session.timeout.ms (9 s) and elects a follower: the trace
# shows kafka/records-lost for the three acknowledged records.
sim advance 10s
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic payments-fast
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic payments-fast --from-beginning
# The old leader returns and truncates its log to the new leader's (leader-epoch truncation).
sim broker start 1
sim broker start 2
sim broker start 3
sim advance 1s

# acks=all with min.insync.replicas=2: acknowledged only once every in-sync replica has it.
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic payments-safe --producer-property acks=all <<EOF
pay-1
pay-2
pay-3
EOF
sim broker crash --leader-of payments-safe:0
sim advance 10s
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic payments-safe --from-beginning

# With one in-sync replica left, acks=all is refused rather than risked.
sim broker stop --leader-of payments-safe:0
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic payments-safe
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic payments-safe --producer-property acks=all <<EOF
pay-4
EOF
kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic payments-safe
