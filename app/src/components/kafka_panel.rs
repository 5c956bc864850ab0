//! The Kafka panel: brokers (up or down, the controller) with buttons that type the same `sim
//! broker` commands as the terminal; each partition as a lane of offsets with its log start,
//! high watermark and log end, leader, replicas and ISR; the producers (`kafka_producers`);
//! consumer groups with their members' partitions (also drawn as arrows from each consumer to
//! the partitions it owns), a button that types the command starting one more consumer, lag per
//! partition, and the group's lag over simulated time as SVG with a text list beside it.

use engine::services::kafka::assignors::TopicPartition;
use engine::services::kafka::group::{Group, GroupState, OFFSETS_TOPIC};
use engine::services::kafka::{BrokerState, Cluster, broker_ids as ids};
use engine::sim::{Millis, format_iso};
use leptos::prelude::*;

use super::kafka_producers::{ProducersTable, producers};
use crate::i18n::{t, tf};
use crate::state::AppState;

const LANE_WIDTH: f64 = 360.0;
const LANE_HEIGHT: f64 = 16.0;
const CHART_WIDTH: f64 = 360.0;
const CHART_HEIGHT: f64 = 60.0;
const ASSIGN_ROW: f64 = 24.0;
const ASSIGN_CONSUMER_WIDTH: f64 = 150.0;
const ASSIGN_PARTITION_X: f64 = 240.0;
const ARROW_HEAD: f64 = 7.0;

#[derive(Clone, PartialEq)]
struct BrokerView {
    id: i32,
    state: &'static str,
    running: bool,
    controller: bool,
    fenced: bool,
}

#[derive(Clone, PartialEq)]
struct PartitionView {
    topic: String,
    partition: u32,
    leader: String,
    replicas: String,
    isr: String,
    under_replicated: bool,
    log_start: i64,
    high_watermark: i64,
    log_end: i64,
    /// Which group member reads it, if any group does.
    readers: String,
}

#[derive(Clone, PartialEq)]
struct GroupView {
    id: String,
    state: &'static str,
    generation: i32,
    protocol: String,
    members: Vec<(String, String)>,
    lag: i64,
    /// (member id, client id) in join order.
    consumers: Vec<(String, String)>,
    /// Every partition of the subscribed topics (`clicks-0`) with its owner's member id.
    owners: Vec<(String, Option<String>)>,
    /// The terminal command that starts one more consumer in this group, in the background.
    add_consumer: Option<String>,
    /// Points of the lag chart, oldest first, ending at now.
    samples: Vec<(Millis, i64)>,
}

fn brokers(cluster: &Cluster) -> Vec<BrokerView> {
    let controller = cluster.active_controller();
    cluster
        .brokers()
        .map(|b| BrokerView {
            id: b.id,
            state: b.state.as_str(),
            running: b.state == BrokerState::Running,
            controller: controller == Some(b.id),
            fenced: b.fenced,
        })
        .collect()
}

