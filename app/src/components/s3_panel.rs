//! The S3 panel: buckets with their lifecycle and replication rules and their objects (class,
//! size, age), downloads of any object as a real file, Parquet objects opened in the Athena
//! panel's inspector, uploads of local files into the home folder, and fast-forward buttons to
//! watch lifecycle rules act.

use engine::formats::is_parquet;
use engine::services::s3::Bucket;
use engine::sim::{BlobStore, Millis, format_iso};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{t, tf};
use crate::state::AppState;

/// The panel lists at most this many objects per bucket.
const SHOWN_OBJECTS_MAX: usize = 100;

#[derive(Clone, PartialEq)]
struct ObjectRow {
    bucket: String,
    key: String,
    size: u64,
    class: &'static str,
    modified: String,
    /// How long ago it was written, on the simulated clock.
    age: Age,
    /// A Parquet file, which the Athena panel's inspector can describe.
    parquet: bool,
}

#[derive(Clone, PartialEq)]
struct BucketView {
    name: String,
    /// Lifecycle and replication rules, one line each.
    lifecycle: Vec<String>,
    replication: Vec<String>,
    objects: Vec<ObjectRow>,
    total: usize,
}

/// An object's age at a glance, as a locale key and a count: `12 min`, `5 h`, `3 d`
/// (lifecycle rules count whole days).
#[derive(Clone, Copy, PartialEq)]
struct Age {
    key: &'static str,
    n: Millis,
}

fn age(ms: Millis) -> Age {
    const MINUTE: Millis = 60_000;
    const HOUR: Millis = 60 * MINUTE;
    const DAY: Millis = 24 * HOUR;
    let (key, unit) = if ms < MINUTE {
        ("s3.age.now", MINUTE)
    } else if ms < HOUR {
        ("s3.age.minutes", MINUTE)
    } else if ms < DAY {
        ("s3.age.hours", HOUR)
    } else {
        ("s3.age.days", DAY)
    };
    Age { key, n: ms / unit }
}

impl Age {
    fn text(self, lang: &str) -> String {
        tf(lang, self.key, &[("n", self.n.to_string())])
    }
}

fn bucket_view(bucket: &Bucket, blobs: &BlobStore, now_ms: Millis) -> BucketView {
    let rows = bucket.current_objects().map(|(key, version)| {
        let object = version
            .object
            .as_ref()
            .expect("current objects are objects");
        ObjectRow {
            bucket: bucket.name.clone(),
            key: key.clone(),
            size: object.size,
            class: object.storage_class.as_str(),
            modified: format_iso(version.last_modified_ms),
            age: age(now_ms - version.last_modified_ms),
            parquet: is_parquet(blobs.get(object.blob)),
        }
    });
    let objects: Vec<ObjectRow> = rows.collect();
    let total = objects.len();
    BucketView {
        name: bucket.name.clone(),
        lifecycle: bucket
            .lifecycle
            .iter()
            .flat_map(|config| config.rules.iter().map(|rule| rule.describe()))
            .collect(),
        replication: bucket
            .replication
            .iter()
            .flat_map(|config| config.rules.iter().map(|rule| rule.describe()))
            .collect(),
        objects: objects.into_iter().take(SHOWN_OBJECTS_MAX).collect(),
        total,
    }
}

