//! `sim.*`: the world's state as read-only SQL tables, so that lessons check their goals with
//! the same SQL the course teaches (`SELECT count(*) FROM sim.kafka_partitions WHERE …`) and
//! learners can look with `sim query`. `SimTables` is a `TableSource` that builds a table's
//! rows from the services at scan time; nothing is cached and nothing is written.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Int64Array, StringArray, TimestampMillisecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::services::Services;
use crate::services::athena::ResultSet;
use crate::services::iam::explain::Fix;
use crate::services::kafka::assignors::TopicPartition;
use crate::services::kafka::cluster::Cluster;
use crate::services::lambda::{Outcome, Trigger};
use crate::sim::{Millis, World};
use crate::sql::{self, QueryContext, SqlError, Statement};
use crate::table::{ScanError, ScanOutput, ScanRequest, TableName, TableSource};

/// The database every introspection table lives in.
pub const DATABASE: &str = "sim";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    BigInt,
    Varchar,
    Boolean,
    Timestamp,
}

impl Kind {
    fn arrow(self) -> DataType {
        match self {
            Kind::BigInt => DataType::Int64,
            Kind::Varchar => DataType::Utf8,
            Kind::Boolean => DataType::Boolean,
            Kind::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::BigInt => "bigint",
            Kind::Varchar => "varchar",
            Kind::Boolean => "boolean",
            Kind::Timestamp => "timestamp(3)",
        }
    }
}

/// One cell. `Time` is milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Str(String),
    Bool(bool),
    Time(Millis),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<u64> for Value {
    fn from(value: u64) -> Self {
        Value::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Value::Int(value.into())
    }
}

impl From<i32> for Value {
    fn from(value: i32) -> Self {
        Value::Int(value.into())
    }
}

impl From<usize> for Value {
    fn from(value: usize) -> Self {
        Value::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Str(value.to_string())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Str(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

type Row = Vec<Value>;

/// A table: its name, its columns, and how to read its rows from the world.
pub struct SimTable {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    rows: fn(&World) -> Vec<Row>,
}

impl SimTable {
    fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|(name, kind)| Field::new(*name, kind.arrow(), true))
            .collect();
        Arc::new(Schema::new(fields))
    }

    fn batch(&self, world: &World, projection: &[usize]) -> RecordBatch {
        let rows = (self.rows)(world);
        let schema = self.schema();
        let arrays: Vec<ArrayRef> = projection
            .iter()
            .map(|&i| column(self.columns[i].1, rows.iter().map(|row| &row[i])))
            .collect();
        let schema = Arc::new(schema.project(projection).expect("projection in bounds"));
        let options =
            arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows.len()));
        RecordBatch::try_new_with_options(schema, arrays, &options).expect("columns match schema")
    }
}

fn column<'a>(kind: Kind, values: impl Iterator<Item = &'a Value>) -> ArrayRef {
    match kind {
        Kind::BigInt => Arc::new(Int64Array::from_iter(values.map(|v| match v {
            Value::Null => None,
            Value::Int(n) => Some(*n),
            other => wrong(kind, other),
        }))),
        Kind::Varchar => Arc::new(StringArray::from_iter(values.map(|v| match v {
            Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            other => wrong(kind, other),
        }))),
        Kind::Boolean => Arc::new(BooleanArray::from_iter(values.map(|v| match v {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => wrong(kind, other),
        }))),
        Kind::Timestamp => Arc::new(TimestampMillisecondArray::from_iter(values.map(
            |v| match v {
                Value::Null => None,
                Value::Time(ms) => Some(*ms),
                other => wrong(kind, other),
            },
        ))),
    }
}

fn wrong<T>(kind: Kind, value: &Value) -> T {
    panic!("{value:?} in a {} column", kind.name())
}

