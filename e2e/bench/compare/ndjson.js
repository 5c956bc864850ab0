// A tuned NDJSON → column parser for the arrow-js baseline.
//
// JSON.parse per line costs ~2-3 µs a record here (it builds an object and decodes every string),
// which would make the baseline mostly a JSON.parse benchmark. Instead this walks the UTF-8 bytes
// once and appends straight into Arrow-shaped buffers: string values are copied byte for byte into
// a Utf8 values buffer (never decoded), numbers are parsed in place. Anything the fast path does
// not handle (escapes, nested values, booleans, exponents, long numbers, duplicate keys) sends that
// one line through JSON.parse instead, so for valid UTF-8 input the result is always what
// JSON.parse would give.
//
// The schema is fixed by the caller, like DuckDB's `columns=`: a list of
// { name, type: 'utf8' | 'float64' }. Keys not in it are ignored; a missing key or a null is an
// error, because the baseline only has to carry the non-null course data, and nullable columns
// would cost a validity bitmap.

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c, LBRACE = 0x7b, RBRACE = 0x7d;
const NEWLINE = 0x0a, MINUS = 0x2d, DOT = 0x2e, ZERO = 0x30;
// Inside a line; a newline ends the line, so it is never "space" here.
const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0d;

// Powers of ten that are exact doubles: m / 10^k with m < 2^53 and k <= 22 is correctly rounded
// (Clinger's fast path), so it equals what JSON.parse returns.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const FAIL = -1;

class Utf8Column {
  constructor(rows, bytes) {
    this.offsets = new Int32Array(rows + 1);
    this.values = new Uint8Array(Math.max(bytes, 16));
    this.length = 0;
  }
  reserve(rows, bytes) {
    if (rows + 1 > this.offsets.length) {
      const next = new Int32Array(Math.max(rows + 1, this.offsets.length * 2));
      next.set(this.offsets);
      this.offsets = next;
    }
    if (bytes > this.values.length) {
      const next = new Uint8Array(Math.max(bytes, this.values.length * 2));
      next.set(this.values);
      this.values = next;
    }
  }
  pushBytes(src, start, end, row) {
    const at = this.length;
    this.reserve(row + 1, at + end - start);
    const values = this.values;
    // Values are short (10-25 bytes): a plain loop beats subarray()+set(), which allocates a view.
    for (let i = start, j = at; i < end; i++, j++) values[j] = src[i];
    this.length = at + end - start;
    this.offsets[row + 1] = this.length;
  }
}

class Float64Column {
  constructor(rows) {
    this.values = new Float64Array(Math.max(rows, 16));
  }
  push(value, row) {
    if (row >= this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[row] = value;
  }
}

class Parser {
  constructor(schema, rows, bytes) {
    this.schema = schema;
    this.isUtf8 = schema.map(({ type }) => type === 'utf8');
    // Separate arrays per kind keep every call site below monomorphic.
    this.utf8 = schema.map(({ type }) => (type === 'utf8' ? new Utf8Column(rows, bytes) : null));
    this.float64 = schema.map(({ type }) => (type === 'float64' ? new Float64Column(rows) : null));
    // Keys are matched on their raw bytes, so no key is ever decoded either.
    const encoder = new TextEncoder();
    this.keys = schema.map(({ name }) => encoder.encode(name));
    this.seen = new Uint8Array(schema.length);
    this.marks = new Int32Array(schema.length);
    this.row = 0;
    this.encoder = encoder;
    this.decoder = new TextDecoder();
  }

