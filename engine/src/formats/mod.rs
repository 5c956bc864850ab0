//! File formats: reading and writing JSON, delimited text and Parquet as Arrow record batches.
