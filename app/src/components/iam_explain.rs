//! "Why?" next to an AccessDenied: a disclosure that shows the engine's explanation of one
//! denied call (principal, action, resource, the deciding or nearly-matching statements) and
//! its smallest fix, with a button that puts the fix command into the terminal's prompt for the
//! learner to read and run. The explanation and the fix come whole from the engine.

use engine::services::iam::explain::{
    ConditionMiss, DenialRecord, Explanation, Fix, Mismatch, StatementRef,
};
use engine::services::iam::policy::Decision;
use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::state::AppState;

#[component]
pub fn IamExplain(denial: DenialRecord, lang: RwSignal<&'static str>) -> impl IntoView {
    let why = denial.explanation;
    let fix = why.fix();
    let facts = [
        ("iam.principal", why.principal.clone()),
        ("iam.action", why.action.clone()),
        ("iam.resource", why.resource.clone()),
        ("iam.decision", why.decision.as_str().to_string()),
    ];
    let reason = why.clone();
    view! {
        <details class="pp-why" data-testid="iam-explain" data-denial=denial.id.to_string()>
            <summary>{move || t(lang.get(), "iam.why")}</summary>
            <dl class="pp-why-facts">
                {facts.into_iter().map(|(key, value)| view! {
                    <dt>{move || t(lang.get(), key)}</dt>
                    <dd><code>{value}</code></dd>
                }).collect_view()}
            </dl>
            <div data-testid="iam-reason">{move || reason_view(&reason, lang.get())}</div>
            <FixView fix role=why.role.clone() lang/>
        </details>
    }
}

/// Why it was denied, in the chosen language.
fn reason_view(why: &Explanation, l: &'static str) -> AnyView {
    if !why.role_exists {
        return view! { <p>{tf(l, "iam.role_gone", &[("role", why.role.clone())])}</p> }.into_any();
    }
    if why.decision == Decision::ExplicitDeny {
        return why
            .denied_by
            .iter()
            .map(|s| view! { <p>{tf(l, "iam.explicit", &[("statement", statement(s, l))])}</p> })
            .collect_view()
            .into_any();
    }
    if why.policies.is_empty() {
        let args = [("role", why.role.clone()), ("action", why.action.clone())];
        return view! { <p>{tf(l, "iam.no_policies", &args)}</p> }.into_any();
    }
    let names: Vec<&str> = why.policies.iter().map(|p| p.name.as_str()).collect();
    let args = [
        ("policies", names.join(", ")),
        ("action", why.action.clone()),
    ];
    let near = if why.near_misses.is_empty() {
        view! { <p class="pp-muted">{t(l, "iam.none_near")}</p> }.into_any()
    } else {
        view! {
            <p class="pp-why-label">{t(l, "iam.nearest")}</p>
            <ul class="pp-why-near">
                {why.near_misses.iter().map(|near| view! {
                    <li>
                        <span>{statement(&near.statement, l)}</span>
                        <br/>
                        <span class="pp-why-miss">{mismatch(&near.statement, &near.mismatch, l)}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! { <p>{tf(l, "iam.implicit", &args)}</p> {near} }.into_any()
}

fn statement(s: &StatementRef, l: &str) -> String {
    let policy = match &s.policy.arn {
        None => tf(l, "iam.inline", &[("name", s.policy.name.clone())]),
        Some(_) => tf(l, "iam.managed", &[("name", s.policy.name.clone())]),
    };
    let sid = s
        .sid
        .as_ref()
        .map(|sid| format!(" (Sid \"{sid}\")"))
        .unwrap_or_default();
    tf(
        l,
        "iam.statement",
        &[
            ("n", s.number.to_string()),
            ("sid", sid),
            ("policy", policy),
        ],
    )
}

fn mismatch(s: &StatementRef, mismatch: &Mismatch, l: &str) -> String {
    match mismatch {
        Mismatch::Resource => tf(
            l,
            "iam.miss.resource",
            &[("patterns", s.resource.describe())],
        ),
        Mismatch::Action => tf(l, "iam.miss.action", &[("patterns", s.action.describe())]),
        Mismatch::Condition(misses) => {
            let failed: Vec<String> = misses.iter().map(|m| condition(m, l)).collect();
            tf(
                l,
                "iam.miss.condition",
                &[("conditions", failed.join("; "))],
            )
        }
    }
}

fn condition(miss: &ConditionMiss, l: &str) -> String {
    let had = match &miss.request_values {
        Some(values) => tf(
            l,
            "iam.request_has",
            &[("values", serde_json::json!(values).to_string())],
        ),
        None => t(l, "iam.request_lacks"),
    };
    format!(
        "{} {} {} ({had})",
        miss.operator,
        miss.key,
        serde_json::json!(miss.values)
    )
}

/// The fix, and a button that types its command into the prompt (never runs it).
#[component]
fn FixView(fix: Fix, role: String, lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let offer = move |command: String, label: &'static str| {
        view! {
            <button class="pp-why-use" data-testid="iam-fix-use"
                on:click=move |ev| {
                    ev.stop_propagation();
                    state.prompt(&command);
                }>{move || t(lang.get(), label)}</button>
        }
    };
    match fix {
        Fix::CreateRole => view! { <p>{move || t(lang.get(), "iam.fix.role")}</p> }.into_any(),
        Fix::RemoveDeny { commands } => view! {
            <p class="pp-why-label">{move || t(lang.get(), "iam.fix.deny")}</p>
            {commands.into_iter().map(|command| view! {
                <pre class="pp-why-code">{command.clone()}</pre>
                {offer(command, "iam.fix.deny_use")}
            }).collect_view()}
        }
        .into_any(),
        Fix::Allow {
            statement, command, ..
        } => view! {
            <p class="pp-why-label">{move || t(lang.get(), "iam.fix.allow")}</p>
            <pre class="pp-why-code" data-testid="iam-fix-statement">{statement}</pre>
            <pre class="pp-why-code" data-testid="iam-fix-command">{command.clone()}</pre>
            {offer(command, "iam.fix.use")}
            <p class="pp-muted">{move || tf(lang.get(), "iam.fix.note", &[("role", role.clone())])}</p>
        }
        .into_any(),
    }
}
