//! The terminal: the transcript of commands and outputs, and a prompt with ↑/↓ history.
//! Enter runs the text, unless a here-document or a trailing `\` is still open, in which case
//! it starts a new line; Shift+Enter always starts a new line.

use engine::shell::needs_more_input;
use leptos::html::Textarea;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use super::iam_explain::IamExplain;
use crate::i18n::t;
use crate::state::{AppState, TerminalBlock};

#[component]
pub fn Terminal(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let input: NodeRef<Textarea> = NodeRef::new();
    let draft = state.draft;
    // Position in `typed` while browsing with ↑/↓; `None` when editing a new line.
    let cursor: RwSignal<Option<usize>> = RwSignal::new(None);

    let submit = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        draft.set(String::new());
        cursor.set(None);
        state.submit(&text);
        if let Some(output) = document()
            .query_selector("[data-testid=terminal-output]")
            .ok()
            .flatten()
        {
            output.set_scroll_top(output.scroll_height());
        }
    };
    let browse = move |older: bool| {
        let typed = state.typed.get_untracked();
        if typed.is_empty() {
            return;
        }
        let next = match (cursor.get_untracked(), older) {
            (None, true) => Some(typed.len() - 1),
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < typed.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        cursor.set(next);
        draft.set(next.map(|i| typed[i].clone()).unwrap_or_default());
    };
    let on_key = move |ev: KeyboardEvent| {
        let single_line = !draft.get_untracked().contains('\n');
        match ev.key().as_str() {
            "Enter" if !ev.shift_key() && !needs_more_input(&draft.get_untracked()) => {
                ev.prevent_default();
                submit();
            }
            "ArrowUp" if single_line => {
                ev.prevent_default();
                browse(true);
            }
            "ArrowDown" if single_line => {
                ev.prevent_default();
                browse(false);
            }
            _ => {}
        }
    };

    view! {
        <section class="pp-terminal" aria-label=move || t(lang.get(), "terminal.label") on:click=move |_| {
            if let Some(input) = input.get() { let _ = input.focus(); }
        }>
            <div class="pp-terminal-output" data-testid="terminal-output" role="log" tabindex="0"
                aria-label=move || t(lang.get(), "terminal.output")>
                <For each=move || state.blocks.get() key=|block| block.id let:block>
                    <Block block lang/>
                </For>
            </div>
            <div class="pp-prompt">
                <span class="pp-prompt-sign" aria-hidden="true">"$"</span>
                <textarea
                    node_ref=input
                    data-testid="terminal-input"
                    aria-label=move || t(lang.get(), "terminal.input")
                    rows=move || draft.get().lines().count().max(1).to_string()
                    spellcheck="false"
                    autocomplete="off"
                    placeholder=move || t(lang.get(), "terminal.placeholder")
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=on_key
                ></textarea>
            </div>
        </section>
    }
}

#[component]
fn Block(block: TerminalBlock, lang: RwSignal<&'static str>) -> impl IntoView {
    let class = if block.ok {
        "pp-block"
    } else {
        "pp-block pp-error"
    };
    let input = (!block.input.is_empty())
        .then(|| view! { <pre class="pp-input">{format!("$ {}", block.input)}</pre> });
    let why = block
        .denial
        .map(|denial| view! { <IamExplain denial lang/> });
    view! {
        <div class=class data-testid="terminal-block" data-ok=block.ok.to_string()>
            {input}
            <pre class="pp-output">{block.output}</pre>
            {why}
        </div>
    }
}
