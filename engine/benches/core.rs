//! Native benchmarks of the engine's core workloads (the same code the wasm bench page runs).

use criterion::{Criterion, criterion_group, criterion_main};
use engine::bench;

fn workloads(c: &mut Criterion) {
    for name in bench::WORKLOADS {
        c.bench_function(name, |b| b.iter(|| std::hint::black_box(bench::run(name))));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = workloads
}
criterion_main!(benches);
