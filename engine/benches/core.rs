//! Native benchmarks of the engine's workloads (the same code the wasm bench page runs); each
//! sample runs on a freshly prepared case, and only the run is timed: the case is handed back
//! so that criterion drops it after the clock stops, as the wasm page frees it after timing.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use engine::bench;

fn workloads(c: &mut Criterion) {
    for name in bench::WORKLOADS {
        let run = |b: &mut criterion::Bencher| {
            b.iter_batched(
                || bench::prepare(name).expect("listed workloads exist"),
                |mut case| (case.run(), case),
                BatchSize::PerIteration,
            )
        };
        match bench::elements(name) {
            // Counted workloads get a group of their own, so criterion reports elements/s.
            Some(elements) => {
                let mut group = c.benchmark_group(*name);
                group.throughput(Throughput::Elements(elements));
                group.bench_function("run", run);
                group.finish();
            }
            None => {
                c.bench_function(name, run);
            }
        }
    }
    let mut native = c.benchmark_group("native");
    native.throughput(Throughput::Elements(bench::NATIVE_WORKLOAD_ROWS));
    for name in bench::NATIVE_WORKLOADS {
        native.bench_function(*name, |b| {
            b.iter_batched(
                || bench::prepare(name).expect("listed workloads exist"),
                |mut case| (case.run(), case),
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
