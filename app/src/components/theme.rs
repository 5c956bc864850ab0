//! Light and dark themes. The choice is `data-theme` on `<html>` (the stylesheet's variables follow
//! it): from `?theme=light|dark` (embedders), else the learner's saved choice, else the system's
//! `prefers-color-scheme`. `public/index.html` makes the same choice before the wasm has loaded,
//! so its loading page is already in the right theme: change both together.

use leptos::prelude::*;

use super::lesson_panel::storage;
use crate::i18n::t;
use crate::state::query_param;

const STORAGE_KEY: &str = "pp-theme";

fn valid(theme: &str) -> Option<&'static str> {
    match theme {
        "light" => Some("light"),
        "dark" => Some("dark"),
        _ => None,
    }
}

fn initial_theme() -> &'static str {
    let saved = || storage()?.get_item(STORAGE_KEY).ok().flatten();
    let system_dark = || {
        window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches())
    };
    query_param("theme")
        .as_deref()
        .and_then(valid)
        .or_else(|| saved().as_deref().and_then(valid))
        .unwrap_or(if system_dark() { "dark" } else { "light" })
}

#[component]
pub fn ThemeSwitch(lang: RwSignal<&'static str>) -> impl IntoView {
    let theme = RwSignal::new(initial_theme());
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get());
        }
    });
    let toggle = move |_| {
        let next = if theme.get_untracked() == "dark" {
            "light"
        } else {
            "dark"
        };
        theme.set(next);
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, next);
        }
    };
    view! {
        <button class="pp-theme" data-testid="theme-toggle" on:click=toggle
            aria-pressed=move || (theme.get() == "dark").to_string()>
            {move || t(lang.get(), "theme.dark")}
        </button>
    }
}
