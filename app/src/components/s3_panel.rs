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
    age: String,
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

/// `12 min`, `5 h`, `3 d`: an object's age at a glance (lifecycle rules count whole days).
fn age(ms: Millis) -> String {
    const MINUTE: Millis = 60_000;
    const HOUR: Millis = 60 * MINUTE;
    const DAY: Millis = 24 * HOUR;
    if ms < MINUTE {
        "now".to_string()
    } else if ms < HOUR {
        format!("{} min", ms / MINUTE)
    } else if ms < DAY {
        format!("{} h", ms / HOUR)
    } else {
        format!("{} d", ms / DAY)
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
pub fn S3Panel() -> impl IntoView {
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
                    "Upload a local file "
                    <input type="file" data-testid="upload" on:change=move |ev| upload_selected(state, ev)/>
                </label>
            </header>
            <Show when=move || !buckets().is_empty() fallback=|| view! {
                <p class="pp-empty">"No buckets yet. Try " <code>"aws s3 mb s3://my-first-bucket"</code></p>
            }>
                <For each=buckets key=|bucket| (bucket.name.clone(), bucket.total, bucket.lifecycle.clone(), bucket.replication.clone(), bucket.objects.iter().map(|o| format!("{}{}{}", o.key, o.class, o.age)).collect::<String>()) let:bucket>
                    <BucketTable bucket/>
                </For>
                <FastForward/>
            </Show>
        </div>
    }
}

#[component]
fn BucketTable(bucket: BucketView) -> impl IntoView {
    let state = expect_context::<AppState>();
    let more = (bucket.total > bucket.objects.len())
        .then(|| format!("… and {} more", bucket.total - bucket.objects.len()));
    view! {
        <details class="pp-bucket" open=true data-testid="bucket" data-bucket=bucket.name.clone()>
            <summary>{format!("s3://{}  ({} object{})", bucket.name, bucket.total, if bucket.total == 1 { "" } else { "s" })}</summary>
            {(!bucket.lifecycle.is_empty() || !bucket.replication.is_empty()).then(|| view! {
                <ul class="pp-rules" data-testid="bucket-rules">
                    {bucket.lifecycle.into_iter().map(|rule| view! {
                        <li data-testid="lifecycle-rule"><span class="pp-rule-kind">"Lifecycle "</span>{rule}</li>
                    }).collect_view()}
                    {bucket.replication.into_iter().map(|rule| view! {
                        <li data-testid="replication-rule"><span class="pp-rule-kind">"Replication "</span>{rule}</li>
                    }).collect_view()}
                </ul>
            })}
            <table>
                <caption class="pp-sr-only">{format!("Objects in s3://{}: key, storage class, size in bytes, last modified, age", bucket.name)}</caption>
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
                                <td class="pp-age" data-testid="age">{row.age}</td>
                                <td>
                                    <button class="pp-download" data-testid="download" title="Download this object"
                                        on:click=move |_| download(state, &b, &k)>"Download"</button>
                                    {row.parquet.then(|| {
                                        let target = (row.bucket.clone(), row.key.clone());
                                        view! {
                                            <button class="pp-download" data-testid="inspect" title="Show this Parquet file's row groups and column chunks in the Athena panel"
                                                on:click=move |_| inspect(state, target.clone())>"Inspect"</button>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {more.map(|text| view! { <p class="pp-more">{text}</p> })}
        </details>
    }
}

/// Moves the clock by a month or a year, so lifecycle rules (evaluated at each simulated
/// midnight) can be watched moving objects between classes. Same commands as the terminal.
#[component]
fn FastForward() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <p class="pp-fast-forward">
            "Fast-forward: "
            <button class="pp-mini" data-testid="advance-30d" on:click=move |_| { state.run("sim advance 30d"); }>"+30 days"</button>
            <button class="pp-mini" data-testid="advance-365d" on:click=move |_| { state.run("sim advance 365d"); }>"+1 year"</button>
        </p>
    }
}

/// Reads the chosen file and puts it into the home folder.
fn upload_selected(state: AppState, ev: leptos::ev::Event) {
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
            Err(_) => state.say(format!("upload failed: {name} could not be read\n"), false),
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
fn download(state: AppState, bucket: &str, key: &str) {
    let bytes = match state.object_bytes(bucket, key) {
        Ok(bytes) => bytes,
        Err(err) => {
            return state.say(
                format!("download of s3://{bucket}/{key} failed: {err}\n"),
                false,
            );
        }
    };
    let name = key.rsplit('/').next().unwrap_or(key).to_string();
    if super::save_file(&name, &bytes, "application/octet-stream").is_err() {
        state.say(
            format!("download of s3://{bucket}/{key} failed: the browser refused the file\n"),
            false,
        );
    }
}
