//! The lesson panel: the list of lessons (one `?lesson=ID&lang=xx` link each), and the open
//! lesson one step at a time: what to do, whether the step's goal holds in the world now,
//! hints one by one, the solution typed into the terminal line by line, reset (undo back to
//! the step's start), next and back. Progress is kept in `localStorage` and can be exported
//! and imported as a file. Goals are the engine's (`Session::lesson_step_done`); the panel
//! only asks.

use std::collections::{BTreeMap, BTreeSet};

use engine::lessons::{self, Lesson};
use engine::shell::split_script;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::i18n::{self, t, tf};
use crate::state::{AppState, query_param};

const PROGRESS_KEY: &str = "pipeline-playground.progress";
/// Milliseconds between the lines of an animated solution.
const SOLUTION_LINE_MS: u32 = 450;

/// Completed steps per lesson id.
type Progress = BTreeMap<String, BTreeSet<usize>>;

pub(super) fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn load_progress() -> Progress {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save_progress(progress: &Progress) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(progress)) {
        let _ = storage.set_item(PROGRESS_KEY, &text);
    }
}

#[derive(Clone, Copy)]
enum Span {
    Plain,
    Bold,
    Code,
}

/// Paragraphs of a step's Markdown-ish text: blank lines split paragraphs, `code` spans stay
/// code, `**bold**` is bold.
fn rich_text(text: &str) -> impl IntoView + use<> {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|paragraph| {
            // `code` first, then **bold** in what is not code.
            let parts: Vec<(Span, String)> = paragraph
                .split('`')
                .enumerate()
                .flat_map(|(i, part)| {
                    if i % 2 == 1 {
                        vec![(Span::Code, part.to_string())]
                    } else {
                        part.split("**")
                            .enumerate()
                            .map(|(j, text)| {
                                let kind = if j % 2 == 1 { Span::Bold } else { Span::Plain };
                                (kind, text.to_string())
                            })
                            .collect()
                    }
                })
                .collect();
            view! {
                <p>
                    {parts.into_iter().map(|(kind, part)| match kind {
                        Span::Code => view! { <code>{part}</code> }.into_any(),
                        Span::Bold => view! { <strong>{part}</strong> }.into_any(),
                        Span::Plain => view! { <span>{part}</span> }.into_any(),
                    }).collect_view()}
                </p>
            }
        })
        .collect_view()
}

/// Runs each command of `script` in the terminal, one every `SOLUTION_LINE_MS`.
fn type_out(state: AppState, lines: Vec<String>, then: impl FnOnce() + 'static) {
    let mut lines = lines.into_iter();
    match lines.next() {
        None => then(),
        Some(line) => {
            state.run(&line);
            let rest: Vec<String> = lines.collect();
            Timeout::new(SOLUTION_LINE_MS, move || type_out(state, rest, then)).forget();
        }
    }
}

fn script_lines(script: &str) -> Vec<String> {
    split_script(script)
        .into_iter()
        .map(|entry| entry.source)
        .collect()
}

