//! The timeline bar: play/pause, step, undo, speed, the simulated clock and the share link.

use std::cell::Cell;
use std::rc::Rc;

use engine::sim::format_iso;
use gloo_timers::callback::Interval;
use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::state::{AppState, SPEEDS};

/// How often the clock moves while playing, in real milliseconds.
const TICK_MS: u32 = 50;

#[component]
pub fn Timeline(lang: RwSignal<&'static str>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ticker: StoredValue<Option<Interval>, LocalStorage> = StoredValue::new_local(None);

    let start = move || {
        state.playing.set(true);
        let last = Rc::new(Cell::new(now_real_ms()));
        let carry = Rc::new(Cell::new(0.0));
        let interval = Interval::new(TICK_MS, move || {
            let now = now_real_ms();
            let simulated =
                (now - last.get()) * f64::from(state.speed.get_untracked()) + carry.get();
            last.set(now);
            let whole = simulated.floor();
            carry.set(simulated - whole);
            if whole >= 1.0 {
                state.play(whole as i64);
            }
        });
        ticker.set_value(Some(interval));
    };
    let stop = move || {
        ticker.set_value(None);
        state.pause();
    };
    // A failed play step pauses through `state.playing`; drop the timer then too.
    Effect::new(move |_| {
        if !state.playing.get() {
            ticker.set_value(None);
        }
    });

    let toggle = move |_| {
        if state.playing.get_untracked() {
            stop()
        } else {
            start()
        }
    };
    let step = move |_| {
        stop();
        state.run("sim step");
    };
    let undo = move |_| {
        stop();
        state.run("sim undo");
    };
    let clock = move || state.with(|session| format_iso(session.world().now_ms()));
    let save_scenario = move || {
        let _ = super::save_file(
            "pipeline-playground-scenario.json",
            state.scenario_json().as_bytes(),
            "application/json",
        );
    };
    // A long history does not fit a link: it is saved as a scenario file instead.
    let copy_link = move |_| match state.share_link() {
        Some(_) => {
            if let Ok(href) = window().location().href() {
                let _ = window().navigator().clipboard().write_text(&href);
            }
        }
        None => {
            save_scenario();
            let lang = lang.get_untracked();
            let open = t(lang, "timeline.open_scenario");
            state.say(
                tf(lang, "timeline.too_long", &[("open", open)]) + "\n",
                true,
            );
        }
    };
    let open_scenario = move |ev: leptos::ev::Event| {
        stop();
        super::read_chosen_text(&ev, move |text| {
            let result = text
                .ok_or_else(|| t(lang.get_untracked(), "timeline.unreadable"))
                .and_then(|text| state.open_scenario(&text));
            if let Err(err) = result {
                state.say(format!("{err}\n"), false);
            }
        });
    };

    view! {
        <div class="pp-timeline" role="toolbar" aria-label=move || t(lang.get(), "timeline.label")>
            <button data-testid="play" class="pp-play" on:click=toggle
                aria-label=move || t(lang.get(), if state.playing.get() { "timeline.pause_label" } else { "timeline.play_label" })>
                {move || t(lang.get(), if state.playing.get() { "timeline.pause" } else { "timeline.play" })}
            </button>
            <button data-testid="step" on:click=step title=move || t(lang.get(), "timeline.step_title")>{move || t(lang.get(), "timeline.step")}</button>
            <button data-testid="undo" on:click=undo title=move || t(lang.get(), "timeline.undo_title")>{move || t(lang.get(), "timeline.undo")}</button>
            <label class="pp-speed">
                {move || t(lang.get(), "timeline.speed")} " "
                <select data-testid="speed"
                    on:change=move |ev| {
                        if let Ok(speed) = event_target_value(&ev).parse() {
                            state.speed.set(speed);
                        }
                    }>
                    {SPEEDS.iter().map(|&speed| view! {
                        <option value=speed.to_string() selected=move || state.speed.get() == speed>
                            {format!("×{speed}")}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <time class="pp-clock" data-testid="sim-clock" datetime=clock aria-label=move || t(lang.get(), "timeline.clock_label")>{clock}</time>
            <button data-testid="share" on:click=copy_link title=move || t(lang.get(), "timeline.share_title")>
                {move || t(lang.get(), "timeline.share")}
            </button>
            <button data-testid="save-scenario" on:click=move |_| save_scenario()
                title=move || t(lang.get(), "timeline.save_scenario_title")>{move || t(lang.get(), "timeline.save_scenario")}</button>
            <label class="pp-file-button">{move || t(lang.get(), "timeline.open_scenario")}
                <input type="file" accept="application/json,.json" data-testid="open-scenario"
                    on:change=open_scenario/>
            </label>
        </div>
    }
}

fn now_real_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}
