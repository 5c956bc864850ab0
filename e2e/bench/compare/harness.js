// The page side of compare.mjs: loads one baseline (chosen by ?baseline=) and exposes
// window.bench for the driver. Nothing here is timed except what `run` and `instantiate` measure.
import { generate, freshCopies, checkGroups } from './workload.js';

const BASELINES = {
  arrow: () => import('./arrow-baseline.js'),
  duckdb: () => import('./duckdb-baseline.js'),
};

const id = new URLSearchParams(location.search).get('baseline');
if (!BASELINES[id]) throw new Error(`unknown ?baseline=${id}; use one of ${Object.keys(BASELINES)}`);
const baseline = await BASELINES[id]();

let data;
let file; // the last ctas output, which group_by reads

async function timed(fn) {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

window.bench = {
  name: baseline.NAME,

  /** Milliseconds to load and initialise the library; call once, in a fresh page. */
  async instantiate() {
    const [ms] = await timed(() => baseline.instantiate());
    return ms;
  },

  versions: () => baseline.versions(),

  /**
   * Runs `step` `warmup` times untimed, then `iterations` times timed; returns the times in ms.
   * Every ctas run gets fresh copies of the objects (made before its clock starts) and has its
   * output checked after the clock stops; every group_by result is checked against the data.
   */
  async run(step, warmup, iterations) {
    data ??= generate();
    const times = [];
    for (let i = 0; i < warmup + iterations; i++) {
      let ms;
      if (step === 'ctas') {
        const objects = freshCopies(data.objects);
        await baseline.beforeCtas?.();
        [ms, file] = await timed(() => baseline.ctas(objects));
        await baseline.checkCtas(file);
      } else if (step === 'group_by') {
        if (file === undefined) throw new Error('group_by needs a ctas run first');
        let groups;
        [ms, groups] = await timed(() => baseline.groupBy(file));
        checkGroups(groups, data.expected);
      } else {
        throw new Error(`unknown step ${step}`);
      }
      if (i >= warmup) times.push(ms);
    }
    return times;
  },
};
document.getElementById('status').textContent = 'ready';