/// Every `sim.*` table, by name.
pub const TABLES: &[SimTable] = &[
    SimTable {
        name: "athena_databases",
        description: "Glue databases Athena knows",
        columns: &[("database", Kind::Varchar), ("location", Kind::Varchar)],
        rows: athena_databases,
    },
    SimTable {
        name: "athena_queries",
        description: "every Athena query execution, oldest first",
        columns: &[
            ("query_id", Kind::Varchar),
            ("state", Kind::Varchar),
            ("query", Kind::Varchar),
            ("database", Kind::Varchar),
            ("statement_type", Kind::Varchar),
            ("data_scanned", Kind::BigInt),
            ("error", Kind::Varchar),
            ("submitted", Kind::Timestamp),
        ],
        rows: athena_queries,
    },
    SimTable {
        name: "athena_tables",
        description: "tables in the Glue catalog, with their format and S3 location",
        columns: &[
            ("database", Kind::Varchar),
            ("table_name", Kind::Varchar),
            ("format", Kind::Varchar),
            ("location", Kind::Varchar),
            ("columns", Kind::BigInt),
            ("partition_keys", Kind::BigInt),
        ],
        rows: athena_tables,
    },
    SimTable {
        name: "eventbridge_rules",
        description: "EventBridge rules on every bus",
        columns: &[
            ("bus", Kind::Varchar),
            ("rule", Kind::Varchar),
            ("state", Kind::Varchar),
            ("schedule_expression", Kind::Varchar),
            ("event_pattern", Kind::Varchar),
            ("targets", Kind::BigInt),
            ("next_fire", Kind::Timestamp),
            ("following_fire", Kind::Timestamp),
        ],
        rows: eventbridge_rules,
    },
    SimTable {
        name: "eventbridge_targets",
        description: "each rule's targets",
        columns: &[
            ("bus", Kind::Varchar),
            ("rule", Kind::Varchar),
            ("target_id", Kind::Varchar),
            ("arn", Kind::Varchar),
        ],
        rows: eventbridge_targets,
    },
    SimTable {
        name: "iam_denials",
        description: "the latest calls IAM denied (at most 50), why, and the smallest fix; `sim iam explain N` prints one",
        columns: &[
            ("denial_id", Kind::BigInt),
            ("time", Kind::Timestamp),
            ("role_name", Kind::Varchar),
            ("principal", Kind::Varchar),
            ("action", Kind::Varchar),
            ("resource", Kind::Varchar),
            ("decision", Kind::Varchar),
            ("denied_by", Kind::Varchar),
            ("near_misses", Kind::BigInt),
            ("fix_command", Kind::Varchar),
            ("message", Kind::Varchar),
        ],
        rows: iam_denials,
    },
    SimTable {
        name: "iam_policies",
        description: "each role's inline and attached policies, with their documents",
        columns: &[
            ("role_name", Kind::Varchar),
            ("kind", Kind::Varchar),
            ("policy_name", Kind::Varchar),
            ("document", Kind::Varchar),
        ],
        rows: iam_policies,
    },
    SimTable {
        name: "iam_roles",
        description: "IAM roles",
        columns: &[
            ("role_name", Kind::Varchar),
            ("arn", Kind::Varchar),
            ("inline_policies", Kind::BigInt),
            ("attached_policies", Kind::BigInt),
            ("created", Kind::Timestamp),
        ],
        rows: iam_roles,
    },
    SimTable {
        name: "kafka_brokers",
        description: "the Kafka cluster's brokers",
        columns: &[
            ("broker", Kind::BigInt),
            ("state", Kind::Varchar),
            ("fenced", Kind::Boolean),
            ("is_controller", Kind::Boolean),
        ],
        rows: kafka_brokers,
    },
    SimTable {
        name: "kafka_consumer_group_members",
        description: "each consumer group's members and the partitions assigned to them",
        columns: &[
            ("group_id", Kind::Varchar),
            ("member_id", Kind::Varchar),
            ("client_id", Kind::Varchar),
            ("assignment", Kind::Varchar),
            ("assigned_partitions", Kind::BigInt),
        ],
        rows: kafka_consumer_group_members,
    },
    SimTable {
        name: "kafka_consumer_groups",
        description: "consumer groups: state, generation, members and coordinator",
        columns: &[
            ("group_id", Kind::Varchar),
            ("state", Kind::Varchar),
            ("generation", Kind::BigInt),
            ("protocol", Kind::Varchar),
            ("members", Kind::BigInt),
            ("coordinator", Kind::BigInt),
        ],
        rows: kafka_consumer_groups,
    },
    SimTable {
        name: "kafka_consumer_offsets",
        description: "committed offsets per group and partition, with the lag behind the high watermark",
        columns: &[
            ("group_id", Kind::Varchar),
            ("topic", Kind::Varchar),
            ("partition", Kind::BigInt),
            ("committed_offset", Kind::BigInt),
            ("high_watermark", Kind::BigInt),
            ("lag", Kind::BigInt),
        ],
        rows: kafka_consumer_offsets,
    },
    SimTable {
        name: "kafka_controller",
        description: "who manages the cluster's metadata: ZooKeeper or a KRaft quorum",
        columns: &[
            ("mode", Kind::Varchar),
            ("active_controller", Kind::BigInt),
            ("epoch", Kind::BigInt),
            ("voters", Kind::Varchar),
            ("metadata_end_offset", Kind::BigInt),
        ],
        rows: kafka_controller,
    },
    SimTable {
        name: "kafka_partitions",
        description: "each partition's leader, replicas, ISR and offsets",
        columns: &[
            ("topic", Kind::Varchar),
            ("partition", Kind::BigInt),
            ("leader", Kind::BigInt),
            ("leader_epoch", Kind::BigInt),
            ("replicas", Kind::Varchar),
            ("isr", Kind::Varchar),
            ("isr_count", Kind::BigInt),
            ("high_watermark", Kind::BigInt),
            ("log_start_offset", Kind::BigInt),
            ("log_end_offset", Kind::BigInt),
        ],
        rows: kafka_partitions,
    },
    SimTable {
        name: "kafka_producers",
        description: "producers by client id, topic and settings: records acknowledged and failed",
        columns: &[
            ("client_id", Kind::Varchar),
            ("topic", Kind::Varchar),
            ("acks", Kind::Varchar),
            ("idempotent", Kind::Boolean),
            ("records_acked", Kind::BigInt),
            ("records_failed", Kind::BigInt),
            ("partitions", Kind::Varchar),
            ("last_send", Kind::Timestamp),
        ],
        rows: kafka_producers,
    },
    SimTable {
        name: "kafka_records",
        description: "records consumers can read (below the high watermark), by partition",
        columns: &[
            ("topic", Kind::Varchar),
            ("partition", Kind::BigInt),
            ("offset", Kind::BigInt),
            ("key", Kind::Varchar),
            ("value", Kind::Varchar),
            ("timestamp", Kind::Timestamp),
        ],
        rows: kafka_records,
    },
    SimTable {
        name: "kafka_replicas",
        description: "each replica of each partition, on its broker",
        columns: &[
            ("topic", Kind::Varchar),
            ("partition", Kind::BigInt),
            ("broker", Kind::BigInt),
            ("is_leader", Kind::Boolean),
            ("in_isr", Kind::Boolean),
            ("log_end_offset", Kind::BigInt),
        ],
        rows: kafka_replicas,
    },
    SimTable {
        name: "kafka_topics",
        description: "Kafka topics and their settings",
        columns: &[
            ("topic", Kind::Varchar),
            ("partitions", Kind::BigInt),
            ("replication_factor", Kind::BigInt),
            ("min_insync_replicas", Kind::BigInt),
            ("configs", Kind::Varchar),
        ],
        rows: kafka_topics,
    },
    SimTable {
        name: "lambda_event_source_mappings",
        description: "queues Lambda polls for functions",
        columns: &[
            ("uuid", Kind::Varchar),
            ("function_name", Kind::Varchar),
            ("event_source_arn", Kind::Varchar),
            ("batch_size", Kind::BigInt),
            ("enabled", Kind::Boolean),
        ],
        rows: lambda_event_source_mappings,
    },
    SimTable {
        name: "lambda_functions",
        description: "Lambda functions and their counters",
        columns: &[
            ("function_name", Kind::Varchar),
            ("code", Kind::Varchar),
            ("role", Kind::Varchar),
            ("timeout", Kind::BigInt),
            ("memory_size", Kind::BigInt),
            ("invocations", Kind::BigInt),
            ("errors", Kind::BigInt),
            ("cold_starts", Kind::BigInt),
            ("throttles", Kind::BigInt),
            ("reserved_concurrency", Kind::BigInt),
        ],
        rows: lambda_functions,
    },
    SimTable {
        name: "lambda_invocations",
        description: "every finished invocation, oldest first",
        columns: &[
            ("request_id", Kind::Varchar),
            ("function_name", Kind::Varchar),
            ("trigger", Kind::Varchar),
            ("source", Kind::Varchar),
            ("start_time", Kind::Timestamp),
            ("billed_ms", Kind::BigInt),
            ("cold_start", Kind::Boolean),
            ("outcome", Kind::Varchar),
            ("error_type", Kind::Varchar),
        ],
        rows: lambda_invocations,
    },
    SimTable {
        name: "lambda_permissions",
        description: "who may invoke each function (its resource policy)",
        columns: &[
            ("function_name", Kind::Varchar),
            ("sid", Kind::Varchar),
            ("principal", Kind::Varchar),
            ("source_arn", Kind::Varchar),
        ],
        rows: lambda_permissions,
    },
    SimTable {
        name: "log_events",
        description: "CloudWatch Logs events in every group and stream",
        columns: &[
            ("log_group", Kind::Varchar),
            ("log_stream", Kind::Varchar),
            ("time", Kind::Timestamp),
            ("message", Kind::Varchar),
        ],
        rows: log_events,
    },
    SimTable {
        name: "s3_buckets",
        description: "S3 buckets with their versioning, lifecycle and replication",
        columns: &[
            ("bucket", Kind::Varchar),
            ("region", Kind::Varchar),
            ("versioning", Kind::Varchar),
            ("lifecycle_rules", Kind::BigInt),
            ("replication_rules", Kind::BigInt),
            ("objects", Kind::BigInt),
            ("created", Kind::Timestamp),
        ],
        rows: s3_buckets,
    },
    SimTable {
        name: "s3_objects",
        description: "current objects (not older versions or delete markers)",
        columns: &[
            ("bucket", Kind::Varchar),
            ("key", Kind::Varchar),
            ("size", Kind::BigInt),
            ("storage_class", Kind::Varchar),
            ("last_modified", Kind::Timestamp),
            ("content_type", Kind::Varchar),
            ("version_id", Kind::Varchar),
            ("replication_status", Kind::Varchar),
        ],
        rows: s3_objects,
    },
    SimTable {
        name: "sqs_queues",
        description: "SQS queues with their message counts now",
        columns: &[
            ("queue_name", Kind::Varchar),
            ("arn", Kind::Varchar),
            ("visible", Kind::BigInt),
            ("in_flight", Kind::BigInt),
            ("delayed", Kind::BigInt),
            ("visibility_timeout", Kind::BigInt),
            ("dead_letter_target_arn", Kind::Varchar),
            ("max_receive_count", Kind::BigInt),
        ],
        rows: sqs_queues,
    },
    SimTable {
        name: "trace",
        description: "everything that happened, in order; fields as JSON",
        columns: &[
            ("seq", Kind::BigInt),
            ("time", Kind::Timestamp),
            ("service", Kind::Varchar),
            ("kind", Kind::Varchar),
            ("fields", Kind::Varchar),
        ],
        rows: trace,
    },
];