fn partitions(cluster: &Cluster, lang: &str) -> Vec<PartitionView> {
    let owners = |topic: &str, partition: u32| -> String {
        cluster
            .groups()
            .groups()
            .filter_map(|g| {
                let tp = TopicPartition::new(topic, partition);
                g.owner(&tp).map(|m| {
                    tf(
                        lang,
                        "kafka.reader",
                        &[
                            ("client", m.client_id.clone()),
                            ("group", g.group_id.clone()),
                        ],
                    )
                })
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    cluster
        .topics()
        .filter(|topic| topic.name != OFFSETS_TOPIC)
        .flat_map(|topic| {
            topic.partitions.iter().map(move |p| PartitionView {
                topic: topic.name.clone(),
                partition: p.partition,
                leader: p
                    .leader
                    .map_or_else(|| t(lang, "kafka.leader_none"), |l| l.to_string()),
                replicas: ids(&p.replicas),
                isr: ids(&p.isr),
                under_replicated: p.isr.len() < p.replicas.len(),
                log_start: p.log_start_offset(),
                high_watermark: p.high_watermark,
                log_end: p.log_end_offset(),
                readers: String::new(),
            })
        })
        .map(|mut view| {
            view.readers = owners(&view.topic, view.partition);
            view
        })
        .collect()
}

fn group_view(cluster: &Cluster, group: &Group, now: Millis, lang: &str) -> GroupView {
    let lag = cluster.group_lag(&group.group_id).unwrap_or(0);
    let mut samples = group.lag_samples.clone();
    if samples.last().is_none_or(|(t, _)| *t < now) {
        samples.push((now, lag));
    }
    GroupView {
        id: group.group_id.clone(),
        state: group.state.as_str(),
        generation: group.generation,
        protocol: group.protocol.map_or("-".into(), |p| p.name().to_string()),
        members: group
            .members
            .iter()
            .map(|m| {
                let parts: Vec<String> =
                    m.assignment.iter().map(TopicPartition::to_string).collect();
                (
                    m.member_id.clone(),
                    format!(
                        "{} → {}",
                        m.client_id,
                        if parts.is_empty() {
                            t(lang, "kafka.member.nothing")
                        } else {
                            parts.join(", ")
                        }
                    ),
                )
            })
            .collect(),
        lag,
        consumers: group
            .members
            .iter()
            .map(|m| (m.member_id.clone(), m.client_id.clone()))
            .collect(),
        owners: group
            .partition_owners(|topic| {
                cluster
                    .topic(topic)
                    .map_or(0, |t| t.partitions.len() as u32)
            })
            .into_iter()
            .map(|(tp, owner)| (tp.to_string(), owner.map(|m| m.member_id.clone())))
            .collect(),
        add_consumer: add_consumer_command(group),
        samples,
    }
}

/// `kafka-console-consumer.sh … --group G &` for the topics the group reads (its members'
/// subscriptions, or the topics it has committed offsets for once it is empty), with the
/// group's assignor so the new member's join is accepted. None when the group reads nothing.
fn add_consumer_command(group: &Group) -> Option<String> {
    let mut topics = group.subscribed_topics();
    if topics.is_empty() {
        topics = group.offsets.keys().map(|tp| tp.topic.as_str()).collect();
    }
    let subscription = match topics.len() {
        0 => return None,
        1 => format!("--topic {}", topics.first().expect("one topic")),
        // `--include` is a regular expression: a topic name's dots are literal.
        _ => {
            let names: Vec<String> = topics.iter().map(|t| t.replace('.', "\\.")).collect();
            format!("--include '{}'", names.join("|"))
        }
    };
    let strategy = group.protocol.map_or(String::new(), |p| {
        format!(
            " --consumer-property partition.assignment.strategy={}",
            p.name()
        )
    });
    Some(format!(
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 {subscription} --group {}{strategy} &",
        group.group_id
    ))
}

/// The lag chart's polyline over the samples' time span.
fn lag_points(samples: &[(Millis, i64)]) -> String {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return String::new();
    };
    let span = (last.0 - first.0).max(1) as f64;
    let top = samples
        .iter()
        .map(|(_, lag)| *lag)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let point = |t: Millis, lag: i64| {
        let x = (t - first.0) as f64 / span * CHART_WIDTH;
        let y = CHART_HEIGHT - (lag as f64 / top) * (CHART_HEIGHT - 4.0) - 2.0;
        format!("{x:.1},{y:.1}")
    };
    // Steps, not slopes: the lag is known at the samples and holds until the next one.
    let mut points = vec![point(first.0, first.1)];
    for pair in samples.windows(2) {
        points.push(point(pair[1].0, pair[0].1));
        points.push(point(pair[1].0, pair[1].1));
    }
    points.join(" ")
}

#[component]
pub fn KafkaPanel(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let view_of = move |lang: &'static str| {
        state.with(|s| {
            let world = s.world();
            let cluster = world.services().kafka.cluster()?;
            let groups: Vec<GroupView> = cluster
                .groups()
                .groups()
                .map(|g| group_view(cluster, g, world.now_ms(), lang))
                .collect();
            Some((
                brokers(cluster),
                cluster.controller().mode.as_str(),
                partitions(cluster, lang),
                producers(cluster),
                groups,
            ))
        })
    };
    view! {
        <div class="pp-panel pp-kafka" data-testid="kafka-panel">
            <header class="pp-panel-head"><h2>"Kafka"</h2></header>
            {move || { let lang = lang.get(); match view_of(lang) {
                None => view! {
                    <p class="pp-empty">{t(lang, "kafka.empty")} <code>"kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 3 --replication-factor 3"</code></p>
                }.into_any(),
                Some((brokers, mode, partitions, producers, groups)) => view! {
                    <div class="pp-brokers" data-testid="brokers" role="list" aria-label=tf(lang, "kafka.brokers_label", &[("mode", mode.to_string())])>
                        <span class="pp-muted">{format!("{mode}:")}</span>
                        {brokers.into_iter().map(|b| {
                            let command = if b.running { format!("sim broker crash {}", b.id) } else { format!("sim broker start {}", b.id) };
                            let id = [("id", b.id.to_string())];
                            let label = tf(lang, if b.running { "kafka.broker.crash_label" } else { "kafka.broker.start_label" }, &id);
                            let text = format!(
                                "{}{}{}",
                                tf(lang, "kafka.broker.line", &[("id", b.id.to_string()), ("state", b.state.to_string())]),
                                if b.controller { t(lang, "kafka.broker.controller") } else { String::new() },
                                if b.fenced { t(lang, "kafka.broker.fenced") } else { String::new() },
                            );
                            view! {
                                <span role="listitem" class=if b.running { "pp-broker pp-up" } else { "pp-broker pp-down" } data-testid="broker" data-broker=b.id>
                                    {text}
                                    <button class="pp-mini" aria-label=label.clone() title=label on:click=move |_| { state.run(&command); }>
                                        {t(lang, if b.running { "kafka.broker.crash" } else { "kafka.broker.start" })}
                                    </button>
                                </span>
                            }
                        }).collect_view()}
                    </div>
                    <table class="pp-table" data-testid="partitions">
                        <caption>{t(lang, "kafka.partitions.caption")}</caption>
                        <thead><tr>
                            {["kafka.col.partition", "kafka.col.records", "kafka.col.leader", "kafka.col.replicas", "kafka.col.isr", "kafka.col.offsets", "kafka.col.readers"]
                                .into_iter()
                                .map(|key| view! { <th>{t(lang, key)}</th> })
                                .collect_view()}
                        </tr></thead>
                        <tbody>
                            {partitions.into_iter().map(|p| {
                                let end = p.log_end.max(1) as f64;
                                let x = |offset: i64| offset as f64 / end * LANE_WIDTH;
                                let label = tf(lang, "kafka.lane", &[
                                    ("partition", format!("{}-{}", p.topic, p.partition)),
                                    ("start", p.log_start.to_string()),
                                    ("end", p.log_end.to_string()),
                                    ("hw", p.high_watermark.to_string()),
                                ]);
                                view! {
                                    <tr data-testid="partition" data-partition=format!("{}-{}", p.topic, p.partition)>
                                        <td class="pp-key">{format!("{}-{}", p.topic, p.partition)}</td>
                                        <td>
                                            <svg role="img" aria-label=label viewBox=format!("0 0 {LANE_WIDTH} {LANE_HEIGHT}") width=LANE_WIDTH height=LANE_HEIGHT class="pp-lane">
                                                <rect class="pp-lane-bg" x="0" y="2" width=LANE_WIDTH height=LANE_HEIGHT - 4.0/>
                                                <rect class="pp-lane-committed" x=x(p.log_start) y="2" width=(x(p.high_watermark) - x(p.log_start)).max(0.0) height=LANE_HEIGHT - 4.0/>
                                                <rect class="pp-lane-pending" x=x(p.high_watermark) y="2" width=(x(p.log_end) - x(p.high_watermark)).max(0.0) height=LANE_HEIGHT - 4.0/>
                                                <line class="pp-hw" x1=x(p.high_watermark) x2=x(p.high_watermark) y1="0" y2=LANE_HEIGHT/>
                                            </svg>
                                        </td>
                                        <td>{p.leader}</td>
                                        <td>{p.replicas}</td>
                                        <td class=if p.under_replicated { "pp-warn" } else { "" }>{p.isr}</td>
                                        <td>{format!("{} / {} / {}", p.log_start, p.high_watermark, p.log_end)}</td>
                                        <td class="pp-muted">{p.readers}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <ProducersTable rows=producers lang=lang/>
                    {groups.into_iter().map(|g| {
                        let points = lag_points(&g.samples);
                        let last = g.samples.last().map(|(t, _)| format_iso(*t)).unwrap_or_default();
                        let first = g.samples.first().map(|(t, _)| format_iso(*t)).unwrap_or_default();
                        let rebalancing = g.state == GroupState::PreparingRebalance.as_str() || g.state == GroupState::CompletingRebalance.as_str();
                        view! {
                            <section class="pp-group" data-testid="consumer-group" data-group=g.id.clone() aria-label=tf(lang, "kafka.group.label", &[("group", g.id.clone())])>
                                <h3>
                                    {tf(lang, "kafka.group.line", &[
                                        ("group", g.id.clone()),
                                        ("state", g.state.to_string()),
                                        ("generation", g.generation.to_string()),
                                        ("protocol", g.protocol.clone()),
                                    ])}
                                    <span class=if rebalancing { "pp-warn" } else { "pp-muted" } data-testid="group-lag">{tf(lang, "kafka.group.lag", &[("lag", g.lag.to_string())])}</span>
                                </h3>
                                <ul class="pp-members">
                                    {g.members.into_iter().map(|(member, text)| {
                                        let command = format!("sim consumer kill {member}");
                                        view! {
                                            <li data-testid="member">
                                                {text}
                                                <button class="pp-mini" aria-label=tf(lang, "kafka.member.kill_label", &[("member", member)]) title=t(lang, "kafka.member.kill_title")
                                                    on:click=move |_| { state.run(&command); }>{t(lang, "kafka.member.kill")}</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {g.add_consumer.map(|command| view! {
                                    <button class="pp-mini" data-testid="add-consumer" aria-label=tf(lang, "kafka.group.add_label", &[("group", g.id.clone())]) title=command.clone()
                                        on:click=move |_| { state.run(&command); }>{t(lang, "kafka.group.add")}</button>
                                })}
                                <AssignmentFigure group=g.id.clone() consumers=g.consumers owners=g.owners lang/>
                                <figure class="pp-lag">
                                    <figcaption>{tf(lang, "kafka.lag.caption", &[("first", first), ("last", last)])}</figcaption>
                                    <svg role="img" aria-label=tf(lang, "kafka.lag.label", &[("group", g.id.clone())]) viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") width=CHART_WIDTH height=CHART_HEIGHT>
                                        <polyline points=points fill="none"/>
                                    </svg>
                                    <ul class="pp-sr-only">
                                        {g.samples.iter().map(|(t, lag)| view! { <li>{tf(lang, "kafka.lag.sample", &[("time", format_iso(*t)), ("lag", lag.to_string())])}</li> }).collect_view()}
                                    </ul>
                                </figure>
                            </section>
                        }
                    }).collect_view()}
                }.into_any(),
            }}}
        </div>
    }
}

/// Each consumer of a group with an arrow to every partition it owns; partitions nobody owns
/// are greyed and listed in words, since the member list above already says who owns what.
#[component]
fn AssignmentFigure(
    group: String,
    consumers: Vec<(String, String)>,
    owners: Vec<(String, Option<String>)>,
    lang: &'static str,
) -> impl IntoView {
    let rows = consumers.len().max(owners.len()).max(1);
    let height = rows as f64 * ASSIGN_ROW;
    let center = |row: usize| row as f64 * ASSIGN_ROW + ASSIGN_ROW / 2.0;
    let consumer_row = |member: &str| consumers.iter().position(|(id, _)| id == member);
    let arrows: Vec<_> = owners
        .iter()
        .enumerate()
        .filter_map(|(row, (partition, owner))| {
            let from = consumer_row(owner.as_deref()?)?;
            let (x1, y1) = (ASSIGN_CONSUMER_WIDTH, center(from));
            let (x2, y2) = (ASSIGN_PARTITION_X - 2.0, center(row));
            let (path, head) = super::arrow(x1, y1, x2, y2, ARROW_HEAD);
            Some((
                owner.clone().unwrap_or_default(),
                partition.clone(),
                path,
                head,
            ))
        })
        .collect();
    let unassigned: Vec<&str> = owners
        .iter()
        .filter(|(_, owner)| owner.is_none())
        .map(|(partition, _)| partition.as_str())
        .collect();
    let label = tf(
        lang,
        "kafka.assignment.label",
        &[
            ("group", group),
            ("consumers", consumers.len().to_string()),
            ("arrows", arrows.len().to_string()),
            ("partitions", owners.len().to_string()),
        ],
    );
    let box_height = ASSIGN_ROW - 6.0;
    view! {
        <figure class="pp-assignment" data-testid="kafka-assignment">
            <figcaption>{t(lang, "kafka.assignment.caption")}</figcaption>
            <svg role="img" aria-label=label viewBox=format!("0 0 {CHART_WIDTH} {height}") width=CHART_WIDTH height=height>
                {arrows.into_iter().map(|(member, partition, path, head)| view! {
                    <g class="pp-arrow" data-testid="assignment-arrow" data-member=member.clone() data-partition=partition.clone()>
                        <title>{format!("{member} → {partition}")}</title>
                        <path d=path fill="none"/>
                        <polygon points=head/>
                    </g>
                }).collect_view()}
                {consumers.iter().enumerate().map(|(row, (member, client))| view! {
                    <g class="pp-assign-consumer">
                        <title>{member.clone()}</title>
                        <rect x="1" y=row as f64 * ASSIGN_ROW + 3.0 width=ASSIGN_CONSUMER_WIDTH - 2.0 height=box_height rx="4"/>
                        <text x="8" y=center(row) + 4.0>{client.clone()}</text>
                    </g>
                }).collect_view()}
                {owners.iter().enumerate().map(|(row, (partition, owner))| view! {
                    <g class=if owner.is_some() { "pp-assign-partition" } else { "pp-assign-partition pp-unassigned" }>
                        <rect x=ASSIGN_PARTITION_X y=row as f64 * ASSIGN_ROW + 3.0 width=CHART_WIDTH - ASSIGN_PARTITION_X - 1.0 height=box_height rx="4"/>
                        <text x=ASSIGN_PARTITION_X + 8.0 y=center(row) + 4.0>{partition.clone()}</text>
                    </g>
                }).collect_view()}
            </svg>
            {(!unassigned.is_empty()).then(|| view! {
                <p class="pp-muted" data-testid="unassigned">{tf(lang, "kafka.assignment.unassigned", &[("partitions", unassigned.join(", "))])}</p>
            })}
        </figure>
    }
}
