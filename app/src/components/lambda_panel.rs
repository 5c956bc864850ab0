//! The EventBridge + Lambda panel: scheduled rules with their next fire time, each function
//! with its counts and cost, a timeline of recent invocations (cold starts, duration, errors)
//! as SVG with a text list beside it, the fan-out of each event-pattern rule to its targets as
//! arrows (with its text list), and the chosen function's CloudWatch log.

use engine::services::eventbridge::fanout::{FanOut, TargetKind, fan_out};
use engine::services::eventbridge::schedule::Schedule;
use engine::services::lambda::{Function, Invocation, Outcome, format_us};
use engine::services::logs::Filter;
use engine::sim::{Millis, format_iso};
use leptos::prelude::*;

use super::iam_explain::IamExplain;
use crate::i18n::{t, tf};
use crate::state::AppState;

/// The timeline shows invocations of the last this many milliseconds of simulated time.
const TIMELINE_WINDOW_MS: Millis = 10 * 60_000;
/// The log view shows a function's last this many lines.
const LOG_LINES_SHOWN: usize = 40;
const TIMELINE_WIDTH: f64 = 600.0;
const ROW_HEIGHT: f64 = 18.0;
const FANOUT_WIDTH: f64 = 600.0;
const FANOUT_ROW: f64 = 26.0;
/// Space between one rule's arrows and the next rule's.
const FANOUT_GAP: f64 = 10.0;
const FANOUT_RULE_WIDTH: f64 = 240.0;
const FANOUT_TARGET_X: f64 = 360.0;
const ARROW_HEAD: f64 = 8.0;

#[derive(Clone, PartialEq)]
struct FunctionRow {
    name: String,
    runtime: String,
    memory_mb: u32,
    timeout_s: u32,
    invocations: u64,
    errors: u64,
    cold_starts: u64,
    cost: String,
}

fn function_row(function: &Function) -> FunctionRow {
    let stats = &function.stats;
    FunctionRow {
        name: function.name.clone(),
        runtime: function.runtime.clone(),
        memory_mb: function.memory_mb,
        timeout_s: function.timeout_s,
        invocations: stats.invocations,
        errors: stats.errors,
        cold_starts: stats.cold_starts,
        cost: format!(
            "{:.3} GB-s, ${:.7}",
            stats.gb_seconds(),
            stats.cost_dollars()
        ),
    }
}

#[derive(Clone, PartialEq)]
struct RuleRow {
    name: String,
    expression: String,
    /// The next fire time; `None` when the rule is disabled.
    next: Option<String>,
    targets: String,
}

#[derive(Clone, PartialEq)]
struct Bar {
    function: String,
    row: usize,
    x: f64,
    width: f64,
    cold_width: f64,
    class: &'static str,
    label: String,
}

/// One bar per recent invocation, one row per function.
fn bars(invocations: &[Invocation], functions: &[String], now_ms: Millis, lang: &str) -> Vec<Bar> {
    let start = now_ms - TIMELINE_WINDOW_MS;
    let scale = TIMELINE_WIDTH / TIMELINE_WINDOW_MS as f64;
    invocations
        .iter()
        .filter(|i| i.end_ms() >= start)
        .filter_map(|i| {
            let row = functions.iter().position(|f| *f == i.function)?;
            let cold_ms = i.init_us.unwrap_or(0) as f64 / 1000.0;
            let ms = i.duration_us as f64 / 1000.0;
            let class = match i.outcome {
                Outcome::Success(_) => "pp-ok",
                Outcome::Timeout => "pp-timeout",
                _ => "pp-fail",
            };
            Some(Bar {
                function: i.function.clone(),
                row,
                x: (i.start_ms - start).max(0) as f64 * scale,
                width: ((cold_ms + ms) * scale).max(2.0),
                cold_width: (cold_ms * scale).max(if cold_ms > 0.0 { 1.0 } else { 0.0 }),
                class,
                label: tf(
                    lang,
                    "lambda.invocation",
                    &[
                        ("function", i.function.clone()),
                        ("outcome", t(lang, outcome_key(&i.outcome))),
                        ("time", format_iso(i.start_ms)),
                        ("duration", format_us(i.duration_us)),
                        (
                            "cold",
                            i.init_us
                                .map(|us| {
                                    tf(lang, "lambda.invocation.cold", &[("ms", format_us(us))])
                                })
                                .unwrap_or_default(),
                        ),
                    ],
                ),
            })
        })
        .collect()
}

