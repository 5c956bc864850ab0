#!/usr/bin/env python3
"""The Python half of the cross-tool file check that `cargo xtask test` runs.

    check.py verify DIR   read every file the engine wrote into DIR (`cargo run -p engine
                          --example interop -- write DIR`) with pyarrow and with DuckDB, and check
                          that each holds exactly the rows of DIR/expected.json and that every
                          Parquet column chunk uses the codec the file's name declares
    check.py write DIR    write Parquet files with pyarrow's default writer settings (and one
                          with INT96 timestamps, one with microseconds) and a JSON lines file,
                          plus DIR/pyarrow_expected.json, for `… --example interop -- read DIR`

Rows are compared as JSON text, so `true` never equals `1` and `42` never equals `42.0`:
timestamps as `yyyy-MM-dd HH:mm:ss.SSS`, dates as `yyyy-MM-dd`, NULL as `null`.
"""

import datetime
import gzip
import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("device_name", pa.string()),
        ("metric", pa.float64()),
        ("count", pa.int32()),
        ("ok", pa.bool_()),
        ("timestamp", pa.timestamp("ms")),
        ("day", pa.date32()),
    ]
)
COLUMNS = SCHEMA.names
DUCKDB_COLUMNS = (
    "{'id': 'BIGINT', 'device_name': 'VARCHAR', 'metric': 'DOUBLE', 'count': 'INTEGER', "
    "'ok': 'BOOLEAN', 'timestamp': 'TIMESTAMP', 'day': 'DATE'}"
)
PARQUET_CODECS = {
    "engine_snappy.parquet": "SNAPPY",
    "engine_gzip.parquet": "GZIP",
    "engine_none.parquet": "UNCOMPRESSED",
}


def cell(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def normalized(rows):
    return [[cell(value) for value in row] for row in rows]


def arrow_rows(table):
    columns = [table.column(name).to_pylist() for name in COLUMNS]
    return normalized(zip(*columns))


def duckdb_rows(relation_sql):
    return normalized(duckdb.sql(f"SELECT {', '.join(COLUMNS)} FROM {relation_sql}").fetchall())


def quoted(path):
    return "'" + str(path).replace("'", "''") + "'"


class Checks:
    def __init__(self, expected):
        self.expected = json.dumps(expected)
        self.failures = []

    def rows(self, label, rows):
        if json.dumps(rows) == self.expected:
            print(f"ok   {label}: {len(rows)} rows")
            return
        self.failures.append(label)
        print(f"FAIL {label}: rows differ from expected.json")
        expected = json.loads(self.expected)
        for index in range(max(len(rows), len(expected))):
            got = rows[index] if index < len(rows) else None
            want = expected[index] if index < len(expected) else None
            if json.dumps(got) != json.dumps(want):
                print(f"  row {index}: read     {json.dumps(got, ensure_ascii=False)}")
                print(f"  row {index}: expected {json.dumps(want, ensure_ascii=False)}")

    def equal(self, label, actual, expected):
        if actual == expected:
            print(f"ok   {label}")
        else:
            self.failures.append(label)
            print(f"FAIL {label}: {actual!r} is not {expected!r}")


def verify(directory):
    expected = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    if expected["columns"] != COLUMNS:
        sys.exit(f"expected.json has columns {expected['columns']}, not {COLUMNS}")
    checks = Checks(expected["rows"])

    for name, codec in PARQUET_CODECS.items():
        path = directory / name
        metadata = pq.ParquetFile(path).metadata
        codecs = {
            metadata.row_group(group).column(column).compression
            for group in range(metadata.num_row_groups)
            for column in range(metadata.num_columns)
        }
        checks.equal(f"{name}: pyarrow sees codec", codecs, {codec})
        duckdb_codecs = {
            row[0]
            for row in duckdb.sql(
                f"SELECT DISTINCT compression FROM parquet_metadata({quoted(path)})"
            ).fetchall()
        }
        checks.equal(f"{name}: DuckDB sees codec", duckdb_codecs, {codec})
        table = pq.read_table(path)
        checks.equal(f"{name}: pyarrow schema", table.schema.remove_metadata(), SCHEMA)
        checks.rows(f"{name} via pyarrow", arrow_rows(table))
        checks.rows(f"{name} via DuckDB", duckdb_rows(f"read_parquet({quoted(path)})"))

    # pyarrow's JSON reader converts strings to timestamps but not to dates: read `day` as text
    # and cast it, which parses the same ISO dates.
    day = SCHEMA.get_field_index("day")
    json_schema = SCHEMA.set(day, pa.field("day", pa.string()))
    json_options = pajson.ParseOptions(explicit_schema=json_schema, unexpected_field_behavior="error")
    for name, opener in [("engine.json", open), ("engine.json.gz", gzip.open)]:
        path = directory / name
        with opener(path, "rb") as file:
            table = pajson.read_json(file, parse_options=json_options)
        table = table.set_column(day, "day", table.column("day").cast(pa.date32()))
        checks.rows(f"{name} via pyarrow", arrow_rows(table))
        sql = f"read_json({quoted(path)}, format = 'newline_delimited', columns = {DUCKDB_COLUMNS})"
        checks.rows(f"{name} via DuckDB", duckdb_rows(sql))

    path = directory / "engine.tsv"
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=COLUMNS),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types=SCHEMA,
            null_values=["\\N"],
            strings_can_be_null=True,
            true_values=["true"],
            false_values=["false"],
        ),
    )
    checks.rows("engine.tsv via pyarrow", arrow_rows(table))
    sql = (
        f"read_csv({quoted(path)}, delim = '\\t', quote = '', escape = '', header = false, "
        f"nullstr = '\\N', columns = {DUCKDB_COLUMNS})"
    )
    checks.rows("engine.tsv via DuckDB", duckdb_rows(sql))

    path = directory / "engine_result.csv"
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=SCHEMA,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    checks.rows("engine_result.csv via pyarrow", arrow_rows(table))
    sql = (
        f"read_csv({quoted(path)}, header = true, quote = '\"', escape = '\"', "
        f"allow_quoted_nulls = false, columns = {DUCKDB_COLUMNS})"
    )
    checks.rows("engine_result.csv via DuckDB", duckdb_rows(sql))

    if checks.failures:
        sys.exit(f"{len(checks.failures)} check(s) failed: {', '.join(checks.failures)}")


