//! The Athena panel: a SQL editor (highlighted by the engine's tokenizer) that runs its query by
//! typing the same `athena --database DB "SQL"` line as the terminal; the chosen execution's
//! state, run time, data scanned, cost and results as a table; the session's query history; and
//! a Parquet inspector for S3 objects (the S3 panel's Inspect button picks one).

use engine::formats::{ParquetInfo, is_parquet, parquet_info};
use engine::services::athena::{ColumnInfo, QueryExecution, QueryState, ResultSet};
use engine::shell::{athena_command_line, athena_data_size};
use engine::sql::highlight;
use leptos::html::Pre;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::i18n::{t, tf};
use crate::state::AppState;

/// The grid shows at most this many result rows.
const SHOWN_ROWS_MAX: usize = 200;
/// History entries show this many characters of their SQL.
const HISTORY_SQL_CHARS: usize = 60;
const DEFAULT_DATABASE: &str = "default";
/// The editor grows with its text between these many lines.
const EDITOR_ROWS_MIN: usize = 4;
const EDITOR_ROWS_MAX: usize = 16;

type Lang = RwSignal<&'static str>;

/// One query execution as the panel shows it.
#[derive(Clone, PartialEq)]
struct ExecutionView {
    id: String,
    query: String,
    database: String,
    state: QueryState,
    reason: Option<String>,
    run_time: String,
    scanned_bytes: u64,
    scanned: String,
    cost: String,
    minimum_billed: bool,
    update_count: Option<u64>,
}

fn execution_view(query: &QueryExecution) -> ExecutionView {
    // The same figures the `athena` command prints under its results.
    let total_ms = query.run_time_ms();
    let cost = query.cost_dollars();
    ExecutionView {
        id: query.id.clone(),
        query: query.query.clone(),
        database: query.database.clone(),
        state: query.state,
        reason: query.reason.clone(),
        run_time: format!("{:.3} sec", total_ms as f64 / 1000.0),
        scanned_bytes: query.data_scanned_bytes,
        scanned: athena_data_size(query.data_scanned_bytes),
        cost: format!("${cost:.8}"),
        minimum_billed: query.minimum_billed(),
        update_count: query.update_count,
    }
}

/// The rows a query returned; CTAS and INSERT only say how many they wrote.
fn result_rows(query: &QueryExecution) -> Option<ResultSet> {
    query
        .result
        .clone()
        .filter(|_| query.substatement_type == "SELECT" || query.update_count.is_none())
}