/// `1 run`, `2 runs`: the locale's `{key}.one` or `{key}.other` with the count as `{n}`.
fn plural(lang: &str, count: u64, key: &str) -> String {
    let form = if count == 1 { "one" } else { "other" };
    tf(lang, &format!("{key}.{form}"), &[("n", count.to_string())])
}

fn outcome_key(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Success(_) => "lambda.outcome.succeeded",
        Outcome::Error { .. } => "lambda.outcome.failed",
        Outcome::Timeout => "lambda.outcome.timed_out",
        Outcome::OutOfMemory => "lambda.outcome.out_of_memory",
    }
}

/// A labelled box of the fan-out picture.
#[derive(Clone, PartialEq)]
struct FanOutBox {
    x: f64,
    y: f64,
    width: f64,
    text: String,
    /// The whole name, shown on hover.
    title: String,
    class: &'static str,
}

/// An arrow from a rule to one of its targets.
#[derive(Clone, PartialEq)]
struct FanOutArrow {
    rule: String,
    target: String,
    path: String,
    head: String,
    class: &'static str,
}

/// The fan-out drawing: a box per rule on the left, a box per target on the right, one arrow
/// each; a target that got an event from the rule within the timeline's window is highlighted.
fn fanout_picture(
    rules: &[FanOut],
    now_ms: Millis,
    lang: &str,
) -> (Vec<FanOutBox>, Vec<FanOutArrow>, f64) {
    let mut boxes = Vec::new();
    let mut arrows = Vec::new();
    let mut top = 0.0;
    for rule in rules {
        let rows = rule.targets.len().max(1) as f64;
        let rule_y = top + (rows - 1.0) * FANOUT_ROW / 2.0;
        let rule_text = format!("{} / {}", rule.bus, rule.rule);
        boxes.push(FanOutBox {
            x: 0.0,
            y: rule_y,
            width: FANOUT_RULE_WIDTH,
            text: if rule.enabled {
                rule_text.clone()
            } else {
                format!("{rule_text} ({})", t(lang, "lambda.fanout.disabled"))
            },
            title: rule_text,
            class: if rule.enabled {
                "pp-fanout-rule"
            } else {
                "pp-fanout-rule pp-fanout-off"
            },
        });
        for (row, target) in rule.targets.iter().enumerate() {
            let y = top + row as f64 * FANOUT_ROW;
            let short = target.name.rsplit(':').next().unwrap_or(&target.name);
            boxes.push(FanOutBox {
                x: FANOUT_TARGET_X,
                y,
                width: FANOUT_WIDTH - FANOUT_TARGET_X,
                text: format!("{} {short}", kind_badge(target.kind)),
                title: target.name.clone(),
                class: "pp-fanout-target",
            });
            let recent = target
                .last_delivered_ms
                .is_some_and(|t| now_ms - t <= TIMELINE_WINDOW_MS);
            let (x1, y1) = (FANOUT_RULE_WIDTH, rule_y + FANOUT_ROW / 2.0 - 2.0);
            let (x2, y2) = (FANOUT_TARGET_X - 2.0, y + FANOUT_ROW / 2.0 - 2.0);
            let (path, head) = super::arrow(x1, y1, x2, y2, ARROW_HEAD);
            arrows.push(FanOutArrow {
                rule: rule.rule.clone(),
                target: target.name.clone(),
                path,
                head,
                class: match (rule.enabled, recent) {
                    (false, _) => "pp-arrow pp-arrow-off",
                    (true, true) => "pp-arrow pp-arrow-recent",
                    (true, false) => "pp-arrow",
                },
            });
        }
        top += rows * FANOUT_ROW + FANOUT_GAP;
    }
    (boxes, arrows, (top - FANOUT_GAP).max(FANOUT_ROW))
}

fn kind_badge(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Lambda => "λ",
        TargetKind::Sqs => "SQS",
        TargetKind::Other => "→",
    }
}

/// One line per rule: `orders / order-placed → invoice-service (Lambda), …`.
fn fanout_line(rule: &FanOut, lang: &str) -> String {
    let targets: Vec<String> = rule
        .targets
        .iter()
        .map(|target| {
            let delivered = target.last_delivered_ms.map(|ms| {
                format!(
                    ", {}",
                    tf(lang, "lambda.fanout.delivered", &[("time", format_iso(ms))])
                )
            });
            format!(
                "{} ({}{})",
                target.name,
                target.kind.as_str(),
                delivered.unwrap_or_default()
            )
        })
        .collect();
    let targets = if targets.is_empty() {
        t(lang, "lambda.fanout.no_targets")
    } else {
        targets.join(", ")
    };
    let disabled = if rule.enabled {
        String::new()
    } else {
        format!(" ({})", t(lang, "lambda.fanout.disabled"))
    };
    format!("{} / {}{disabled} → {targets}", rule.bus, rule.rule)
}