def pyarrow_dataset():
    """pyarrow's own rows, in another column order, with a mixed-case name and an extra column
    the engine's table does not declare (Athena matches Parquet columns by name)."""
    ms = datetime.timedelta(milliseconds=1)
    rows = [
        (19156, True, 3.25, "pyarrow-1", 10, 7, datetime.datetime(2022, 6, 13, 8, 30, 0) + 250 * ms),
        (None, False, -0.5, "δοκιμή \"q\", x", -20, None, datetime.datetime(1999, 12, 31, 23, 59, 59)),
        (0, None, None, "", 2**40, 2**31 - 1, None),
        (-365, True, 1e-7, None, None, -(2**31), datetime.datetime(1970, 1, 1)),
    ]
    day, ok, metric, name, ident, count, timestamp = (list(column) for column in zip(*rows))
    epoch = datetime.date(1970, 1, 1)
    days = [None if d is None else epoch + datetime.timedelta(days=d) for d in day]
    table = pa.table(
        {
            "day": pa.array(days, pa.date32()),
            "ok": pa.array(ok, pa.bool_()),
            "metric": pa.array(metric, pa.float64()),
            "Device_Name": pa.array(name, pa.string()),
            "id": pa.array(ident, pa.int64()),
            "extra": pa.array(["ignored"] * len(rows), pa.string()),
            "count": pa.array(count, pa.int32()),
            "timestamp": pa.array(timestamp, pa.timestamp("ms")),
        }
    )
    expected = normalized(
        (i, n, m, c, o, t, d) for d, o, m, n, i, c, t in zip(days, ok, metric, name, ident, count, timestamp)
    )
    return table, expected


def write(directory):
    directory.mkdir(parents=True, exist_ok=True)
    table, expected = pyarrow_dataset()
    pq.write_table(table, directory / "pyarrow_snappy.parquet")
    pq.write_table(table, directory / "pyarrow_gzip.parquet", compression="gzip")
    pq.write_table(table, directory / "pyarrow_int96.parquet", use_deprecated_int96_timestamps=True)
    micros = table.set_column(
        table.schema.get_field_index("timestamp"),
        "timestamp",
        table.column("timestamp").cast(pa.timestamp("us")),
    )
    pq.write_table(micros, directory / "pyarrow_micros.parquet")
    with open(directory / "pyarrow_lines.json", "w", encoding="utf-8") as file:
        for row in table.to_pylist():
            # Keys in any case, NULL as null or left out: the OpenX SerDe reads both.
            record = {key.upper() if key == "id" else key: cell(value) for key, value in row.items()}
            record = {key: value for key, value in record.items() if value is not None or key == "ok"}
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
    (directory / "pyarrow_expected.json").write_text(
        json.dumps({"columns": COLUMNS, "rows": expected}, ensure_ascii=False), encoding="utf-8"
    )
    print(f"wrote pyarrow {pa.__version__} files to {directory}")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("verify", "write"):
        sys.exit("usage: check.py verify DIR | check.py write DIR")
    directory = Path(sys.argv[2])
    print(f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}")
    if sys.argv[1] == "verify":
        verify(directory)
    else:
        write(directory)


if __name__ == "__main__":
    main()
