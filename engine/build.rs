//! Embeds the lesson files under `lessons/` at the repository root, so that the engine loads
//! lessons without file I/O (in wasm too): writes `$OUT_DIR/lesson_files.rs`, a sorted list of
//! `(lesson id, file name, include_str!(…))`, read by `src/lessons/mod.rs`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.join("..").join("lessons");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    if root.is_dir() {
        for lesson in sorted_entries(&root) {
            if !lesson.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", lesson.display());
            let id = file_name(&lesson);
            for file in sorted_entries(&lesson) {
                if file.extension().is_some_and(|ext| ext == "toml") {
                    println!("cargo:rerun-if-changed={}", file.display());
                    files.push((id.clone(), file_name(&file), file));
                }
            }
        }
    }
    let mut out = String::from("pub static LESSON_FILES: &[(&str, &str, &str)] = &[\n");
    for (id, name, path) in &files {
        let path = path.canonicalize().expect("lesson file exists");
        writeln!(
            out,
            "    ({id:?}, {name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to a string");
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("lesson_files.rs");
    std::fs::write(dest, out).expect("write lesson_files.rs");
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read lessons directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a named entry")
        .to_string_lossy()
        .into_owned()
}
