# Consumer groups: partitions shared out, lag, a rebalance when a consumer dies, at-least-once
# redelivery, and re-reading everything with a new group id.
sim kafka create-cluster --brokers 3 --mode kraft
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 3 --replication-factor 3

# Two consumers in group "dashboard", started together: after group.initial.rebalance.delay.ms
# (3 s) one generation gives c1 two partitions and c2 one (the range assignor).
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --property print.partition=true --property print.key=true --consumer-property client.id=c1 &
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --property print.partition=true --property print.key=true --consumer-property client.id=c2 &
sim advance 4s
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group dashboard --members

# Keyed records: the same key always lands in the same partition, so one consumer sees it all.
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic clicks --property parse.key=true --property key.separator=: <<END
alice:home
carol:home
dave:cart
alice:cart
carol:checkout
dave:home
END
# Offsets are committed every auto.commit.interval.ms (5 s): until then the lag shows.
sim advance 1s
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group dashboard
sim advance 5s
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group dashboard

# c1 reads new records, then dies before its next commit (kill -9: no commit, no goodbye).
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic clicks --property parse.key=true --property key.separator=: <<END
alice:pay
dave:pay
END
sim advance 1s
sim consumer kill c1
# Nothing moves until session.timeout.ms (45 s) passes without a heartbeat from c1; then c2 takes
# every partition and reads c1's uncommitted records again (kafka/records-redelivered).
sim advance 50s
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group dashboard

# A new group id has no committed offsets: with --from-beginning it reads the whole log again.
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group audit --from-beginning
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list

# Rewind "dashboard" after stopping its last consumer: only an inactive group may be reset.
kill %2
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group dashboard --topic clicks --to-earliest --execute
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group dashboard
