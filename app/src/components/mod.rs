//! The app's panels. They render the session and send commands through `AppState`; no rule of
//! the simulation lives here.

mod athena_panel;
mod kafka_panel;
mod lambda_panel;
mod lesson_panel;
mod s3_panel;
mod terminal;
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
        &lesson_panel::query_param("lang").unwrap_or_default(),
    ));
    // <html lang> follows the chosen language (screen readers, fonts, hyphenation).
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.get());
        }
    });
    view! {
        <div class="pp-app" data-testid="app">
            <header class="pp-header">
                <h1>"Pipeline Playground"</h1>
                <p class="pp-tagline">{move || crate::i18n::t(lang.get(), "app.tagline")}</p>
            </header>
            <timeline::Timeline/>
            <main class="pp-main">
                <section class="pp-services" data-testid="services" aria-label="Services">
                    <s3_panel::S3Panel/>
                    <lambda_panel::LambdaPanel/>
                    <kafka_panel::KafkaPanel/>
                    <athena_panel::AthenaPanel lang/>
                </section>
                <lesson_panel::LessonPanel lang/>
                <terminal::Terminal/>
                <trace_panel::TracePanel/>
            </main>
        </div>
    }
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
