//! A static file server over a directory (`dist/` or the bench site), for people and for the
//! browser tests. Local use only: it binds 127.0.0.1. It sends the gzipped copies `dist` writes
//! to browsers that accept gzip. Each request is answered on its own thread, as a browser loads
//! the page's module, its wasm and the service worker at once and a slow response must not hold
//! up the others.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};

use tiny_http::{Header, Request, Response, Server};

use crate::dist;
use crate::util::{self, Result};

/// `cargo xtask serve`: builds `dist/`, then serves it until interrupted.
pub fn run(port: u16) -> Result {
    dist::run(false, false)?;
    let (port, server) = spawn(util::root().join("dist"), port)?;
    println!("Serving dist/ at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    server
        .join()
        .map_err(|_| "the server thread panicked".to_string())
}

/// Serves `root` on 127.0.0.1:`port` from a background thread; port 0 picks a free port.
/// Returns the port actually bound.
pub fn spawn(root: PathBuf, port: u16) -> Result<(u16, JoinHandle<()>)> {
    let server = Server::http(("127.0.0.1", port))
        .map_err(|err| format!("binding 127.0.0.1:{port} failed: {err}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .map_or(port, |addr| addr.port());
    let handle = thread::spawn(move || {
        for request in server.incoming_requests() {
            let root = root.clone();
            thread::spawn(move || respond(&root, request));
        }
    });
    Ok((port, handle))
}

fn respond(root: &Path, request: Request) {
    let accepts_gzip = request.headers().iter().any(|field| {
        field.field.equiv("Accept-Encoding")
            && field
                .value
                .as_str()
                .split(',')
                .map(|coding| coding.split(';').map(str::trim).collect::<Vec<_>>())
                .any(|coding| coding[0] == "gzip" && !coding[1..].contains(&"q=0"))
    });
    // A client that hung up mid-response is its own problem, not the server's.
    let _ = match resolve(root, request.url()) {
        Err(status) => request.respond(Response::empty(status)),
        Ok(path) => {
            // `cargo xtask dist` writes gzipped copies of the big files; send one when the
            // browser takes gzip, as a static host would.
            let gzipped = dist::precompressed_copy(&path);
            let (served, encoding) = if accepts_gzip && gzipped.is_file() {
                (gzipped, Some("gzip"))
            } else {
                (path.clone(), None)
            };
            match File::open(&served) {
                Err(_) => request.respond(Response::empty(404)),
                Ok(file) => {
                    // Never chunk: a Content-Length lets the browser size the wasm download.
                    let mut response = Response::from_file(file)
                        .with_chunked_threshold(usize::MAX)
                        .with_header(header("Content-Type", mime(&path)))
                        .with_header(header("Cache-Control", "no-cache"))
                        .with_header(header("Vary", "Accept-Encoding"));
                    if let Some(encoding) = encoding {
                        response = response.with_header(header("Content-Encoding", encoding));
                    }
                    request.respond(response)
                }
            }
        }
    };
}

/// Maps a request URL to a file under `root`: query dropped, directories to their
/// `index.html`, and any `..` segment refused so nothing outside `root` is reachable.
fn resolve(root: &Path, url: &str) -> std::result::Result<PathBuf, u16> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut file = root.to_path_buf();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        if segment == ".." || segment.contains('\\') {
            return Err(403);
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    if file.is_file() { Ok(file) } else { Err(404) }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name, value).expect("header names and values are ASCII")
}

/// The Content-Type for a file; browsers insist on `application/wasm` for streaming
/// compilation and on a JavaScript type for ES modules.
fn mime(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_files_and_refuses_to_leave_the_root() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            resolve(root, "/src/main.rs?v=1"),
            Ok(root.join("src/main.rs"))
        );
        assert_eq!(resolve(root, "/../Cargo.toml"), Err(403));
        assert_eq!(resolve(root, "/src/nope.rs"), Err(404));
        // A directory without an index.html is not found, rather than listed.
        assert_eq!(resolve(root, "/src/"), Err(404));
    }

    #[test]
    fn wasm_and_modules_get_the_types_browsers_require() {
        assert_eq!(
            mime(Path::new("pkg/playground_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(mime(Path::new("pkg/playground.js")), "text/javascript");
        assert_eq!(mime(Path::new("LICENSE")), "application/octet-stream");
    }

    /// A directory named `name` under the temp dir holding `files`, served on a free port.
    fn serve_files(name: &str, files: &[(&str, &[u8])]) -> (PathBuf, u16) {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        for (file, bytes) in files {
            std::fs::write(root.join(file), bytes).unwrap();
        }
        let (port, _server) = spawn(root.clone(), 0).unwrap();
        (root, port)
    }

    /// `GET path` with `headers` (each ending in CRLF) on a new connection: the whole answer.
    fn get(port: u16, path: &str, headers: &str) -> std::io::Result<String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20)))?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes())?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    #[test]
    fn a_client_that_stops_reading_does_not_hold_up_the_next_one() {
        use std::io::Write;

        // Far more than the sockets' buffers hold, so answering it blocks until it is read.
        let big = vec![0u8; 64 << 20];
        let (root, port) = serve_files(
            "serve",
            &[("big.wasm", &big), ("index.html", b"<!doctype html>")],
        );

        let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stalled
            .write_all(b"GET /big.wasm HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));

        let read = get(port, "/", "");
        drop(stalled);
        std::fs::remove_dir_all(&root).unwrap();
        let answer = read.expect("the second request was answered while the first one stalled");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("<!doctype html>"), "{answer}");
    }

    #[test]
    fn a_gzipped_copy_goes_only_to_clients_that_accept_gzip() {
        let (root, port) = serve_files(
            "gzip",
            &[
                ("app.wasm", b"raw bytes"),
                ("app.wasm.gz", b"gzipped bytes"),
                ("style.css", b"body {}"),
            ],
        );
        let get = |path: &str, headers: &str| get(port, path, headers).unwrap();

        let gzipped = get("/app.wasm", "Accept-Encoding: deflate, gzip;q=0.8, br\r\n");
        let plain = get("/app.wasm", "");
        let refused = get("/app.wasm", "Accept-Encoding: br, gzip;q=0\r\n");
        let no_copy = get("/style.css", "Accept-Encoding: gzip\r\n");
        std::fs::remove_dir_all(&root).unwrap();

        assert!(gzipped.contains("Content-Encoding: gzip"), "{gzipped}");
        assert!(
            gzipped.contains("Content-Type: application/wasm"),
            "{gzipped}"
        );
        assert!(gzipped.ends_with("gzipped bytes"), "{gzipped}");
        assert!(!plain.contains("Content-Encoding"), "{plain}");
        assert!(plain.ends_with("raw bytes"), "{plain}");
        assert!(refused.ends_with("raw bytes"), "{refused}");
        assert!(!no_copy.contains("Content-Encoding"), "{no_copy}");
        assert!(no_copy.ends_with("body {}"), "{no_copy}");
    }
}
