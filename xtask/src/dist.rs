//! `cargo xtask dist`: the static site in `dist/` (public files plus the wasm-bindgen output)
//! and its size table.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use wasm_bindgen_cli_support::Bindgen;

use crate::util::{self, Result, WASM_TARGET};

/// The file stem of the generated JavaScript and wasm under `dist/pkg/`.
const OUT_NAME: &str = "playground";

/// Builds `dist/` and prints its sizes, as a table or as JSON lines.
pub fn run(json: bool) -> Result {
    let dist = build()?;
    let sizes = sizes(&dist)?;
    if json {
        print_json(&sizes)
    } else {
        print_table(&sizes)
    }
    Ok(())
}

/// Builds the app for wasm and lays out `dist/`; returns its path.
pub fn build() -> Result<PathBuf> {
    util::ensure_wasm_target()?;
    let build = format!("build -p app --lib --release --target {WASM_TARGET}");
    util::run(&mut util::cargo(&build))?;
    let root = util::root();
    let dist = root.join("dist");
    util::remove_dir(&dist)?;
    util::copy_dir(&root.join("public"), &dist)?;
    bindgen(&dist.join("pkg"))?;
    Ok(dist)
}

/// Generates the ES-module glue (`playground.js`, `.d.ts`) and `playground_bg.wasm`.
fn bindgen(out_dir: &Path) -> Result {
    let wasm = util::target_dir()
        .join(WASM_TARGET)
        .join("release/app.wasm");
    eprintln!(
        "==> wasm-bindgen {} -> {}",
        wasm.display(),
        out_dir.display()
    );
    Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|err| format!("wasm-bindgen failed: {err:#}"))?
        .out_name(OUT_NAME)
        .typescript(true)
        // The library, unlike the CLI, defaults to an `init()` that must be told where the
        // wasm is; keep the CLI's default of fetching `playground_bg.wasm` beside the JS.
        .omit_default_module_path(false)
        // Function names are 2 MB of the module and only help a debugger; panics still print
        // their message through console_error_panic_hook.
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(out_dir)
        .map_err(|err| format!("wasm-bindgen failed: {err:#}"))
}

/// One file's size as served: raw and under each compression a web host may apply.
struct Size {
    file: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// Sizes of every file under `dir`, sorted by path.
fn sizes(dir: &Path) -> Result<Vec<Size>> {
    let mut sizes = Vec::new();
    for file in util::files_under(dir)? {
        let path = dir.join(&file);
        let bytes =
            fs::read(&path).map_err(|err| format!("reading {} failed: {err}", path.display()))?;
        sizes.push(Size {
            file: file.to_string_lossy().replace('\\', "/"),
            raw: bytes.len() as u64,
            gzip: gzip_len(&bytes),
            brotli: brotli_len(&bytes),
        });
    }
    Ok(sizes)
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder
        .finish()
        .expect("writing to a Vec cannot fail")
        .len() as u64
}

/// Quality 11 with a 4 MiB window: what hosts use for precompressed static assets.
fn brotli_len(bytes: &[u8]) -> u64 {
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.into_inner().len() as u64
}

fn print_json(sizes: &[Size]) {
    for size in sizes {
        let line = serde_json::json!({
            "file": size.file, "raw": size.raw, "gzip": size.gzip, "brotli": size.brotli,
        });
        println!("{line}");
    }
}

fn print_table(sizes: &[Size]) {
    let width = sizes
        .iter()
        .map(|size| size.file.len())
        .max()
        .unwrap_or(0)
        .max("total".len());
    println!(
        "{:width$}  {:>24}  {:>24}  {:>24}",
        "file", "raw", "gzip", "brotli"
    );
    for size in sizes {
        print_row(&size.file, size.raw, size.gzip, size.brotli, width);
    }
    let total = |field: fn(&Size) -> u64| sizes.iter().map(field).sum::<u64>();
    print_row(
        "total",
        total(|s| s.raw),
        total(|s| s.gzip),
        total(|s| s.brotli),
        width,
    );
}

fn print_row(file: &str, raw: u64, gzip: u64, brotli: u64, width: usize) {
    println!(
        "{file:width$}  {:>24}  {:>24}  {:>24}",
        human(raw),
        human(gzip),
        human(brotli)
    );
}

/// `12.3 KiB (12,595 B)`: readable at a glance, exact for diffs.
fn human(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{:.1} KiB ({grouped} B)", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_kib_with_exact_bytes() {
        assert_eq!(human(0), "0.0 KiB (0 B)");
        assert_eq!(human(999), "1.0 KiB (999 B)");
        assert_eq!(human(12_595), "12.3 KiB (12,595 B)");
        assert_eq!(human(1_234_567), "1205.6 KiB (1,234,567 B)");
    }
}