#[component]
pub fn LambdaPanel(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let selected = RwSignal::new(None::<String>);
    let functions = move || {
        state.with(|s| {
            s.world()
                .services()
                .lambda
                .functions()
                .map(function_row)
                .collect::<Vec<_>>()
        })
    };
    let rules = move || state.with(scheduled_rules);
    let fanouts = move || {
        state.with(|s| {
            let services = s.world().services();
            (
                fan_out(&services.eventbridge, services.lambda.invocations()),
                s.world().now_ms(),
            )
        })
    };
    let timeline = move || {
        let lang = lang.get();
        state.with(|s| {
            let lambda = &s.world().services().lambda;
            let names: Vec<String> = lambda.functions().map(|f| f.name.clone()).collect();
            (
                bars(lambda.invocations(), &names, s.world().now_ms(), lang),
                names,
            )
        })
    };
    let log = move || {
        let name = selected.get()?;
        state.with(|s| {
            let found = s
                .world()
                .services()
                .logs
                .find(&format!("/aws/lambda/{name}"), &Filter::default())
                .ok()?;
            let lines: Vec<String> = found
                .iter()
                .map(|f| format!("{} {}", format_iso(f.event.timestamp_ms), f.event.message))
                .collect();
            let skip = lines.len().saturating_sub(LOG_LINES_SHOWN);
            Some((name, lines[skip..].join("\n")))
        })
    };
    view! {
        <div class="pp-panel pp-lambda" data-testid="lambda-panel">
            <header class="pp-panel-head"><h2>"EventBridge + Lambda"</h2></header>
            <Show when=move || !functions().is_empty() || !rules().is_empty() || !fanouts().0.is_empty() fallback=move || view! {
                <p class="pp-empty">{move || t(lang.get(), "lambda.empty")} <code>"examples/pipeline-hour.sh"</code></p>
            }>
                <table class="pp-table" data-testid="rules">
                    <caption>{move || t(lang.get(), "lambda.rules_caption")}</caption>
                    <tbody>
                        <For each=rules key=|r| (r.name.clone(), r.next.clone()) let:rule>
                            <tr data-testid="rule" data-rule=rule.name.clone()>
                                <td class="pp-key">{rule.name.clone()}</td>
                                <td><code>{rule.expression}</code></td>
                                <td>{move || t(lang.get(), "lambda.next")} " " <time>{
                                    let next = rule.next.clone();
                                    move || next.clone().unwrap_or_else(|| t(lang.get(), "lambda.next_disabled"))
                                }</time></td>
                                <td class="pp-muted">{rule.targets}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                {move || {
                    let (rules, now_ms) = fanouts();
                    let lang = lang.get();
                    (!rules.is_empty()).then(|| view! { <FanOutFigure rules now_ms lang/> })
                }}
                <table class="pp-table" data-testid="functions">
                    <caption>{move || t(lang.get(), "lambda.functions_caption")}</caption>
                    <tbody>
                        <For each=functions key=|f| (f.name.clone(), f.invocations) let:function>
                            {
                                let name = function.name.clone();
                                let chosen = name.clone();
                                let row_name = name.clone();
                                view! {
                                    <tr data-testid="function" data-function=row_name>
                                        <td>
                                            <button class="pp-link" aria-pressed=move || (selected.get().as_deref() == Some(chosen.as_str())).to_string()
                                                on:click=move |_| selected.set(Some(name.clone()))>{function.name.clone()}</button>
                                        </td>
                                        <td>{function.runtime}</td>
                                        <td>{move || tf(lang.get(), "lambda.limits", &[("memory", function.memory_mb.to_string()), ("timeout", function.timeout_s.to_string())])}</td>
                                        <td>{move || {
                                            let lang = lang.get();
                                            tf(lang, "lambda.counts", &[
                                                ("runs", plural(lang, function.invocations, "lambda.runs")),
                                                ("errors", plural(lang, function.errors, "lambda.errors")),
                                                ("cold", tf(lang, "lambda.cold_starts", &[("n", function.cold_starts.to_string())])),
                                            ])
                                        }}</td>
                                        <td class="pp-muted">{function.cost}</td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
                <figure class="pp-invocations" data-testid="invocation-timeline">
                    <figcaption>{move || t(lang.get(), "lambda.timeline.caption")}</figcaption>
                    {move || {
                        let (bars, names) = timeline();
                        let height = (names.len().max(1) as f64) * ROW_HEIGHT;
                        view! {
                            <svg role="img" aria-label=t(lang.get(), "lambda.timeline.label") viewBox=format!("0 0 {TIMELINE_WIDTH} {height}") width="100%" height=height>
                                {bars.iter().map(|bar| view! {
                                    <g class=bar.class>
                                        <title>{bar.label.clone()}</title>
                                        <rect x=bar.x y=bar.row as f64 * ROW_HEIGHT + 3.0 width=bar.width height=ROW_HEIGHT - 6.0 rx="2"/>
                                        <rect class="pp-cold" x=bar.x y=bar.row as f64 * ROW_HEIGHT + 3.0 width=bar.cold_width height=ROW_HEIGHT - 6.0/>
                                    </g>
                                }).collect_view()}
                            </svg>
                            <ul class="pp-sr-only">
                                {bars.into_iter().map(|bar| view! { <li data-function=bar.function>{bar.label}</li> }).collect_view()}
                            </ul>
                        }
                    }}
                </figure>
                {move || log().map(|(name, text)| {
                    let why = state
                        .denial_quoted_in(&text)
                        .map(|denial| view! { <IamExplain denial lang/> });
                    view! {
                        <section class="pp-log" data-testid="function-log" aria-label=tf(lang.get(), "lambda.log_label", &[("name", name.clone())])>
                            <h3>{format!("/aws/lambda/{name}")}</h3>
                            <pre role="log">{text}</pre>
                            {why}
                        </section>
                    }
                })}
            </Show>
        </div>
    }
}

/// Each event-pattern rule's arrows to its targets, with the same as a list for screen readers.
#[component]
fn FanOutFigure(rules: Vec<FanOut>, now_ms: Millis, lang: &'static str) -> impl IntoView {
    let (boxes, arrows, height) = fanout_picture(&rules, now_ms, lang);
    let arrow_count = arrows.len();
    view! {
        <figure class="pp-fanout" data-testid="eventbridge-fanout">
            <figcaption>{t(lang, "lambda.fanout.caption")}</figcaption>
            <svg role="img" aria-label=tf(lang, "lambda.fanout.label", &[("rules", rules.len().to_string()), ("arrows", arrow_count.to_string())])
                viewBox=format!("0 0 {FANOUT_WIDTH} {height}") width=FANOUT_WIDTH height=height>
                {arrows.into_iter().map(|arrow| view! {
                    <g class=arrow.class data-testid="fanout-arrow" data-rule=arrow.rule.clone() data-target=arrow.target.clone()>
                        <title>{format!("{} → {}", arrow.rule, arrow.target)}</title>
                        <path d=arrow.path fill="none"/>
                        <polygon points=arrow.head/>
                    </g>
                }).collect_view()}
                {boxes.into_iter().map(|b| view! {
                    <g class=b.class>
                        <title>{b.title}</title>
                        <rect x=b.x + 1.0 y=b.y + 1.0 width=b.width - 2.0 height=FANOUT_ROW - 6.0 rx="4"/>
                        <text x=b.x + 8.0 y=b.y + FANOUT_ROW / 2.0 + 2.0>{b.text}</text>
                    </g>
                }).collect_view()}
            </svg>
            <ul class="pp-sr-only" data-testid="fanout-list">
                {rules.iter().map(|rule| view! { <li data-rule=rule.rule.clone()>{fanout_line(rule, lang)}</li> }).collect_view()}
            </ul>
        </figure>
    }
}

/// Enabled scheduled rules on every bus, with their next fire time.
fn scheduled_rules(session: &engine::Session) -> Vec<RuleRow> {
    let world = session.world();
    let events = &world.services().eventbridge;
    let buses: Vec<String> = events.buses().map(str::to_string).collect();
    buses
        .iter()
        .flat_map(|bus| events.rules(bus, "").unwrap_or_default())
        .filter_map(|rule| {
            let expression = rule.schedule_expression.clone()?;
            let next = Schedule::parse(&expression)
                .ok()
                .and_then(|s| s.next_after(rule.since_ms, world.now_ms()))
                .filter(|_| rule.state.as_str() == "ENABLED")
                .map(format_iso);
            let targets: Vec<&str> = rule.targets.keys().map(String::as_str).collect();
            Some(RuleRow {
                name: rule.name.clone(),
                expression,
                next,
                targets: format!("→ {}", targets.join(", ")),
            })
        })
        .collect()
}
