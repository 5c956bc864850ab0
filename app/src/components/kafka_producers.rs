//! The Kafka panel's producers: one row per client id, topic and settings (the engine's
//! `Cluster::producers`, also `sim.kafka_producers`), with the records the cluster acknowledged
//! and those that failed, and the partitions the acknowledged ones went to. Producers whose
//! acknowledgement does not wait for every in-sync replica (`acks=0` or `1`) are marked: a
//! leader crash can lose what they were told was written.

use engine::services::kafka::{Acks, Cluster};
use leptos::prelude::*;

use crate::i18n::{t, tf};

#[derive(Clone, PartialEq)]
pub struct ProducerView {
    client_id: String,
    topic: String,
    acks: &'static str,
    /// Acknowledged before every in-sync replica had the records.
    at_risk: bool,
    idempotent: bool,
    acked: u64,
    failed: u64,
    partitions: String,
}

/// The rows, in the order each producer first sent.
pub fn producers(cluster: &Cluster) -> Vec<ProducerView> {
    cluster
        .producers()
        .iter()
        .map(|p| ProducerView {
            client_id: p.client_id.clone(),
            topic: p.topic.clone(),
            acks: p.acks.as_str(),
            at_risk: p.acks != Acks::All,
            idempotent: p.idempotent,
            acked: p.records_acked,
            failed: p.records_failed,
            partitions: p
                .acked_by_partition
                .iter()
                .map(|(partition, n)| format!("{}-{partition} ({n})", p.topic))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

/// The producers table, or nothing before the first send.
#[component]
pub fn ProducersTable(rows: Vec<ProducerView>, lang: &'static str) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="pp-table" data-testid="kafka-producers">
                <caption>{t(lang, "kafka.producers.caption")}</caption>
                <thead><tr>
                    <th scope="col">{t(lang, "kafka.producers.client")}</th>
                    <th scope="col">"acks"</th>
                    <th scope="col">{t(lang, "kafka.producers.idempotent")}</th>
                    <th scope="col">{t(lang, "kafka.producers.acked")}</th>
                    <th scope="col">{t(lang, "kafka.producers.failed")}</th>
                    <th scope="col">{t(lang, "kafka.producers.partitions")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let failed_class = if p.failed == 0 { "" } else { "pp-warn" };
                        let risk = p.at_risk.then(|| tf(lang, "kafka.producers.at_risk", &[("acks", p.acks.to_string())]));
                        let risk_title = risk.clone().unwrap_or_default();
                        let acks_class = if p.at_risk { "pp-warn" } else { "" };
                        view! {
                            <tr data-testid="producer" data-client=p.client_id.clone() data-acks=p.acks>
                                <td class="pp-key">{format!("{} → {}", p.client_id, p.topic)}</td>
                                <td class=acks_class title=risk_title>
                                    {p.acks}
                                    {risk.map(|text| view! { <span class="pp-sr-only">{format!(" ({text})")}</span> })}
                                </td>
                                <td>{t(lang, if p.idempotent { "kafka.producers.yes" } else { "kafka.producers.no" })}</td>
                                <td data-testid="producer-acked">{p.acked}</td>
                                <td class=failed_class data-testid="producer-failed">{p.failed}</td>
                                <td class="pp-muted">{p.partitions}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}
