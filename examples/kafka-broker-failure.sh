# A broker dies: leaders move to in-sync followers, the ISR shrinks and grows back, and a
# consumer group keeps reading through it.
sim kafka create-cluster --brokers 3 --mode kraft
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group fulfilment --from-beginning --consumer-property client.id=picker &
sim advance 4s
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property acks=all <<END
order-1
order-2
order-3
END
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders

# Broker 2 crashes. Its leaderships move once the controller fences it (broker.session.timeout.ms,
# 9 s); it leaves the ISR of the partitions it followed.
sim broker crash 2
sim advance 10s
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders
sim broker list

# Two in-sync replicas are still enough for acks=all with min.insync.replicas=2.
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property acks=all <<END
order-4
order-5
END
sim advance 2s

# Broker 2 comes back, catches up from the leaders and rejoins the ISR.
sim broker start 2
sim advance 5s
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders
kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group fulfilment