pub fn table(name: &str) -> Option<&'static SimTable> {
    TABLES.iter().find(|t| t.name == name)
}

fn services(world: &World) -> &Services {
    world.services()
}

fn athena_databases(world: &World) -> Vec<Row> {
    services(world)
        .athena
        .catalog
        .databases()
        .map(|db| vec![db.name.as_str().into(), db.location.clone().into()])
        .collect()
}

fn athena_queries(world: &World) -> Vec<Row> {
    services(world)
        .athena
        .executions()
        .iter()
        .map(|q| {
            vec![
                q.id.as_str().into(),
                q.state.as_str().into(),
                q.query.as_str().into(),
                q.database.as_str().into(),
                q.statement_type.as_str().into(),
                q.data_scanned_bytes.into(),
                q.reason.clone().into(),
                Value::Time(q.submitted_ms),
            ]
        })
        .collect()
}

fn athena_tables(world: &World) -> Vec<Row> {
    use crate::sql::Storage;
    let catalog = &services(world).athena.catalog;
    catalog
        .databases()
        .flat_map(|db| db.tables().map(move |t| (db, t)))
        .map(|(db, t)| {
            let table = &t.definition;
            let format = match table.storage {
                Storage::JsonSerde => "json",
                Storage::Delimited { .. } => "delimited",
                Storage::OpenCsv { .. } => "csv",
                Storage::Parquet => "parquet",
                Storage::Orc => "orc",
                Storage::TextFileDefault => "text",
            };
            vec![
                db.name.as_str().into(),
                table.name.table.as_str().into(),
                format.into(),
                table.location.as_str().into(),
                table.columns.len().into(),
                table.partitioned_by.len().into(),
            ]
        })
        .collect()
}

