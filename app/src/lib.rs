//! The browser app: a Leptos UI over the engine (`components`, `state`) and the JavaScript API
//! for host pages (`js_api`). This is the only crate that talks to the browser.

mod components;
mod i18n;
mod js_api;
mod state;

use wasm_bindgen::prelude::*;

/// Mounts the playground UI into `parent` (the page's `#app`, or a course page's container).
#[wasm_bindgen(js_name = mountApp)]
pub fn mount_app(parent: web_sys::HtmlElement) {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to(parent, components::App).forget();
}