fn shorten(sql: &str) -> String {
    let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= HISTORY_SQL_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(HISTORY_SQL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

#[component]
pub fn AthenaPanel(lang: Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let sql = RwSignal::new(String::new());
    let database = RwSignal::new(DEFAULT_DATABASE.to_string());
    // The execution the results show; `None` = the newest.
    let selected = RwSignal::new(None::<String>);
    // A panel run that failed as a whole (the failed command is undone, its execution with it).
    let failure = RwSignal::new(None::<String>);

    let run = move || {
        let text = sql.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let line = athena_command_line(&database.get_untracked(), &text);
        let outcome = state.run(&line);
        selected.set(None);
        failure.set((!outcome.ok).then_some(outcome.output));
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            run();
        }
    };
    let load = move |view: ExecutionView| {
        sql.set(view.query.clone());
        database.set(view.database.clone());
        selected.set(Some(view.id));
        failure.set(None);
    };
    let databases = move || {
        state.with(|s| {
            s.world()
                .services()
                .athena
                .catalog
                .databases()
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let history = move || {
        state.with(|s| {
            s.world()
                .services()
                .athena
                .executions()
                .iter()
                .rev()
                .map(execution_view)
                .collect::<Vec<_>>()
        })
    };
    let shown = move || {
        let id = selected.get();
        state.with(|s| {
            let executions = s.world().services().athena.executions();
            // A chosen execution that undo took away falls back to the newest.
            id.and_then(|id| executions.iter().find(|q| q.id == id))
                .or(executions.last())
                .map(|query| (execution_view(query), result_rows(query)))
        })
    };

    view! {
        <div class="pp-panel pp-athena" data-testid="athena-panel">
            <header class="pp-panel-head"><h2>"Athena"</h2></header>
            <div class="pp-athena-grid">
                <div class="pp-athena-main">
                    <SqlEditor lang sql database databases=Signal::derive(databases) on_key run/>
                    <Results lang shown=Signal::derive(shown) failure/>
                </div>
                <div class="pp-athena-side">
                    <History lang history=Signal::derive(history) selected load/>
                </div>
                <ParquetInspector lang/>
            </div>
        </div>
    }
}

#[component]
fn SqlEditor(
    lang: Lang,
    sql: RwSignal<String>,
    database: RwSignal<String>,
    databases: Signal<Vec<String>>,
    on_key: impl Fn(KeyboardEvent) + 'static,
    run: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let backdrop: NodeRef<Pre> = NodeRef::new();
    // The highlighted copy scrolls with the textarea it sits behind.
    let sync_scroll = move |ev: leptos::ev::Event| {
        let (Some(pre), Some(area)) = (
            backdrop.get(),
            event_target::<web_sys::HtmlTextAreaElement>(&ev).into(),
        ) else {
            return;
        };
        pre.set_scroll_top(area.scroll_top());
        pre.set_scroll_left(area.scroll_left());
    };
    let pieces = move || {
        let text = sql.get();
        let mut views: Vec<AnyView> = highlight(&text)
            .into_iter()
            .map(|(kind, piece)| {
                view! { <span class=format!("pp-sql-{}", kind.as_str())>{piece}</span> }.into_any()
            })
            .collect();
        // A trailing newline needs a character after it to take up its line.
        views.push(view! { " " }.into_any());
        views
    };
    view! {
        <div class="pp-sql">
            <div class="pp-sql-bar">
                <label for="pp-sql-editor">{move || t(lang.get(), "athena.sql_label")}</label>
                <label class="pp-sql-db">
                    {move || t(lang.get(), "athena.database")} " "
                    <select data-testid="database" prop:value=move || database.get()
                        on:change=move |ev| database.set(event_target_value(&ev))>
                        {move || {
                            let mut names = databases.get();
                            if !names.contains(&database.get()) {
                                names.insert(0, database.get());
                            }
                            names.into_iter().map(|name| {
                                let (chosen, label) = (name.clone(), name.clone());
                                view! { <option value=name selected=move || database.get() == chosen>{label}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <button class="pp-primary" data-testid="run-query" title=move || t(lang.get(), "athena.run_hint")
                    on:click=move |_| run()>{move || t(lang.get(), "athena.run")}</button>
            </div>
            <div class="pp-sql-area">
                <pre class="pp-sql-highlight" aria-hidden="true" node_ref=backdrop>{pieces}</pre>
                <textarea id="pp-sql-editor" data-testid="sql-editor" spellcheck="false" autocomplete="off"
                    rows=move || (sql.get().lines().count() + 1).clamp(EDITOR_ROWS_MIN, EDITOR_ROWS_MAX).to_string()
                    placeholder=move || t(lang.get(), "athena.placeholder")
                    aria-describedby="pp-sql-hint"
                    prop:value=move || sql.get()
                    on:input=move |ev| sql.set(event_target_value(&ev))
                    on:scroll=sync_scroll
                    on:keydown=on_key></textarea>
            </div>
            <p id="pp-sql-hint" class="pp-muted pp-sql-hint">{move || t(lang.get(), "athena.run_hint")}</p>
        </div>
    }
}

#[component]
fn Results(
    lang: Lang,
    shown: Signal<Option<(ExecutionView, Option<ResultSet>)>>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        if let Some(output) = failure.get() {
            return view! {
                <div class="pp-athena-status pp-athena-failed" data-testid="query-status">
                    <strong>"FAILED"</strong>
                    <pre class="pp-athena-reason">{output}</pre>
                </div>
            }
            .into_any();
        }
        let Some((view, result)) = shown.get() else {
            return view! { <p class="pp-empty">{t(lang, "athena.no_query")}</p> }.into_any();
        };
        let failed = matches!(view.state, QueryState::Failed | QueryState::Cancelled);
        let stats = tf(
            lang,
            "athena.stats",
            &[
                ("run_time", view.run_time.clone()),
                ("scanned", view.scanned.clone()),
                ("cost", view.cost.clone()),
            ],
        );
        let minimum = view
            .minimum_billed
            .then(|| format!(" {}", t(lang, "athena.minimum_billed")));
        let written = view
            .update_count
            .map(|n| tf(lang, "athena.rows_written", &[("n", n.to_string())]));
        view! {
            <div class=if failed { "pp-athena-status pp-athena-failed" } else { "pp-athena-status" } data-testid="query-status"
                data-state=view.state.as_str() data-scanned-bytes=view.scanned_bytes.to_string()>
                <strong>{view.state.as_str()}</strong>
                " "<span data-testid="query-stats">{stats}{minimum}</span>
                {written.map(|text| view! { " · " <span>{text}</span> })}
                <span class="pp-muted">" · " {view.id.clone()}</span>
                {view.reason.map(|reason| view! { <pre class="pp-athena-reason">{reason}</pre> })}
            </div>
            {result.map(|result| view! { <ResultGrid lang result/> })}
        }
        .into_any()
    };
    view! {
        <section class="pp-athena-results" aria-label=move || t(lang.get(), "athena.results")>
            {body}
        </section>
    }
}

#[component]
fn ResultGrid(lang: &'static str, result: ResultSet) -> impl IntoView {
    let total = result.rows.len();
    let more = (total > SHOWN_ROWS_MAX).then(|| {
        tf(
            lang,
            "athena.more_rows",
            &[("n", (total - SHOWN_ROWS_MAX).to_string())],
        )
    });
    let numeric: Vec<bool> = result.columns.iter().map(ColumnInfo::is_numeric).collect();
    view! {
        <div class="pp-grid-wrap">
            <table class="pp-table pp-grid" data-testid="results">
                <caption>{tf(lang, "athena.rows", &[("n", total.to_string())])}</caption>
                <thead>
                    <tr>
                        {result.columns.iter().map(|c| view! {
                            <th scope="col" title=c.type_name.clone()>{c.name.clone()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {result.rows.into_iter().take(SHOWN_ROWS_MAX).map(|row| view! {
                        <tr data-testid="result-row">
                            {row.into_iter().zip(numeric.clone()).map(|(cell, num)| match cell {
                                Some(text) => view! { <td class:pp-num=num>{text}</td> }.into_any(),
                                None => view! { <td class="pp-null">"NULL"</td> }.into_any(),
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {more.map(|text| view! { <p class="pp-more">{text}</p> })}
        </div>
    }
}

#[component]
fn History(
    lang: Lang,
    history: Signal<Vec<ExecutionView>>,
    selected: RwSignal<Option<String>>,
    load: impl Fn(ExecutionView) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let items = move || {
        history
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, view)| {
                let id = view.id.clone();
                let current = move || {
                    selected.get().map_or(i == 0, |chosen| chosen == id).to_string()
                };
                let state = view.state.as_str();
                let summary = format!("{} · {}", shorten(&view.query), view.scanned);
                let short_id: String = view.id.chars().take(8).collect();
                view! {
                    <li data-testid="history-item" data-state=state>
                        <button class="pp-link" aria-pressed=current title=move || t(lang.get(), "athena.load")
                            on:click=move |_| load(view.clone())>
                            <span class="pp-muted">{short_id}</span>" "
                            <span class=format!("pp-state pp-state-{}", state.to_ascii_lowercase())>{state}</span>" "
                            <code>{summary}</code>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="pp-athena-history">
            <h3>{move || t(lang.get(), "athena.history")}</h3>
            <Show when=move || !history.get().is_empty() fallback=move || view! {
                <p class="pp-empty">{move || t(lang.get(), "athena.history_empty")}</p>
            }>
                <ol class="pp-history" data-testid="query-history">{items}</ol>
            </Show>
        </section>
    }
}

/// Every current S3 object whose bytes are a Parquet file, as (bucket, key).
fn parquet_objects(state: AppState) -> Vec<(String, String)> {
    state.with(|s| {
        let world = s.world();
        world
            .services()
            .s3
            .buckets()
            .flat_map(|bucket| {
                bucket.current_objects().filter_map(|(key, version)| {
                    let object = version.object.as_ref()?;
                    is_parquet(world.blobs().get(object.blob))
                        .then(|| (bucket.name.clone(), key.clone()))
                })
            })
            .collect()
    })
}

#[component]
fn ParquetInspector(lang: Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let objects = move || parquet_objects(state);
    let info = move || {
        let (bucket, key) = state.inspected.get()?;
        let result = state
            .with(|s| s.get_object(&bucket, &key))
            .and_then(|bytes| parquet_info(&bytes).map_err(|err| err.to_string()));
        Some((format!("s3://{bucket}/{key}"), result))
    };
    let pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.inspected.set(
            value
                .strip_prefix("s3://")
                .and_then(|rest| rest.split_once('/'))
                .map(|(bucket, key)| (bucket.to_string(), key.to_string())),
        );
    };
    view! {
        <section class="pp-athena-inspector" data-testid="parquet-inspector">
            <h3>{move || t(lang.get(), "athena.inspector")}</h3>
            <Show when=move || !objects().is_empty() || state.inspected.get().is_some() fallback=move || view! {
                <p class="pp-empty">{move || t(lang.get(), "athena.inspector_none")}</p>
            }>
                <label class="pp-inspect-pick">
                    {move || t(lang.get(), "athena.inspector_pick")} " "
                    <select data-testid="parquet-key" on:change=pick>
                        <option value="">"—"</option>
                        {move || {
                            let current = state.inspected.get();
                            objects().into_iter().map(|(bucket, key)| {
                                let chosen = current.as_ref() == Some(&(bucket.clone(), key.clone()));
                                let uri = format!("s3://{bucket}/{key}");
                                let label = uri.clone();
                                view! { <option value=uri selected=chosen>{label}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
            </Show>
            {move || info().map(|(uri, result)| match result {
                Ok(info) => view! { <ParquetDetails lang=lang.get() uri info/> }.into_any(),
                Err(error) => view! {
                    <p class="pp-athena-failed" data-testid="parquet-error">{format!("{uri}: {error}")}</p>
                }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ParquetDetails(lang: &'static str, uri: String, info: ParquetInfo) -> impl IntoView {
    let summary = tf(
        lang,
        "athena.inspector_summary",
        &[
            ("rows", info.num_rows.to_string()),
            ("groups", info.row_groups.len().to_string()),
        ],
    );
    let headers = [
        "row_group",
        "column",
        "type",
        "codec",
        "compressed",
        "uncompressed",
        "nulls",
        "min",
        "max",
    ];
    let columns = info.columns.clone();
    let rows = info.row_groups.iter().enumerate().flat_map(|(group, row_group)| {
        let columns = columns.clone();
        row_group.columns.iter().enumerate().map(move |(leaf, chunk)| {
            let kind = columns.get(leaf).map_or(String::new(), |c| match &c.logical_type {
                Some(logical) => format!("{} ({logical})", c.physical_type),
                None => c.physical_type.clone(),
            });
            let cell = |value: Option<String>| match value {
                Some(text) => view! { <td>{text}</td> }.into_any(),
                None => view! { <td class="pp-null">"—"</td> }.into_any(),
            };
            view! {
                <tr data-testid="chunk">
                    <td class="pp-num">{group}</td>
                    <td>{chunk.name.clone()}</td>
                    <td>{kind}</td>
                    <td data-testid="codec">{chunk.codec.clone()}</td>
                    <td class="pp-num">{chunk.compressed_size}</td>
                    <td class="pp-num">{chunk.uncompressed_size}</td>
                    <td class="pp-num">{chunk.null_count.map_or("—".to_string(), |n| n.to_string())}</td>
                    {cell(chunk.min.clone())}
                    {cell(chunk.max.clone())}
                </tr>
            }
        })
    });
    let rows: Vec<_> = rows.collect();
    view! {
        <div class="pp-parquet" data-rows=info.num_rows.to_string() data-uri=uri>
            <p data-testid="parquet-summary">{summary}</p>
            <div class="pp-grid-wrap">
                <table class="pp-table pp-grid">
                    <thead>
                        <tr>{headers.iter().map(|h| view! {
                            <th scope="col">{t(lang, &format!("athena.chunk.{h}"))}</th>
                        }).collect_view()}</tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}