fn eventbridge_rules(world: &World) -> Vec<Row> {
    use crate::services::eventbridge::RuleState;
    use crate::services::eventbridge::schedule::Schedule;
    let eventbridge = &services(world).eventbridge;
    eventbridge
        .buses()
        .flat_map(|bus| eventbridge.rules(bus, "").unwrap_or_default())
        .map(|rule| {
            // When an enabled scheduled rule fires next, as its queued event says, and the time
            // after that, so that a goal can check the interval.
            let schedule = rule
                .schedule_expression
                .as_deref()
                .filter(|_| rule.state == RuleState::Enabled)
                .and_then(|e| Schedule::parse(e).ok());
            let next_fire = schedule
                .as_ref()
                .and_then(|s| s.next_after(rule.since_ms, world.now_ms()));
            let following_fire = schedule
                .as_ref()
                .zip(next_fire)
                .and_then(|(s, next)| s.next_after(rule.since_ms, next));
            vec![
                rule.bus.as_str().into(),
                rule.name.as_str().into(),
                rule.state.as_str().into(),
                rule.schedule_expression.clone().into(),
                rule.event_pattern.clone().into(),
                rule.targets.len().into(),
                next_fire.map_or(Value::Null, Value::Time),
                following_fire.map_or(Value::Null, Value::Time),
            ]
        })
        .collect()
}

fn eventbridge_targets(world: &World) -> Vec<Row> {
    let eventbridge = &services(world).eventbridge;
    eventbridge
        .buses()
        .flat_map(|bus| eventbridge.rules(bus, "").unwrap_or_default())
        .flat_map(|rule| {
            rule.targets.values().map(move |target| {
                vec![
                    rule.bus.as_str().into(),
                    rule.name.as_str().into(),
                    target.id.as_str().into(),
                    target.arn.as_str().into(),
                ]
            })
        })
        .collect()
}

fn iam_roles(world: &World) -> Vec<Row> {
    services(world)
        .iam
        .roles()
        .map(|role| {
            vec![
                role.name.as_str().into(),
                role.arn().into(),
                role.inline.len().into(),
                role.attached.len().into(),
                Value::Time(role.created_ms),
            ]
        })
        .collect()
}

