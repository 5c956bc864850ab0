// Checks the tuned NDJSON parser against JSON.parse, on the course data and on the lines that must
// take the slow path. Run with `node --test bench/compare/` from e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjson } from './ndjson.js';
import { generate, ROWS } from './workload.js';

const SCHEMA = [
  { name: 'timestamp', type: 'utf8' },
  { name: 'device_name', type: 'utf8' },
  { name: 'metric', type: 'float64' },
];

// What the parser should return, computed the slow, obvious way.
function reference(objects) {
  const decoder = new TextDecoder();
  const records = objects.flatMap((bytes) => decoder.decode(bytes).split('\n'))
    .filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
  return SCHEMA.map(({ name }) => records.map((record) => record[name]));
}

function decodeColumns({ rows, columns }) {
  const decoder = new TextDecoder();
  return columns.map((column) => column.type === 'float64'
    ? Array.from(column.values)
    : Array.from({ length: rows }, (_, i) =>
      decoder.decode(column.values.subarray(column.offsets[i], column.offsets[i + 1]))));
}

test('course data parses to exactly what JSON.parse gives', () => {
  const { objects } = generate();
  const parsed = parseNdjson(objects, SCHEMA, ROWS);
  assert.equal(parsed.rows, ROWS);
  assert.deepEqual(decodeColumns(parsed), reference(objects));
});

test('lines off the fast path fall back to JSON.parse', () => {
  const lines = [
    '{"timestamp":"a","device_name":"b","metric":1}',
    '  { "metric" : -0.25 , "device_name" : "d\\"q" , "timestamp" : "t\\u00e9" }  ',
    '{"timestamp":"é€😀","device_name":"x","metric":1e3,"extra":{"nested":[1,2]}}',
    '{"timestamp":"a","device_name":"b","metric":12345678901234567890}',
    '{"timestamp":"a","device_name":"b","metric":0.1,"metric":2}',
    '',
    '{"timestamp":"a","device_name":"tab\\there","metric":-0}',
  ];
  // Split across two objects, the second without a trailing newline.
  const encoder = new TextEncoder();
  const objects = [encoder.encode(lines.slice(0, 3).join('\n') + '\n'), encoder.encode(lines.slice(3).join('\n'))];
  const parsed = parseNdjson(objects, SCHEMA, 2);
  assert.equal(parsed.rows, 6);
  assert.deepEqual(decodeColumns(parsed), reference(objects));
  assert.ok(Object.is(parsed.columns[2].values[5], -0));
});

test('invalid JSON and missing or null columns fail loudly', () => {
  const encoder = new TextEncoder();
  for (const line of ['{"timestamp":"a","device_name":"b","metric":01}', '{"timestamp":"a","device_name":"b"}',
    '{"timestamp":null,"device_name":"b","metric":1}', '{"timestamp":"a","device_name":"b","metric":1.}']) {
    assert.throws(() => parseNdjson([encoder.encode(line)], SCHEMA), undefined, line);
  }
});
