//! The S3 panel: buckets and their objects (class, size, time), downloads of any object as a
//! real file, Parquet objects opened in the Athena panel's inspector, and uploads of local files
//! into the home folder.

use engine::formats::is_parquet;
use engine::services::s3::Bucket;
use engine::sim::{BlobStore, format_iso};
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
    /// A Parquet file, which the Athena panel's inspector can describe.
    parquet: bool,
}

#[derive(Clone, PartialEq)]
struct BucketView {
    name: String,
    objects: Vec<ObjectRow>,
    total: usize,
}

fn bucket_view(bucket: &Bucket, blobs: &BlobStore) -> BucketView {
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
            parquet: is_parquet(blobs.get(object.blob)),
        }
    });
    let objects: Vec<ObjectRow> = rows.collect();
    let total = objects.len();
    BucketView {
        name: bucket.name.clone(),
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
                .map(|bucket| bucket_view(bucket, world.blobs()))
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
                <For each=buckets key=|bucket| (bucket.name.clone(), bucket.total, bucket.objects.clone().into_iter().map(|o| o.key + o.class).collect::<String>()) let:bucket>
                    <BucketTable bucket/>
                </For>
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
            <table>
                <tbody>
                    {bucket.objects.into_iter().map(|row| {
                        let (b, k) = (row.bucket.clone(), row.key.clone());
                        view! {
                            <tr data-testid="object" data-key=row.key.clone()>
                                <td class="pp-key">{row.key.clone()}</td>
                                <td class="pp-class">{row.class}</td>
                                <td class="pp-size">{row.size.to_string()}</td>
                                <td><time>{row.modified}</time></td>
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
