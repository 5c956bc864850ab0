//! The app's panels. They render the session and send commands through `AppState`; no rule of
//! the simulation lives here.

mod terminal;
mod timeline;
mod trace_panel;

use leptos::prelude::*;

use crate::state::AppState;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::from_location();
    provide_context(state);
    view! {
        <div class="pp-app" data-testid="app">
            <header class="pp-header">
                <h1>"Pipeline Playground"</h1>
                <p class="pp-tagline">"Kafka, EventBridge, Lambda, S3 and Athena, simulated in your browser"</p>
            </header>
            <timeline::Timeline/>
            <main class="pp-main">
                <section class="pp-services" data-testid="services" aria-label="Services">
                    <p class="pp-empty">
                        "Service panels appear here as the simulated services arrive. Type "
                        <code>"help"</code> " in the terminal to see what you can run today."
                    </p>
                </section>
                <terminal::Terminal/>
                <trace_panel::TracePanel/>
            </main>
        </div>
    }
}
