//! The app's panels. They render the session and send commands through `AppState`; no rule of
//! the simulation lives here.

mod kafka_panel;
mod lambda_panel;
mod s3_panel;
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
                    <s3_panel::S3Panel/>
                    <lambda_panel::LambdaPanel/>
                    <kafka_panel::KafkaPanel/>
                </section>
                <terminal::Terminal/>
                <trace_panel::TracePanel/>
            </main>
        </div>
    }
}
