//! `cargo xtask dist`: the static site in `dist/` (public files plus the wasm-bindgen output,
//! and the service worker's list of files to cache for offline use) and its size table;
//! `--single-file` also writes `dist/playground-offline.html`, the whole app in one HTML file
//! that runs from `file://`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use wasm_bindgen_cli_support::Bindgen;

use crate::util::{self, Result, WASM_TARGET};

/// The file stem of the generated JavaScript and wasm under `dist/pkg/`.
const OUT_NAME: &str = "playground";
/// The one-file app `--single-file` writes into `dist/`.
pub const SINGLE_FILE: &str = "playground-offline.html";
/// The service worker, whose file list and version `dist` fills in.
const SERVICE_WORKER: &str = "sw.js";

/// Builds `dist/` (and the single-file app when asked) and prints its sizes, as a table or as
/// JSON lines.
pub fn run(json: bool, single_file: bool) -> Result {
    let dist = build()?;
    if single_file {
        write_single_file(&dist)?;
    }
    // The single file repeats the site inlined, and compressing its 20 MB at brotli's best
    // takes minutes: it is left out of the table, and not compressed at all.
    let sizes = sizes(&dist, SINGLE_FILE)?;
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
    write_service_worker(&dist)?;
    write_precompressed(&dist)?;
    Ok(dist)
}

/// The big files a second time, gzipped, as `<file>.gz` beside them: `cargo xtask serve` (and a
/// host such as nginx with `gzip_static`) sends these to browsers that accept gzip, so a learner
/// downloads about a quarter of the bytes. They are not part of the app's file list.
fn write_precompressed(dist: &Path) -> Result {
    for file in [
        format!("pkg/{OUT_NAME}_bg.wasm"),
        format!("pkg/{OUT_NAME}.js"),
    ] {
        let path = dist.join(&file);
        write(&precompressed_copy(&path), &gzip(&read(&path)?))?;
    }
    Ok(())
}

/// Where the gzipped copy of `path` goes: `x.wasm.gz` for `x.wasm`.
pub fn precompressed_copy(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(PRECOMPRESSED);
    name.into()
}

/// The extension of a precompressed copy.
pub const PRECOMPRESSED: &str = "gz";

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|err| format!("reading {} failed: {err}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    fs::write(path, bytes).map_err(|err| format!("writing {} failed: {err}", path.display()))
}

/// Fills in `sw.js`: every file the app needs offline, and a version that is the SHA-256 of
/// their contents, so a new build replaces the cache and an unchanged one keeps it.
fn write_service_worker(dist: &Path) -> Result {
    use sha2::{Digest, Sha256};
    let mut files = vec!["./".to_string()];
    let mut hasher = Sha256::new();
    for file in util::files_under(dist)? {
        let name = file.to_string_lossy().replace('\\', "/");
        if name == SERVICE_WORKER || name == SINGLE_FILE || name.ends_with(".d.ts") {
            continue;
        }
        hasher.update(name.as_bytes());
        hasher.update(read(&dist.join(&file))?);
        files.push(name);
    }
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let path = dist.join(SERVICE_WORKER);
    let template = String::from_utf8(read(&path)?).map_err(|_| "sw.js is not UTF-8")?;
    let filled = template
        .replace(
            "'__VERSION__'",
            &serde_json::to_string(&version).expect("a string"),
        )
        .replace(
            "__FILES__",
            &serde_json::to_string(&files).expect("strings"),
        );
    if filled == template {
        return Err("public/sw.js has lost its __VERSION__ and __FILES__ placeholders".into());
    }
    write(&path, filled.as_bytes())
}

/// `dist/playground-offline.html`: `index.html` with the stylesheet, the icon, the JavaScript
/// glue and the wasm inlined (the last two as `data:` URLs), for a workshop machine with no
/// server: it opens from `file://`.
fn write_single_file(dist: &Path) -> Result {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let text = |file: &str| {
        String::from_utf8(read(&dist.join(file))?).map_err(|_| format!("{file} is not UTF-8"))
    };
    let index = text("index.html")?;
    let replace = |html: String, from: &str, to: &str| -> Result<String> {
        if !html.contains(from) {
            return Err(format!(
                "index.html no longer has `{from}`: update write_single_file"
            ));
        }
        Ok(html.replace(from, to))
    };
    let css = text("style.css")?;
    let glue = read(&dist.join(format!("pkg/{OUT_NAME}.js")))?;
    let wasm = read(&dist.join(format!("pkg/{OUT_NAME}_bg.wasm")))?;
    let icon = read(&dist.join("favicon.svg"))?;
    let mut html = replace(
        index,
        r#"<link rel="stylesheet" href="style.css">"#,
        &format!("<style>\n{css}</style>"),
    )?;
    html = replace(
        html,
        r#"href="favicon.svg""#,
        &format!(r#"href="data:image/svg+xml;base64,{}""#, b64(&icon)),
    )?;
    html = replace(
        html,
        r#"<link rel="modulepreload" href="pkg/playground.js">"#,
        "",
    )?;
    html = replace(
        html,
        "const { default: init, mountApp } = await import('./pkg/playground.js');\n      await init();",
        &format!(
            "const {{ default: init, mountApp }} = await import('data:text/javascript;base64,{}');\n      \
             const wasm = await (await fetch('data:application/wasm;base64,{}')).arrayBuffer();\n      \
             await init({{ module_or_path: wasm }});",
            b64(&glue),
            b64(&wasm)
        ),
    )?;
    eprintln!("==> {SINGLE_FILE}: {}", human(html.len() as u64));
    write(&dist.join(SINGLE_FILE), html.as_bytes())
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

/// Sizes of every file under `dir` but `skip`, sorted by path.
fn sizes(dir: &Path, skip: &str) -> Result<Vec<Size>> {
    let mut sizes = Vec::new();
    for file in util::files_under(dir)? {
        let gzipped = file.extension().is_some_and(|ext| ext == PRECOMPRESSED);
        if file.to_string_lossy() == skip || gzipped {
            continue;
        }
        let path = dir.join(&file);
        let bytes = read(&path)?;
        // The files `write_precompressed` gzipped already: their copy's length is the gzip size.
        let gzip = match fs::metadata(precompressed_copy(&path)) {
            Ok(copy) => copy.len(),
            Err(_) => gzip(&bytes).len() as u64,
        };
        sizes.push(Size {
            file: file.to_string_lossy().replace('\\', "/"),
            raw: bytes.len() as u64,
            gzip,
            brotli: brotli_len(&bytes),
        });
    }
    Ok(sizes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
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
