// The course's "compaction" input, made the same way on every run so that both baselines (and the
// project's own engine) see byte-identical objects: 1,000 NDJSON objects (one per minute of
// 2022-06-12), 100 records each, ~8 MB in all.

export const OBJECTS = 1000;
export const RECORDS_PER_OBJECT = 100;
export const ROWS = OBJECTS * RECORDS_PER_OBJECT;
export const DEVICES = 50;

// mulberry32: tiny, well-known and easy to reproduce in Rust, so the engine can make the same data.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width) => String(n).padStart(width, '0');

/**
 * Returns { objects: Uint8Array[] (one NDJSON object each), expected } where `expected` maps each
 * device name to { count, sum } computed while generating, so that every baseline's group_by can
 * be checked exactly rather than only for plausibility.
 */
export function generate() {
  const random = mulberry32(7);
  const encoder = new TextEncoder();
  const objects = [];
  const expected = new Map();
  for (let i = 0; i < OBJECTS; i++) {
    const prefix = `2022-06-12 ${pad(Math.floor(i / 60), 2)}:${pad(i % 60, 2)}:`;
    let text = '';
    for (let r = 0; r < RECORDS_PER_OBJECT; r++) {
      const secondMs = r * 600;
      const timestamp = `${prefix}${pad(Math.floor(secondMs / 1000), 2)}.${pad(secondMs % 1000, 3)}`;
      const device = `device-${Math.floor(random() * DEVICES)}`;
      const tenths = Math.floor(random() * 1000);
      text += `{"timestamp":"${timestamp}","device_name":"${device}","metric":${(tenths / 10).toFixed(1)}}\n`;
      const group = expected.get(device) ?? { count: 0, sum: 0 };
      group.count += 1;
      // Summing in tenths keeps the reference exact; averages are compared with a tolerance.
      group.sum += tenths;
      expected.set(device, group);
    }
    objects.push(encoder.encode(text));
  }
  for (const group of expected.values()) group.sum /= 10;
  return { objects, expected };
}

/** Each step gets its own copies: DuckDB-Wasm transfers (detaches) the buffers it registers. */
export const freshCopies = (objects) => objects.map((bytes) => bytes.slice());

/**
 * Throws unless `groups` (an array of { device_name, count, avg }) matches the generated data:
 * 50 groups, counts equal and summing to 100,000, averages equal to within float rounding.
 */
export function checkGroups(groups, expected) {
  if (groups.length !== expected.size) {
    throw new Error(`group_by returned ${groups.length} groups, expected ${expected.size}`);
  }
  let total = 0;
  for (const { device_name, count, avg } of groups) {
    const want = expected.get(device_name);
    if (!want) throw new Error(`group_by returned an unknown device ${JSON.stringify(device_name)}`);
    if (count !== want.count) throw new Error(`${device_name}: count ${count}, expected ${want.count}`);
    const wantAvg = want.sum / want.count;
    if (Math.abs(avg - wantAvg) > 1e-9 * Math.max(1, Math.abs(wantAvg))) {
      throw new Error(`${device_name}: avg ${avg}, expected ${wantAvg}`);
    }
    total += count;
  }
  if (total !== ROWS) throw new Error(`group_by counts sum to ${total}, expected ${ROWS}`);
}
