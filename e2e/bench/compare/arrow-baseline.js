// Baseline A: hand-tuned JavaScript on apache-arrow, with parquet-wasm (arrow-rs's Parquet code
// compiled to wasm) for the Parquet encoding and decoding that plain JS has no fast library for.
//
// The JS modules load with the page, untimed: unbundled, apache-arrow alone is ~150 files, and
// timing their download would measure the static server rather than the library.
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { parseNdjson } from './ndjson.js';
import { ROWS } from './workload.js';

export const NAME = 'arrow-js+parquet-wasm';

const SCHEMA = [
  { name: 'timestamp', type: 'utf8' },
  { name: 'device_name', type: 'utf8' },
  { name: 'metric', type: 'float64' },
];

/** Fetches, compiles and initialises parquet-wasm (arrow-js is plain JS: nothing to set up). */
export async function instantiate() {
  // No argument: the ESM build fetches parquet_wasm_bg.wasm next to itself (streaming compile).
  await parquet.default();
}

// Package versions are read by the driver; nothing else to report at run time.
export const versions = async () => ({});

/** NDJSON objects → one SNAPPY Parquet file (a Uint8Array). */
export function ctas(objects) {
  const { rows, columns } = parseNdjson(objects, SCHEMA, ROWS);
  // Building the Arrow Data from our buffers directly skips arrow-js's builders, which would
  // re-encode every string.
  const vectors = {};
  for (const column of columns) {
    const data = column.type === 'utf8'
      ? arrow.makeData({ type: new arrow.Utf8(), length: rows, nullCount: 0, valueOffsets: column.offsets, data: column.values })
      : arrow.makeData({ type: new arrow.Float64(), length: rows, nullCount: 0, data: column.values });
    vectors[column.name] = arrow.makeVector(data);
  }
  const ipc = arrow.tableToIPC(new arrow.Table(vectors), 'stream');
  const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(ipc), properties);
}

/** Untimed: throws unless `file` is SNAPPY Parquet with ROWS rows and the expected column types. */
export async function checkCtas(file) {
  const metadata = (await parquet.ParquetFile.fromFile(new Blob([file]))).metadata();
  const rows = metadata.fileMetadata().numRows();
  if (rows !== ROWS) throw new Error(`Parquet file has ${rows} rows, expected ${ROWS}`);
  for (const rowGroup of metadata.rowGroups()) {
    for (const column of rowGroup.columns()) {
      if (column.compression() !== parquet.Compression.SNAPPY) {
        throw new Error(`column chunk compressed with ${parquet.Compression[column.compression()]}, not SNAPPY`);
      }
    }
  }
  const table = arrow.tableFromIPC(parquet.readParquet(file).intoIPCStream());
  const types = table.schema.fields.map((field) => `${field.name}:${field.type}`).join(', ');
  if (types !== 'timestamp:Utf8, device_name:Utf8, metric:Float64') throw new Error(`Parquet schema is ${types}`);
  if (table.numRows !== ROWS) throw new Error(`Parquet file reads back as ${table.numRows} rows`);
}

// FNV-1a over a byte range: device names are grouped on their UTF-8 bytes, and only the 50 group
// keys are ever decoded to strings.
function hashBytes(bytes, start, end) {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

function sameBytes(bytes, start, end, key) {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== bytes[start + i]) return false;
  return true;
}

/** SELECT device_name, count(*), avg(metric) FROM <file> GROUP BY device_name. */
export function groupBy(file) {
  // Only the two columns the query needs, as a query engine's projection pushdown would; and big
  // batches, since at the default 1,024 rows the per-batch cost made reading ~4x slower here.
  const wasmTable = parquet.readParquet(file, { columns: ['device_name', 'metric'], batchSize: 65536 });
  const table = arrow.tableFromIPC(wasmTable.intoIPCStream());
  const byHash = new Map(); // hash → group; colliding groups chain through `next`
  const groups = [];
  for (const batch of table.batches) {
    const names = batch.getChild('device_name').data[0];
    const metrics = batch.getChild('metric').data[0];
    if (names.nullCount !== 0 || metrics.nullCount !== 0) throw new Error('nulls are not expected in this data');
    const offsets = names.valueOffsets, bytes = names.values, values = metrics.values;
    for (let i = 0; i < batch.numRows; i++) {
      const start = offsets[names.offset + i], end = offsets[names.offset + i + 1];
      const hash = hashBytes(bytes, start, end);
      let group = byHash.get(hash);
      while (group !== undefined && !sameBytes(bytes, start, end, group.key)) group = group.next;
      if (group === undefined) {
        group = { key: bytes.slice(start, end), count: 0, sum: 0, next: byHash.get(hash) };
        byHash.set(hash, group);
        groups.push(group);
      }
      group.count += 1;
      group.sum += values[metrics.offset + i];
    }
  }
  const decoder = new TextDecoder();
  return groups.map(({ key, count, sum }) => ({ device_name: decoder.decode(key), count, avg: sum / count }));
}
