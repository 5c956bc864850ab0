//! Local files as the shell sees them (`./events.json`, `file://policy.json`): real files in the
//! native CLI, an in-memory home folder in the browser. The engine only sees this trait.

use std::collections::BTreeMap;

pub trait HostFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), String>;
    /// Deletes a file if it exists (undo of an upload).
    fn remove(&mut self, path: &str);
    /// Every file, sorted by path.
    fn list(&self) -> Vec<String>;
}

/// `file://x`, `./x` and `~/x` all name `x` in the home folder.
pub fn normalize_path(path: &str) -> String {
    let path = path.strip_prefix("file://").unwrap_or(path);
    let path = path.strip_prefix("~/").unwrap_or(path);
    let mut path = path;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path.to_string()
}

/// The browser's home folder: uploads land here and downloads come from here.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl HostFiles for MemoryFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let key = normalize_path(path);
        self.files
            .get(&key)
            .cloned()
            .ok_or_else(|| format!("{path}: No such file or directory"))
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let key = normalize_path(path);
        if key.is_empty() || key.ends_with('/') {
            return Err(format!("{path}: Is a directory"));
        }
        self.files.insert(key, bytes.to_vec());
        Ok(())
    }

    fn remove(&mut self, path: &str) {
        self.files.remove(&normalize_path(path));
    }

    fn list(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
}

/// For scheduled commands, which run without a person at a keyboard and so without local files.
pub struct NoFiles;

impl HostFiles for NoFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!(
            "{path}: local files cannot be read by a scheduled command"
        ))
    }

    fn write(&mut self, path: &str, _bytes: &[u8]) -> Result<(), String> {
        Err(format!(
            "{path}: local files cannot be written by a scheduled command"
        ))
    }

    fn remove(&mut self, _path: &str) {}

    fn list(&self) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_spellings_name_the_same_file() {
        let mut files = MemoryFiles::default();
        files.write("file://policy.json", b"{}").unwrap();
        assert_eq!(files.read("./policy.json").unwrap(), b"{}");
        assert_eq!(files.read("~/policy.json").unwrap(), b"{}");
        assert_eq!(files.list(), ["policy.json"]);
    }

    #[test]
    fn missing_files_and_directories_are_errors() {
        let mut files = MemoryFiles::default();
        assert_eq!(
            files.read("nope.txt").unwrap_err(),
            "nope.txt: No such file or directory"
        );
        assert!(files.write("dir/", b"x").is_err());
        assert!(files.list().is_empty());
    }
}
