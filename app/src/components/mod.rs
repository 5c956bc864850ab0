//! The app's panels. They render the session and send commands through `AppState`; no rule of
//! the simulation lives here.

mod athena_panel;
mod iam_explain;
mod kafka_panel;
mod kafka_producers;
mod lambda_panel;
mod lesson_panel;
mod s3_panel;
mod terminal;
mod theme;
mod timeline;
mod trace_panel;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::AppState;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::from_location();
    provide_context(state);
    let lang = RwSignal::new(crate::i18n::language(
        &crate::state::query_param("lang").unwrap_or_default(),
    ));
    // <html lang> follows the chosen language (screen readers, fonts, hyphenation).
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.get());
        }
    });
    let embedded = crate::state::embedded();
    view! {
        <div class="pp-app" class:pp-embed=embedded data-testid="app">
            <header class="pp-header">
                <h1>"Pipeline Playground"</h1>
                <p class="pp-tagline">{move || crate::i18n::t(lang.get(), "app.tagline")}</p>
                <theme::ThemeSwitch lang/>
                {embedded.then(|| view! {
                    // The href is read when clicked: the world (in the URL's hash) changes as it runs.
                    <a class="pp-full" data-testid="open-full" href=full_page_href target="_blank"
                        rel="noopener" on:click=|ev| {
                            if let Some(link) = ev.current_target()
                                .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                            {
                                link.set_href(&full_page_href());
                            }
                        }>
                        {move || crate::i18n::t(lang.get(), "app.open_full")}
                    </a>
                })}
            </header>
            <timeline::Timeline lang/>
            <main class="pp-main">
                <section class="pp-services" data-testid="services" aria-label=move || crate::i18n::t(lang.get(), "app.services")>
                    <s3_panel::S3Panel lang/>
                    <lambda_panel::LambdaPanel lang/>
                    <kafka_panel::KafkaPanel lang/>
                    <athena_panel::AthenaPanel lang/>
                </section>
                <lesson_panel::LessonPanel lang/>
                <terminal::Terminal lang/>
                <trace_panel::TracePanel lang/>
            </main>
        </div>
    }
}

/// This page without `embed=1`: the widget's way out to the whole app (same lesson and world).
fn full_page_href() -> String {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    if let Some(params) = &params {
        params.delete("embed");
    }
    let query = params
        .map(|p| String::from(p.to_string()))
        .unwrap_or_default();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!(
        "{}{query}{}",
        location.pathname().unwrap_or_default(),
        location.hash().unwrap_or_default()
    )
}

/// An SVG arrow from (x1, y1) to (x2, y2) as the panels draw them (fan-out, assignment): a
/// horizontal S-curve ending where a triangular head of `head` pixels takes over. Returns
/// the curve's `d` and the head's `points`.
pub(crate) fn arrow(x1: f64, y1: f64, x2: f64, y2: f64, head: f64) -> (String, String) {
    let mid = (x1 + x2) / 2.0;
    let tip = x2 - head;
    (
        format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {tip},{y2}"),
        format!(
            "{x2},{y2} {tip},{} {tip},{}",
            y2 - head / 2.0,
            y2 + head / 2.0
        ),
    )
}

/// Saves bytes as a real file through a temporary link.
pub(crate) fn save_file(name: &str, bytes: &[u8], mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}

/// Reads the file a learner chose in an `<input type="file">` as text, then calls `then` with it
/// (`None` when nothing was chosen or it is not text).
pub(crate) fn read_chosen_text(
    ev: &leptos::ev::Event,
    then: impl FnOnce(Option<String>) + 'static,
) {
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|v| v.as_string());
        then(text);
    });
}