#[component]
pub fn LessonPanel(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lesson_id = RwSignal::new(query_param("lesson").filter(|id| lessons::get(id).is_some()));
    let step = RwSignal::new(0usize);
    let step_start = RwSignal::new(state.log_len());
    let hints = RwSignal::new(0usize);
    let progress = RwSignal::new(load_progress());
    let replaying = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);

    // A lesson link opens its step; the steps before it are replayed with their solutions.
    // A world rebuilt from a share link is kept as it is.
    if let Some(lesson) = lesson_id.get_untracked().and_then(|id| lessons::get(&id)) {
        let wanted: usize = query_param("step")
            .and_then(|s| s.parse::<usize>().ok())
            .map_or(0, |n| n.saturating_sub(1))
            .min(lesson.steps.len() - 1);
        if state.log_len() == 0 {
            for earlier in &lesson.steps[..wanted] {
                if !earlier.setup.trim().is_empty() {
                    state.run(&earlier.setup);
                }
                state.run(&earlier.solution);
            }
            if !lesson.steps[wanted].setup.trim().is_empty() {
                state.run(&lesson.steps[wanted].setup);
            }
        }
        step.set(wanted);
        step_start.set(state.log_len());
    }

    let open = move || lesson_id.get().and_then(|id| lessons::get(&id));
    let done = move || {
        let lesson = open()?;
        let n = step.get();
        Some(
            state
                .with(|s| s.lesson_step_done(&lesson.id, n))
                .unwrap_or(Ok(false)),
        )
    };
    // Remember completed steps.
    Effect::new(move |_| {
        if let (Some(lesson), Some(Ok(true))) = (open(), done()) {
            let n = step.get_untracked();
            progress.update(|p| {
                p.entry(lesson.id.clone()).or_default().insert(n);
            });
            save_progress(&progress.get_untracked());
        }
    });

    let go_to = move |lesson: &'static Lesson, n: usize| {
        step.set(n);
        hints.set(0);
        if !lesson.steps[n].setup.trim().is_empty() {
            state.run(&lesson.steps[n].setup);
        }
        step_start.set(state.log_len());
    };
    let show_solution = move |lesson: &'static Lesson| {
        replaying.set(true);
        let lines = script_lines(&lesson.steps[step.get_untracked()].solution);
        type_out(state, lines, move || replaying.set(false));
    };
    let reset_step = move || {
        state.undo_to(step_start.get_untracked());
        hints.set(0);
    };

    view! {
        <aside class="pp-panel pp-lessons" data-testid="lesson-panel" aria-label=move || t(lang.get(), "lessons.heading")>
            <header class="pp-panel-head">
                <h2>{move || t(lang.get(), "lessons.heading")}</h2>
                <label class="pp-lang">
                    <span class="pp-sr-only">{move || t(lang.get(), "lessons.language")}</span>
                    <select data-testid="language" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        lang.set(i18n::language(&value));
                    }>
                        {i18n::languages().into_iter().map(|(code, name)| view! {
                            <option value=code selected=move || lang.get() == code>{name}</option>
                        }).collect_view()}
                    </select>
                </label>
            </header>
            {move || match open() {
                None => view! {
                    <p class="pp-muted">{t(lang.get(), "lessons.choose")}</p>
                    <LessonList lang progress/>
                    <ProgressFile lang progress notice/>
                }.into_any(),
                Some(lesson) => {
                    let l = lang.get();
                    let text = lesson.text(l);
                    let n = step.get();
                    let total = lesson.steps.len();
                    let step_text = text.steps.get(n).cloned();
                    let hint_list: Vec<String> = step_text.as_ref().map(|s| s.hints.clone()).unwrap_or_default();
                    let shown = hints.get().min(hint_list.len());
                    let more_hints = shown < hint_list.len();
                    view! {
                        <nav class="pp-crumbs"><a href=format!("?lang={l}")>{t(l, "lessons.all")}</a></nav>
                        <h3 data-testid="lesson-title">{text.title.clone()}</h3>
                        {(n == 0).then(|| view! { <div class="pp-intro">{rich_text(&text.intro)}</div> })}
                        <p class="pp-step-count" data-testid="lesson-step">{tf(l, "lessons.step", &[("n", (n + 1).to_string()), ("total", total.to_string())])}</p>
                        <div class="pp-step-text">{step_text.map(|s| rich_text(&s.text))}</div>
                        {move || {
                            let l = lang.get();
                            match done() {
                                Some(Ok(true)) => view! { <p class="pp-goal pp-goal-done" role="status" data-testid="goal" data-done="true">{t(l, "lessons.done")}{(n + 1 == total).then(|| format!(" {}", t(l, "lessons.finished")))}</p> }.into_any(),
                                Some(Err(err)) => view! { <p class="pp-goal pp-warn" role="status" data-testid="goal" data-done="false">{tf(l, "lessons.goal_error", &[("error", err.to_string())])}</p> }.into_any(),
                                _ => view! { <p class="pp-goal" role="status" data-testid="goal" data-done="false">{t(l, "lessons.not_done")}</p> }.into_any(),
                            }
                        }}
                        <ul class="pp-hints" data-testid="hints">
                            {hint_list.into_iter().take(shown).map(|h| view! { <li>{rich_text(&h)}</li> }).collect_view()}
                        </ul>
                        <div class="pp-lesson-controls">
                            <button disabled={n == 0} on:click=move |_| go_to(lesson, n - 1)>{t(l, "lessons.back")}</button>
                            <button disabled={!more_hints} on:click=move |_| hints.update(|h| *h += 1)>
                                {if more_hints { t(l, "lessons.hint") } else { t(l, "lessons.no_more_hints") }}
                            </button>
                            <button data-testid="show-solution" disabled=move || replaying.get() on:click=move |_| show_solution(lesson)>{t(l, "lessons.solution")}</button>
                            <button on:click=move |_| reset_step()>{t(l, "lessons.reset")}</button>
                            <button class="pp-primary" data-testid="next-step" disabled={n + 1 >= total} on:click=move |_| go_to(lesson, n + 1)>{t(l, "lessons.next")}</button>
                        </div>
                    }.into_any()
                }
            }}
        </aside>
    }
}

/// One link per lesson, in order, with its completed steps.
#[component]
fn LessonList(lang: RwSignal<&'static str>, progress: RwSignal<Progress>) -> impl IntoView {
    move || {
        let l = lang.get();
        let progress = progress.get();
        view! {
            <ol class="pp-lesson-list" data-testid="lesson-list">
                {lessons::list(l).into_iter().map(|summary| {
                    let finished = progress.get(&summary.id).map_or(0, BTreeSet::len);
                    view! {
                        <li>
                            <a href=format!("?lesson={}&lang={l}", summary.id) data-lesson=summary.id.clone()>{summary.title}</a>
                            <span class="pp-muted">{format!(" {finished}/{} {}", summary.steps, t(l, "lessons.completed"))}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
    }
}

/// Export the progress as a JSON file; import one back.
#[component]
fn ProgressFile(
    lang: RwSignal<&'static str>,
    progress: RwSignal<Progress>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let export = move |_| {
        let text = serde_json::to_string_pretty(&progress.get_untracked()).unwrap_or_default();
        let _ = super::save_file(
            "pipeline-playground-progress.json",
            text.as_bytes(),
            "application/json",
        );
    };
    let import = move |ev: leptos::ev::Event| {
        super::read_chosen_text(&ev, move |text| {
            let l = lang.get_untracked();
            match text.and_then(|t| serde_json::from_str::<Progress>(&t).ok()) {
                Some(imported) => {
                    progress.update(|p| {
                        for (lesson, steps) in imported {
                            p.entry(lesson).or_default().extend(steps);
                        }
                    });
                    save_progress(&progress.get_untracked());
                    notice.set(Some(t(l, "lessons.imported")));
                }
                None => notice.set(Some(t(l, "lessons.import_failed"))),
            }
        });
    };
    view! {
        <div class="pp-progress-file">
            <button on:click=export>{move || t(lang.get(), "lessons.export")}</button>
            <label class="pp-upload">{move || t(lang.get(), "lessons.import")}
                <input type="file" accept="application/json" data-testid="import-progress" on:change=import/>
            </label>
            {move || notice.get().map(|n| view! { <p class="pp-muted" role="status">{n}</p> })}
        </div>
    }
}
