//! The trace panel: the newest events of the world's trace and the trace hash.

use engine::sim::{TraceEvent, format_iso};
use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::state::AppState;

/// The panel shows this many of the newest events.
const SHOWN_EVENTS_MAX: usize = 200;

#[component]
pub fn TracePanel(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let events =
        move || state.with(|session| session.world().trace().last(SHOWN_EVENTS_MAX).to_vec());
    let hash = move || state.with(|session| session.world().trace().hash());
    let count = move || state.with(|session| session.world().trace().len());
    view! {
        <section class="pp-trace" data-testid="trace-panel" aria-label=move || t(lang.get(), "trace.heading")>
            <h2>{move || t(lang.get(), "trace.heading")} " " <span class="pp-count">{move || tf(lang.get(), "trace.count", &[("n", count().to_string())])}</span></h2>
            <ol class="pp-trace-list" data-testid="trace-list" tabindex="0" aria-label=move || t(lang.get(), "trace.list_label")>
                <For each=events key=|event| event.seq let:event>
                    <TraceRow event/>
                </For>
            </ol>
            <p class="pp-hash" data-testid="trace-hash" title=move || t(lang.get(), "trace.hash_title")>{hash}</p>
        </section>
    }
}

#[component]
fn TraceRow(event: TraceEvent) -> impl IntoView {
    let time = format_iso(event.time_ms);
    let fields: String = event
        .fields
        .iter()
        .map(|(key, value)| format!(" {key}={value}"))
        .collect();
    view! {
        <li class="pp-trace-row" data-service=event.service.clone()>
            <span class="pp-seq">{format!("#{}", event.seq)}</span>
            <time>{time}</time>
            <span class="pp-kind">{format!("{}/{}", event.service, event.kind)}</span>
            <span class="pp-fields">{fields}</span>
        </li>
    }
}
