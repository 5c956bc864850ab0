// Baseline B: DuckDB-Wasm, pinned to 1.28 (the project's notes found it the last release that
// works offline). Its wasm links in Parquet but not DuckDB's json extension; see `ctas`.
// Everything is served from the page's own origin: no CDN bundles, no extension downloads.
//
// The JS module (and the apache-arrow 13 it imports) loads with the page, untimed, as for
// baseline A; the worker script is fetched inside `instantiate`, being part of starting DuckDB.
import * as duckdb from '@duckdb/duckdb-wasm';
import { ROWS } from './workload.js';

export const NAME = 'duckdb-wasm-1.28';

const DIST = '/node_modules/@duckdb/duckdb-wasm/dist';
// Local copies of what duckdb.getJsDelivrBundles() would point at on the CDN.
const BUNDLES = {
  mvp: { mainModule: `${DIST}/duckdb-mvp.wasm`, mainWorker: `${DIST}/duckdb-browser-mvp.worker.js` },
  eh: { mainModule: `${DIST}/duckdb-eh.wasm`, mainWorker: `${DIST}/duckdb-browser-eh.worker.js` },
};

const INPUT = 'objects.json';
const TABLE = 'compaction_input';
const OUTPUT = 'out.parquet';
// DuckDB-Wasm's JSON importer takes arrow-js types too, but maps a Float64 by its type id, which
// says only "floating point"; its SQLField form is exact.
const COLUMNS = [
  { name: 'timestamp', sqlType: 'utf8' },
  { name: 'device_name', sqlType: 'utf8' },
  { name: 'metric', sqlType: 'float64' },
];

let db;
let conn;
let bundle;

/** Worker start, wasm fetch + compile, database open and a first connection: ready for SQL. */
export async function instantiate() {
  // Picks the exception-handling build where the browser supports wasm exceptions (Chromium does);
  // the threaded "coi" build is left out, as it needs cross-origin isolation headers.
  bundle = await duckdb.selectBundle(BUNDLES);
  db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker));
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  conn = await db.connect();
}

export async function versions() {
  return {
    duckdb: await db.getVersion(),
    'duckdb-wasm bundle': bundle.mainModule.endsWith('-eh.wasm') ? 'eh' : 'mvp',
  };
}

const query = async (sql) => (await conn.query(sql)).toArray().map((row) => row.toJSON());

/**
 * NDJSON objects → one JSON array document (the only JSON shape DuckDB-Wasm's own importer takes
 * besides column objects). A raw newline cannot occur inside a JSON value, so each line break
 * between records becomes a comma; blank lines are dropped.
 */
function toJsonArray(objects) {
  const out = new Uint8Array(objects.reduce((sum, bytes) => sum + bytes.length, 0) + 2);
  let at = 0;
  out[at++] = 0x5b; // [
  for (const bytes of objects) {
    for (let start = 0; start < bytes.length;) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      let blank = true;
      for (let i = start; i < end && blank; i++) blank = bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d;
      if (!blank) {
        if (at > 1) out[at++] = 0x2c; // ,
        out.set(bytes.subarray(start, end), at);
        at += end - start;
      }
      start = end + 1;
    }
  }
  out[at++] = 0x5d; // ]
  return out.subarray(0, at);
}

/** Untimed, before each ctas: forgets the previous run's input, table and output. */
export async function beforeCtas() {
  await db.dropFiles();
  await conn.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await db.registerEmptyFileBuffer(OUTPUT);
}

/**
 * NDJSON objects → one SNAPPY Parquet file in DuckDB's virtual file system.
 *
 * DuckDB's own read_json() is in its json extension, which DuckDB-Wasm 1.28 does not link in and
 * would download from the extension CDN, so offline this goes through DuckDB-Wasm's built-in JSON
 * importer (RapidJSON → Arrow → table) instead. That importer takes one JSON document per file
 * and 1,000 calls took 6-9 s here against ~1 s for one, so the 1,000 objects become one array
 * document (in JS, timed) rather than 1,000 files. Registering the buffer is timed: it is how the data gets into DuckDB at all.
 * The Parquet file stays in the worker; copying it out is not part of the step.
 */
export async function ctas(objects) {
  await db.registerFileBuffer(INPUT, toJsonArray(objects));
  await conn.insertJSONFromPath(INPUT, { name: TABLE, create: true, columnsFlat: COLUMNS });
  // The importer orders columns by name; select them back into the course's order.
  await conn.query(`COPY (SELECT timestamp, device_name, metric FROM ${TABLE})
    TO '${OUTPUT}' (FORMAT PARQUET, COMPRESSION SNAPPY)`);
  return OUTPUT;
}

/** Untimed: throws unless `file` is SNAPPY Parquet with ROWS rows and the expected column types. */
export async function checkCtas(file) {
  const [{ rows }] = await query(`SELECT count(*)::INTEGER AS rows FROM read_parquet('${file}')`);
  if (rows !== ROWS) throw new Error(`Parquet file has ${rows} rows, expected ${ROWS}`);
  const codecs = (await query(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).map((r) => r.compression);
  if (codecs.join() !== 'SNAPPY') throw new Error(`Parquet column chunks are compressed with ${codecs.join()}`);
  const columns = await query(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  const types = columns.map((c) => `${c.column_name}:${c.column_type}`).join(', ');
  if (types !== 'timestamp:VARCHAR, device_name:VARCHAR, metric:DOUBLE') throw new Error(`Parquet schema is ${types}`);
}

/** SELECT device_name, count(*), avg(metric) FROM <file> GROUP BY device_name. */
export async function groupBy(file) {
  return query(`SELECT device_name, count(*)::INTEGER AS count, avg(metric) AS avg
    FROM read_parquet('${file}') GROUP BY device_name`);
}