fn iam_denials(world: &World) -> Vec<Row> {
    services(world)
        .iam
        .denials()
        .iter()
        .map(|denial| {
            let why = &denial.explanation;
            let denied_by: Vec<String> = why.denied_by.iter().map(|s| s.describe()).collect();
            let fix_command = match why.fix() {
                Fix::Allow { command, .. } => Some(command),
                Fix::RemoveDeny { .. } | Fix::CreateRole => None,
            };
            vec![
                denial.id.into(),
                Value::Time(denial.time_ms),
                why.role.as_str().into(),
                why.principal.as_str().into(),
                why.action.as_str().into(),
                why.resource.as_str().into(),
                why.decision.as_str().into(),
                (!denied_by.is_empty()).then(|| denied_by.join("; ")).into(),
                why.near_misses.len().into(),
                fix_command.into(),
                denial.message.as_str().into(),
            ]
        })
        .collect()
}

fn iam_policies(world: &World) -> Vec<Row> {
    let iam = &services(world).iam;
    let mut rows = Vec::new();
    for role in iam.roles() {
        for (name, document) in &role.inline {
            rows.push(vec![
                role.name.as_str().into(),
                "inline".into(),
                name.as_str().into(),
                document.as_str().into(),
            ]);
        }
        for arn in &role.attached {
            let managed = iam.managed(arn);
            let name = managed.as_ref().map_or(arn.as_str(), |m| m.name);
            rows.push(vec![
                role.name.as_str().into(),
                "attached".into(),
                name.into(),
                managed.map(|m| m.document.to_string()).into(),
            ]);
        }
    }
    rows
}

fn cluster(world: &World) -> Option<&Cluster> {
    services(world).kafka.cluster()
}