#[component]
pub fn S3Panel(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let buckets = move || {
        state.with(|session| {
            let world = session.world();
            world
                .services()
                .s3
                .buckets()
                .map(|bucket| bucket_view(bucket, world.blobs(), world.now_ms()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="pp-panel pp-s3" data-testid="s3-panel">
            <header class="pp-panel-head">
                <h2>"S3"</h2>
                <label class="pp-upload">
                    {move || t(lang.get(), "s3.upload")}
                    <input type="file" data-testid="upload" on:change=move |ev| upload_selected(state, lang.get_untracked(), ev)/>
                </label>
            </header>
            <Show when=move || !buckets().is_empty() fallback=move || view! {
                <p class="pp-empty">{move || t(lang.get(), "s3.empty")} <code>"aws s3 mb s3://my-first-bucket"</code></p>
            }>
                <For each=buckets key=|bucket| (bucket.name.clone(), bucket.total, bucket.lifecycle.clone(), bucket.replication.clone(), bucket.objects.iter().map(|o| format!("{}{}{}{}", o.key, o.class, o.age.key, o.age.n)).collect::<String>()) let:bucket>
                    <BucketTable bucket lang/>
                </For>
                <FastForward lang/>
            </Show>
        </div>
    }
}

#[component]
fn BucketTable(bucket: BucketView, lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let hidden = bucket.total - bucket.objects.len();
    let name = bucket.name.clone();
    let summary = move || {
        let key = if bucket.total == 1 {
            "s3.bucket_one"
        } else {
            "s3.bucket_many"
        };
        tf(
            lang.get(),
            key,
            &[("bucket", name.clone()), ("n", bucket.total.to_string())],
        )
    };
    let name = bucket.name.clone();
    let caption = move || {
        tf(
            lang.get(),
            "s3.objects_caption",
            &[("bucket", name.clone())],
        )
    };
    view! {
        <details class="pp-bucket" open=true data-testid="bucket" data-bucket=bucket.name.clone()>
            <summary>{summary}</summary>
            {(!bucket.lifecycle.is_empty() || !bucket.replication.is_empty()).then(|| view! {
                <ul class="pp-rules" data-testid="bucket-rules">
                    {bucket.lifecycle.into_iter().map(|rule| view! {
                        <li data-testid="lifecycle-rule"><span class="pp-rule-kind">{move || t(lang.get(), "s3.rule.lifecycle")}</span>{rule}</li>
                    }).collect_view()}
                    {bucket.replication.into_iter().map(|rule| view! {
                        <li data-testid="replication-rule"><span class="pp-rule-kind">{move || t(lang.get(), "s3.rule.replication")}</span>{rule}</li>
                    }).collect_view()}
                </ul>
            })}
            <table>
                <caption class="pp-sr-only">{caption}</caption>
                <thead>
                    <tr>
                        {["s3.col.key", "s3.col.class", "s3.col.size", "s3.col.modified", "s3.col.age", "s3.col.actions"]
                            .into_iter()
                            .map(|key| view! { <th scope="col">{move || t(lang.get(), key)}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {bucket.objects.into_iter().map(|row| {
                        let (b, k) = (row.bucket.clone(), row.key.clone());
                        let datetime = row.modified.clone();
                        view! {
                            <tr data-testid="object" data-key=row.key.clone()>
                                <td class="pp-key">{row.key.clone()}</td>
                                <td class="pp-class">{row.class}</td>
                                <td class="pp-size">{row.size.to_string()}</td>
                                <td><time datetime=datetime>{row.modified}</time></td>
                                <td class="pp-age" data-testid="age">{move || row.age.text(lang.get())}</td>
                                <td>
                                    <button class="pp-download" data-testid="download" title=move || t(lang.get(), "s3.download_title")
                                        on:click=move |_| download(state, lang.get_untracked(), &b, &k)>{move || t(lang.get(), "s3.download")}</button>
                                    {row.parquet.then(|| {
                                        let target = (row.bucket.clone(), row.key.clone());
                                        view! {
                                            <button class="pp-download" data-testid="inspect" title=move || t(lang.get(), "s3.inspect_title")
                                                on:click=move |_| inspect(state, target.clone())>{move || t(lang.get(), "s3.inspect")}</button>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(hidden > 0).then(|| view! {
                <p class="pp-more">{move || tf(lang.get(), "s3.more", &[("n", hidden.to_string())])}</p>
            })}
        </details>
    }
}

/// Moves the clock by a month or a year, so lifecycle rules (evaluated at each simulated
/// midnight) can be watched moving objects between classes. Same commands as the terminal.
#[component]
fn FastForward(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <p class="pp-fast-forward">
            {move || t(lang.get(), "s3.fast_forward")}
            <button class="pp-mini" data-testid="advance-30d" on:click=move |_| { state.run("sim advance 30d"); }>{move || t(lang.get(), "s3.advance_30d")}</button>
            <button class="pp-mini" data-testid="advance-365d" on:click=move |_| { state.run("sim advance 365d"); }>{move || t(lang.get(), "s3.advance_365d")}</button>
        </p>
    }
}

/// Reads the chosen file and puts it into the home folder.
fn upload_selected(state: AppState, lang: &'static str, ev: leptos::ev::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.name();
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => state.upload(&name, &js_sys::Uint8Array::new(&buffer).to_vec()),
            Err(_) => state.say(
                tf(lang, "s3.upload_failed", &[("name", name.clone())]) + "\n",
                false,
            ),
        }
        input.set_value("");
    });
}

/// Shows the object in the Athena panel's Parquet inspector and scrolls to it.
fn inspect(state: AppState, target: (String, String)) {
    state.inspected.set(Some(target));
    if let Some(inspector) = document()
        .query_selector("[data-testid=parquet-inspector]")
        .ok()
        .flatten()
    {
        inspector.scroll_into_view();
    }
}

/// Saves an object as a real file through a temporary link.
fn download(state: AppState, lang: &'static str, bucket: &str, key: &str) {
    let failed = |reason: String| {
        let args = [
            ("bucket", bucket.to_string()),
            ("key", key.to_string()),
            ("reason", reason),
        ];
        state.say(tf(lang, "s3.download_failed", &args) + "\n", false);
    };
    let bytes = match state.object_bytes(bucket, key) {
        Ok(bytes) => bytes,
        Err(err) => return failed(err.to_string()),
    };
    let name = key.rsplit('/').next().unwrap_or(key).to_string();
    if super::save_file(&name, &bytes, "application/octet-stream").is_err() {
        failed(t(lang, "s3.download_refused"));
    }
}
