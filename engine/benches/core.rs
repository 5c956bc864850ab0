//! Native benchmarks of the engine's workloads (the same code the wasm bench page runs); each
//! sample runs on a freshly prepared case, and only the run is timed.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use engine::bench;

fn workloads(c: &mut Criterion) {
    for name in bench::WORKLOADS {
        c.bench_function(name, |b| {
            b.iter_batched(
                || bench::prepare(name).expect("listed workloads exist"),
                |mut case| case.run(),
                BatchSize::PerIteration,
            )
        });
    }
    let mut native = c.benchmark_group("native");
    native.throughput(Throughput::Elements(bench::NATIVE_WORKLOAD_ROWS));
    for name in bench::NATIVE_WORKLOADS {
        native.bench_function(*name, |b| {
            b.iter_batched(
                || bench::prepare(name).expect("listed workloads exist"),
                |mut case| case.run(),
                BatchSize::PerIteration,
            )
        });
    }
    native.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = workloads
}
criterion_main!(benches);