fn ids(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn kafka_brokers(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    let controller = cluster.active_controller();
    cluster
        .brokers()
        .map(|broker| {
            vec![
                broker.id.into(),
                broker.state.as_str().into(),
                broker.fenced.into(),
                (controller == Some(broker.id)).into(),
            ]
        })
        .collect()
}

fn kafka_controller(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    let controller = cluster.controller();
    vec![vec![
        controller.mode.as_str().into(),
        cluster.active_controller().into(),
        controller.epoch.into(),
        ids(&controller.voters).into(),
        controller.metadata_end_offset.into(),
    ]]
}

fn kafka_consumer_groups(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .groups()
        .groups()
        .map(|g| {
            vec![
                g.group_id.as_str().into(),
                g.state.as_str().into(),
                g.generation.into(),
                g.protocol.map(|p| p.name()).into(),
                g.members.len().into(),
                cluster.coordinator(&g.group_id).into(),
            ]
        })
        .collect()
}

fn kafka_producers(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .producers()
        .iter()
        .map(|p| {
            let partitions: Vec<String> = p.acked_by_partition.keys().map(u32::to_string).collect();
            vec![
                p.client_id.as_str().into(),
                p.topic.as_str().into(),
                p.acks.as_str().into(),
                p.idempotent.into(),
                p.records_acked.into(),
                p.records_failed.into(),
                partitions.join(",").into(),
                Value::Time(p.last_send_ms),
            ]
        })
        .collect()
}

fn kafka_consumer_group_members(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .groups()
        .groups()
        .flat_map(|g| g.members.iter().map(move |m| (g, m)))
        .map(|(g, m)| {
            let assignment: Vec<String> =
                m.assignment.iter().map(TopicPartition::to_string).collect();
            vec![
                g.group_id.as_str().into(),
                m.member_id.as_str().into(),
                m.client_id.as_str().into(),
                assignment.join(",").into(),
                m.assignment.len().into(),
            ]
        })
        .collect()
}

fn kafka_consumer_offsets(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .groups()
        .groups()
        .flat_map(|g| {
            g.offsets
                .iter()
                .map(move |(tp, committed)| (g, tp, committed))
        })
        .map(|(g, tp, committed)| {
            let high_watermark = cluster
                .partition(&tp.topic, tp.partition)
                .map(|p| p.high_watermark);
            vec![
                g.group_id.as_str().into(),
                tp.topic.as_str().into(),
                tp.partition.into(),
                committed.offset.into(),
                high_watermark.into(),
                high_watermark.map(|hw| hw - committed.offset).into(),
            ]
        })
        .collect()
}

fn kafka_topics(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .topics()
        .map(|topic| {
            let configs: Vec<String> = topic
                .configs()
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            vec![
                topic.name.as_str().into(),
                topic.partitions.len().into(),
                topic.replication_factor().into(),
                topic.config().min_insync_replicas.into(),
                configs.join(",").into(),
            ]
        })
        .collect()
}

fn kafka_partitions(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    cluster
        .topics()
        .flat_map(|topic| topic.partitions.iter().map(move |p| (topic, p)))
        .map(|(topic, p)| {
            vec![
                topic.name.as_str().into(),
                p.partition.into(),
                p.leader.into(),
                p.leader_epoch.into(),
                ids(&p.replicas).into(),
                ids(&p.isr).into(),
                p.isr.len().into(),
                p.high_watermark.into(),
                p.log_start_offset().into(),
                p.log_end_offset().into(),
            ]
        })
        .collect()
}

fn kafka_replicas(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for topic in cluster.topics() {
        for p in &topic.partitions {
            for &broker in &p.replicas {
                rows.push(vec![
                    topic.name.as_str().into(),
                    p.partition.into(),
                    broker.into(),
                    (p.leader == Some(broker)).into(),
                    p.isr.contains(&broker).into(),
                    p.log(broker).log_end_offset().into(),
                ]);
            }
        }
    }
    rows
}

fn kafka_records(world: &World) -> Vec<Row> {
    let Some(cluster) = cluster(world) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for topic in cluster.topics() {
        for p in &topic.partitions {
            for record in p.readable_from(p.log_start_offset()) {
                rows.push(vec![
                    topic.name.as_str().into(),
                    p.partition.into(),
                    record.offset.into(),
                    record.key.as_deref().map(str::to_string).into(),
                    record.value.as_deref().map(str::to_string).into(),
                    Value::Time(record.timestamp_ms),
                ]);
            }
        }
    }
    rows
}

fn lambda_functions(world: &World) -> Vec<Row> {
    services(world)
        .lambda
        .functions()
        .map(|f| {
            vec![
                f.name.as_str().into(),
                f.code.name().into(),
                f.role.as_str().into(),
                f.timeout_s.into(),
                f.memory_mb.into(),
                f.stats.invocations.into(),
                f.stats.errors.into(),
                f.stats.cold_starts.into(),
                f.stats.throttles.into(),
                f.reserved_concurrency.into(),
            ]
        })
        .collect()
}

fn lambda_invocations(world: &World) -> Vec<Row> {
    services(world)
        .lambda
        .invocations()
        .iter()
        .map(|inv| {
            let (trigger, source) = match &inv.trigger {
                Trigger::Cli => ("cli", None),
                Trigger::EventBridge { rule_arn } => ("eventbridge", Some(rule_arn.clone())),
                Trigger::S3 { bucket } => ("s3", Some(format!("arn:aws:s3:::{bucket}"))),
                Trigger::Sqs { queue_arn, .. } => ("sqs", Some(queue_arn.clone())),
                Trigger::Scheduler { schedule_arn } => ("scheduler", Some(schedule_arn.clone())),
            };
            let (outcome, error_type) = match &inv.outcome {
                Outcome::Success(_) => ("success", None),
                Outcome::Error { error_type, .. } => ("error", Some(error_type.clone())),
                Outcome::Timeout => ("timeout", None),
                Outcome::OutOfMemory => ("out_of_memory", None),
            };
            vec![
                inv.request_id.as_str().into(),
                inv.function.as_str().into(),
                trigger.into(),
                source.into(),
                Value::Time(inv.start_ms),
                inv.billed_ms.into(),
                inv.init_us.is_some().into(),
                outcome.into(),
                error_type.into(),
            ]
        })
        .collect()
}

fn lambda_permissions(world: &World) -> Vec<Row> {
    services(world)
        .lambda
        .functions()
        .flat_map(|f| {
            f.permissions.iter().map(move |p| {
                vec![
                    f.name.as_str().into(),
                    p.sid.as_str().into(),
                    p.principal.as_str().into(),
                    p.source_arn.clone().into(),
                ]
            })
        })
        .collect()
}

fn lambda_event_source_mappings(world: &World) -> Vec<Row> {
    services(world)
        .lambda
        .mappings()
        .map(|m| {
            vec![
                m.uuid.as_str().into(),
                m.function.as_str().into(),
                m.event_source_arn.as_str().into(),
                m.batch_size.into(),
                m.enabled.into(),
            ]
        })
        .collect()
}

fn log_events(world: &World) -> Vec<Row> {
    let mut rows = Vec::new();
    for (group_name, group) in services(world).logs.groups() {
        for (stream, events) in &group.streams {
            for event in events {
                rows.push(vec![
                    group_name.as_str().into(),
                    stream.as_str().into(),
                    Value::Time(event.timestamp_ms),
                    event.message.as_str().into(),
                ]);
            }
        }
    }
    rows
}

fn s3_buckets(world: &World) -> Vec<Row> {
    use crate::services::s3::Versioning;
    services(world)
        .s3
        .buckets()
        .map(|b| {
            let versioning = match b.versioning {
                Versioning::Unversioned => None,
                Versioning::Enabled => Some("Enabled"),
                Versioning::Suspended => Some("Suspended"),
            };
            vec![
                b.name.as_str().into(),
                b.region.as_str().into(),
                versioning.into(),
                b.lifecycle.as_ref().map_or(0, |l| l.rules.len()).into(),
                b.replication.as_ref().map_or(0, |r| r.rules.len()).into(),
                b.current_objects().count().into(),
                Value::Time(b.created_ms),
            ]
        })
        .collect()
}

fn s3_objects(world: &World) -> Vec<Row> {
    services(world)
        .s3
        .buckets()
        .flat_map(|b| b.current_objects().map(move |(key, v)| (b, key, v)))
        .filter_map(|(b, key, version)| {
            let object = version.object.as_ref()?;
            Some(vec![
                b.name.as_str().into(),
                key.as_str().into(),
                object.size.into(),
                object.storage_class.as_str().into(),
                Value::Time(version.last_modified_ms),
                object.content_type.as_str().into(),
                Some(version.version_id.as_str())
                    .filter(|v| *v != "null")
                    .into(),
                object.replication.map(|r| r.as_str()).into(),
            ])
        })
        .collect()
}

fn sqs_queues(world: &World) -> Vec<Row> {
    let now_ms = world.now_ms();
    services(world)
        .sqs
        .queues()
        .map(|q| {
            let (visible, in_flight, delayed) = q.counts(now_ms);
            vec![
                q.name.as_str().into(),
                q.arn().into(),
                visible.into(),
                in_flight.into(),
                delayed.into(),
                q.visibility_timeout_s.into(),
                q.redrive_policy
                    .as_ref()
                    .map(|r| r.dead_letter_target_arn.clone())
                    .into(),
                q.redrive_policy
                    .as_ref()
                    .map(|r| r.max_receive_count)
                    .into(),
            ]
        })
        .collect()
}

fn trace(world: &World) -> Vec<Row> {
    world
        .trace()
        .events()
        .iter()
        .map(|event| {
            vec![
                event.seq.into(),
                Value::Time(event.time_ms),
                event.service.as_str().into(),
                event.kind.as_str().into(),
                event.to_json()["fields"].to_string().into(),
            ]
        })
        .collect()
}

/// The `sim.*` tables over one world, as the SQL engine reads them.
pub struct SimTables<'a> {
    pub world: &'a World,
}

