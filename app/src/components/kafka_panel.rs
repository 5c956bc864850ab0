//! The Kafka panel: brokers (up or down, the controller) with buttons that type the same `sim
//! broker` commands as the terminal; each partition as a lane of offsets with its log start,
//! high watermark and log end, leader, replicas and ISR; consumer groups with their members'
//! partitions (also drawn as arrows from each consumer to the partitions it owns), lag per
//! partition, and the group's lag over simulated time as SVG with a text list beside it.

use engine::services::kafka::assignors::TopicPartition;
use engine::services::kafka::group::{Group, GroupState, OFFSETS_TOPIC};
use engine::services::kafka::{BrokerState, Cluster, broker_ids as ids};
use engine::sim::{Millis, format_iso};
use leptos::prelude::*;

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

fn partitions(cluster: &Cluster) -> Vec<PartitionView> {
    let owners = |topic: &str, partition: u32| -> String {
        cluster
            .groups()
            .groups()
            .filter_map(|g| {
                let tp = TopicPartition::new(topic, partition);
                g.owner(&tp)
                    .map(|m| format!("{} in {}", m.client_id, g.group_id))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    cluster
        .topics()
        .filter(|t| t.name != OFFSETS_TOPIC)
        .flat_map(|t| {
            t.partitions.iter().map(move |p| PartitionView {
                topic: t.name.clone(),
                partition: p.partition,
                leader: p.leader.map_or("none".into(), |l| l.to_string()),
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

fn group_view(cluster: &Cluster, group: &Group, now: Millis) -> GroupView {
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
                            "nothing".into()
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
        samples,
    }
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
    let view_of = move || {
        state.with(|s| {
            let world = s.world();
            let cluster = world.services().kafka.cluster()?;
            let groups: Vec<GroupView> = cluster
                .groups()
                .groups()
                .map(|g| group_view(cluster, g, world.now_ms()))
                .collect();
            Some((
                brokers(cluster),
                cluster.controller().mode.as_str(),
                partitions(cluster),
                groups,
            ))
        })
    };
    view! {
        <div class="pp-panel pp-kafka" data-testid="kafka-panel">
            <header class="pp-panel-head"><h2>"Kafka"</h2></header>
            {move || match view_of() {
                None => view! {
                    <p class="pp-empty">"No cluster yet. Try " <code>"kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 3 --replication-factor 3"</code></p>
                }.into_any(),
                Some((brokers, mode, partitions, groups)) => view! {
                    <div class="pp-brokers" data-testid="brokers" role="list" aria-label=format!("Brokers ({mode} mode)")>
                        <span class="pp-muted">{format!("{mode}:")}</span>
                        {brokers.into_iter().map(|b| {
                            let command = if b.running { format!("sim broker crash {}", b.id) } else { format!("sim broker start {}", b.id) };
                            let label = if b.running { format!("Crash broker {}", b.id) } else { format!("Start broker {}", b.id) };
                            let text = format!("broker {} {}{}{}", b.id, b.state, if b.controller { " (controller)" } else { "" }, if b.fenced { ", fenced" } else { "" });
                            view! {
                                <span role="listitem" class=if b.running { "pp-broker pp-up" } else { "pp-broker pp-down" } data-testid="broker" data-broker=b.id>
                                    {text}
                                    <button class="pp-mini" aria-label=label.clone() title=label on:click=move |_| { state.run(&command); }>
                                        {if b.running { "crash" } else { "start" }}
                                    </button>
                                </span>
                            }
                        }).collect_view()}
                    </div>
                    <table class="pp-table" data-testid="partitions">
                        <caption>"Partitions: a lane of offsets from the log start to the log end; consumers read below the high watermark (│)"</caption>
                        <thead><tr><th>"partition"</th><th>"records"</th><th>"leader"</th><th>"replicas"</th><th>"ISR"</th><th>"start / HW / end"</th><th>"read by"</th></tr></thead>
                        <tbody>
                            {partitions.into_iter().map(|p| {
                                let end = p.log_end.max(1) as f64;
                                let x = |offset: i64| offset as f64 / end * LANE_WIDTH;
                                let label = format!("{}-{}: offsets {} to {}, high watermark {}", p.topic, p.partition, p.log_start, p.log_end, p.high_watermark);
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
                    {groups.into_iter().map(|g| {
                        let points = lag_points(&g.samples);
                        let last = g.samples.last().map(|(t, _)| format_iso(*t)).unwrap_or_default();
                        let first = g.samples.first().map(|(t, _)| format_iso(*t)).unwrap_or_default();
                        let rebalancing = g.state == GroupState::PreparingRebalance.as_str() || g.state == GroupState::CompletingRebalance.as_str();
                        view! {
                            <section class="pp-group" data-testid="consumer-group" data-group=g.id.clone() aria-label=format!("Consumer group {}", g.id)>
                                <h3>
                                    {format!("group {} — {}, generation {}, {}", g.id, g.state, g.generation, g.protocol)}
                                    <span class=if rebalancing { "pp-warn" } else { "pp-muted" } data-testid="group-lag">{format!(" — lag {}", g.lag)}</span>
                                </h3>
                                <ul class="pp-members">
                                    {g.members.into_iter().map(|(member, text)| {
                                        let command = format!("sim consumer kill {member}");
                                        view! {
                                            <li data-testid="member">
                                                {text}
                                                <button class="pp-mini" aria-label=format!("Kill consumer {member}") title="sim consumer kill: no commit, no goodbye" on:click=move |_| { state.run(&command); }>"kill"</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <AssignmentFigure group=g.id.clone() consumers=g.consumers owners=g.owners lang=lang.get()/>
                                <figure class="pp-lag">
                                    <figcaption>{format!("Lag (log end − committed) from {first} to {last}")}</figcaption>
                                    <svg role="img" aria-label=format!("Lag of group {} over time", g.id) viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") width=CHART_WIDTH height=CHART_HEIGHT>
                                        <polyline points=points fill="none"/>
                                    </svg>
                                    <ul class="pp-sr-only">
                                        {g.samples.iter().map(|(t, lag)| view! { <li>{format!("{}: lag {lag}", format_iso(*t))}</li> }).collect_view()}
                                    </ul>
                                </figure>
                            </section>
                        }
                    }).collect_view()}
                }.into_any(),
            }}
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