  keyIndex(src, start, end) {
    const keys = this.keys, length = end - start;
    outer: for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== length) continue;
      for (let i = 0; i < length; i++) if (key[i] !== src[start + i]) continue outer;
      return k;
    }
    return -1;
  }

  /** Parses every line of one object. */
  object(src) {
    const n = src.length;
    let p = 0;
    while (p < n) {
      for (let k = 0; k < this.marks.length; k++) this.marks[k] = this.isUtf8[k] ? this.utf8[k].length : 0;
      const next = this.fastLine(src, p, n);
      if (next !== FAIL) {
        p = next;
        continue;
      }
      // The fast path may have appended some string bytes for this row before giving up.
      for (let k = 0; k < this.marks.length; k++) if (this.isUtf8[k]) this.utf8[k].length = this.marks[k];
      let end = src.indexOf(NEWLINE, p);
      if (end < 0) end = n;
      this.slowLine(src, p, end);
      p = end + 1;
    }
  }

  /** Returns the offset just past the line (and its newline) starting at p, or FAIL. */
  fastLine(src, p, n) {
    const seen = this.seen, row = this.row;
    while (p < n && isSpace(src[p])) p++;
    if (p === n) return n;
    if (src[p] === NEWLINE) return p + 1;
    if (src[p++] !== LBRACE) return FAIL;
    seen.fill(0);
    for (;;) {
      while (p < n && isSpace(src[p])) p++;
      if (src[p] === RBRACE) break;
      if (src[p++] !== QUOTE) return FAIL;
      const keyStart = p;
      for (let b; p < n && (b = src[p]) !== QUOTE; p++) if (b === BACKSLASH || b < 0x20) return FAIL;
      if (p >= n) return FAIL;
      const k = this.keyIndex(src, keyStart, p++);
      if (k >= 0 && seen[k]) return FAIL;
      while (p < n && isSpace(src[p])) p++;
      if (src[p++] !== COLON) return FAIL;
      while (p < n && isSpace(src[p])) p++;
      const c = src[p];
      if (c === QUOTE) {
        const valueStart = ++p;
        for (let b; p < n && (b = src[p]) !== QUOTE; p++) if (b === BACKSLASH || b < 0x20) return FAIL;
        if (p >= n) return FAIL;
        if (k >= 0) {
          if (!this.isUtf8[k]) return FAIL;
          this.utf8[k].pushBytes(src, valueStart, p, row);
          seen[k] = 1;
        }
        p++;
      } else if (c === MINUS || (c >= ZERO && c <= ZERO + 9)) {
        // At most 15 significant digits and no exponent, so the value below is exact.
        const negative = c === MINUS;
        if (negative) p++;
        const intStart = p;
        let mantissa = 0, digits = 0, scale = 0, d;
        while (p < n && (d = src[p] - ZERO) >= 0 && d <= 9) { mantissa = mantissa * 10 + d; digits++; p++; }
        // JSON allows neither "01" nor "1."; leave those to JSON.parse to reject.
        if (digits === 0 || (digits > 1 && src[intStart] === ZERO)) return FAIL;
        if (src[p] === DOT) {
          p++;
          while (p < n && (d = src[p] - ZERO) >= 0 && d <= 9) { mantissa = mantissa * 10 + d; digits++; scale++; p++; }
          if (scale === 0) return FAIL;
        }
        if (digits > 15 || src[p] === 0x65 || src[p] === 0x45) return FAIL;
        if (k >= 0) {
          if (this.isUtf8[k]) return FAIL;
          const value = mantissa / POW10[scale];
          this.float64[k].push(negative ? -value : value, row);
          seen[k] = 1;
        }
      } else {
        return FAIL;
      }
      while (p < n && isSpace(src[p])) p++;
      if (src[p] === COMMA) { p++; continue; }
      if (src[p] === RBRACE) break;
      return FAIL;
    }
    p++;
    while (p < n && isSpace(src[p])) p++;
    if (p < n && src[p++] !== NEWLINE) return FAIL;
    for (let k = 0; k < seen.length; k++) if (!seen[k]) return FAIL;
    this.row = row + 1;
    return p;
  }

  slowLine(src, start, end) {
    const text = this.decoder.decode(src.subarray(start, end));
    if (text.trim() === '') return;
    const record = JSON.parse(text);
    const row = this.row;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new Error(`NDJSON row ${row + 1} is not an object`);
    }
    this.schema.forEach(({ name, type }, k) => {
      const value = record[name];
      if (type === 'utf8' && typeof value === 'string') {
        const bytes = this.encoder.encode(value);
        this.utf8[k].pushBytes(bytes, 0, bytes.length, row);
      } else if (type === 'float64' && typeof value === 'number') {
        this.float64[k].push(value, row);
      } else {
        throw new Error(`NDJSON row ${row + 1}: ${name} is ${JSON.stringify(value)}, not ${type}`);
      }
    });
    this.row = row + 1;
  }

  columns() {
    const rows = this.row;
    return this.schema.map((column, k) => (this.isUtf8[k]
      ? { ...column, offsets: this.utf8[k].offsets.subarray(0, rows + 1), values: this.utf8[k].values.subarray(0, this.utf8[k].length) }
      : { ...column, values: this.float64[k].values.subarray(0, rows) }));
  }
}

/**
 * Parses NDJSON objects (Uint8Arrays) into columns. Returns { rows, columns } where each column is
 * { name, type, offsets, values } (utf8: Int32 offsets + UTF-8 bytes) or { name, type, values }
 * (float64), trimmed to `rows`. `expectedRows` only sizes the first buffers.
 */
export function parseNdjson(objects, schema, expectedRows = 1024) {
  const totalBytes = objects.reduce((sum, bytes) => sum + bytes.length, 0);
  const parser = new Parser(schema, expectedRows, totalBytes >> 2);
  for (const src of objects) parser.object(src);
  return { rows: parser.row, columns: parser.columns() };
}