impl TableSource for SimTables<'_> {
    fn schema(&self, name: &TableName) -> Option<SchemaRef> {
        if name.database != DATABASE {
            return None;
        }
        table(&name.table).map(SimTable::schema)
    }

    fn database_exists(&self, database: &str) -> bool {
        database == DATABASE
    }

    fn scan(&self, name: &TableName, request: &ScanRequest) -> Result<ScanOutput, ScanError> {
        let table = table(&name.table)
            .filter(|_| name.database == DATABASE)
            .ok_or_else(|| ScanError {
                code: "TABLE_NOT_FOUND".into(),
                message: format!("Table '{name}' does not exist"),
            })?;
        let projection = request
            .projection
            .clone()
            .unwrap_or_else(|| (0..table.columns.len()).collect());
        Ok(ScanOutput {
            batches: vec![table.batch(self.world, &projection)],
            bytes_scanned: 0,
        })
    }
}

/// Why a `sim.*` query did not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// The text is not SQL the engine can run (Athena's error code and message).
    Sql(SqlError),
    /// DDL, CTAS or INSERT: introspection is read-only.
    NotAQuery,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Sql(error) => write!(f, "{error}"),
            QueryError::NotAQuery => f.write_str(
                "only SELECT queries run over sim.* tables; they never change the world",
            ),
        }
    }
}

/// Runs a read-only query over the `sim.*` tables (unqualified names resolve in `sim`).
pub fn query(world: &World, text: &str) -> Result<ResultSet, QueryError> {
    let statement = sql::parse_statement(text).map_err(QueryError::Sql)?;
    let Statement::Query(parsed) = statement else {
        return Err(QueryError::NotAQuery);
    };
    let ctx = QueryContext {
        now_ms: world.now_ms(),
        default_database: DATABASE.into(),
        catalog_name: "awsdatacatalog".into(),
    };
    let result =
        sql::execute_query(&parsed, &SimTables { world }, &ctx).map_err(QueryError::Sql)?;
    Ok(ResultSet::from_batches(&result.schema, &result.batches))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Session;

    fn rows(session: &Session, sql: &str) -> Vec<Vec<String>> {
        let result = query(session.world(), sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        result
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|v| v.unwrap_or("NULL".into()))
                    .collect()
            })
            .collect()
    }

    fn exec(session: &mut Session, script: &str) {
        let outcome = session.exec(script);
        assert!(outcome.ok, "{}", outcome.output);
    }

    #[test]
    fn every_table_has_a_schema_and_scans_an_empty_world() {
        let session = Session::with_seed(1);
        for table in TABLES {
            let sql = format!("SELECT count(*) FROM sim.{}", table.name);
            // Athena's catalog always has its `default` database.
            let expect = if table.name == "athena_databases" {
                "1"
            } else {
                "0"
            };
            assert_eq!(rows(&session, &sql), [[expect]], "{}", table.name);
        }
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "TABLES are listed by name");
    }

    #[test]
    fn s3_tables_show_buckets_objects_sizes_and_classes() {
        let mut session = Session::with_seed(1);
        exec(
            &mut session,
            "aws s3 mb s3://app-logs-2022\n\
             echo hello | aws s3 cp - s3://app-logs-2022/a.txt\n\
             echo archive-me | aws s3 cp - s3://app-logs-2022/old/b.txt --storage-class GLACIER",
        );
        assert_eq!(
            rows(
                &session,
                "SELECT bucket, key, size, storage_class FROM sim.s3_objects ORDER BY key"
            ),
            [
                ["app-logs-2022", "a.txt", "6", "STANDARD"],
                ["app-logs-2022", "old/b.txt", "11", "GLACIER"],
            ]
        );
        assert_eq!(
            rows(
                &session,
                "SELECT bucket, objects, versioning FROM s3_buckets"
            ),
            [["app-logs-2022", "2", "NULL"]]
        );
    }

    #[test]
    fn kafka_tables_follow_the_cluster() {
        let mut session = Session::with_seed(1);
        exec(
            &mut session,
            "sim kafka create-cluster --brokers 3\n\
             kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 2 --replication-factor 3\n\
             echo k1:v1 | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=:\n\
             sim advance 1s",
        );
        let partitions = rows(
            &session,
            "SELECT partition, replicas, isr_count, high_watermark, log_end_offset \
             FROM sim.kafka_partitions WHERE topic = 'orders' ORDER BY partition",
        );
        assert_eq!(partitions.len(), 2);
        assert!(
            partitions
                .iter()
                .all(|p| p[1].split(',').count() == 3 && p[2] == "3")
        );
        let written: i64 = partitions
            .iter()
            .map(|p| p[3].parse::<i64>().unwrap())
            .sum();
        assert_eq!(written, 1, "{partitions:?}");
        let records = rows(&session, "SELECT key, value FROM sim.kafka_records");
        assert_eq!(records, [["k1", "v1"]]);
        let leader = rows(
            &session,
            "SELECT leader FROM sim.kafka_partitions WHERE topic = 'orders' AND partition = 0",
        )[0][0]
            .clone();
        exec(
            &mut session,
            &format!("sim broker crash {leader}\nsim advance 10s"),
        );
        let state = rows(
            &session,
            &format!("SELECT state, fenced FROM sim.kafka_brokers WHERE broker = {leader}"),
        );
        assert_eq!(state, [["crashed", "true"]]);
        let new_leader = rows(
            &session,
            "SELECT leader, isr_count FROM sim.kafka_partitions WHERE topic = 'orders' AND partition = 0",
        );
        assert_ne!(new_leader[0][0], leader);
        assert_eq!(new_leader[0][1], "2");
    }

    #[test]
    fn consumer_group_tables_show_members_offsets_and_lag() {
        let mut session = Session::with_seed(1);
        exec(
            &mut session,
            "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 2 --replication-factor 3\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --consumer-property client.id=c1 &\n\
             sim advance 4s\n\
             kafka-console-producer.sh --bootstrap-server localhost:9092 --topic clicks --property parse.key=true --property key.separator=: <<END\n\
             alice:home\nbob:cart\ncarol:home\nEND\n\
             sim advance 6s",
        );
        assert_eq!(
            rows(
                &session,
                "SELECT group_id, state, members FROM sim.kafka_consumer_groups"
            ),
            [["dashboard", "Stable", "1"]]
        );
        assert_eq!(
            rows(
                &session,
                "SELECT client_id, assignment FROM sim.kafka_consumer_group_members"
            ),
            [["c1", "clicks-0,clicks-1"]]
        );
        let offsets = rows(
            &session,
            "SELECT sum(committed_offset), sum(high_watermark), sum(lag) FROM sim.kafka_consumer_offsets",
        );
        assert_eq!(offsets, [["3", "3", "0"]]);
    }

    #[test]
    fn trace_and_iam_tables_read_the_world() {
        let mut session = Session::with_seed(1);
        exec(
            &mut session,
            r#"aws iam create-role --role-name r --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name r --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess"#,
        );
        assert_eq!(
            rows(
                &session,
                "SELECT role_name, kind, policy_name FROM sim.iam_policies"
            ),
            [["r", "attached", "AmazonS3FullAccess"]]
        );
        let commands = rows(
            &session,
            "SELECT count(*) FROM sim.trace WHERE service = 'shell' AND kind = 'command'",
        );
        assert_eq!(commands, [["2"]]);
    }

    #[test]
    fn scheduled_rules_show_when_they_fire_next() {
        let mut session = Session::with_seed(1);
        exec(
            &mut session,
            "aws events put-rule --name daily --schedule-expression 'cron(0 9 * * ? *)'\n\
             aws events put-rule --name off --schedule-expression 'rate(5 minutes)' --state DISABLED\n\
             sim advance 10h",
        );
        assert_eq!(
            rows(
                &session,
                "SELECT rule, state, next_fire FROM sim.eventbridge_rules ORDER BY rule"
            ),
            [
                ["daily", "ENABLED", "2022-06-13 09:00:00.000"],
                ["off", "DISABLED", "NULL"],
            ]
        );
    }

    #[test]
    fn only_queries_run() {
        let session = Session::with_seed(1);
        let error = query(session.world(), "CREATE DATABASE sim2").unwrap_err();
        assert_eq!(error, QueryError::NotAQuery);
        let missing = query(session.world(), "SELECT * FROM default.t").unwrap_err();
        assert!(missing.to_string().contains("default"), "{missing}");
    }
}
