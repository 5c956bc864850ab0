//! `aws s3 …`: the CLI's high-level file commands (`ls`, `cp`, `mv`, `rm`, `mb`, `rb`) over the
//! S3 service, printing what the real CLI prints (`upload: ./a.json to s3://b/a.json`, the
//! `ls` columns) and failing the way it fails.

use super::s3api::check_location;
use super::usage_error;
use crate::services::s3::{ListObjectsRequest, ObjectRef, PutObject, S3Error, StorageClass};
use crate::shell::args::Flags;
use crate::shell::{CommandError, Ctx, Reply, normalize_path};
use crate::sim::Millis;

pub const COMMANDS: &[&str] = &["ls", "cp", "mv", "rm", "mb", "rb"];

/// A path argument: an S3 location, a local file, or standard input/output.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Location {
    S3 { bucket: String, key: String },
    Local(String),
    Stdio,
}

impl Location {
    fn parse(text: &str) -> Location {
        match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                Location::S3 {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                }
            }
            None if text == "-" => Location::Stdio,
            None => Location::Local(text.to_string()),
        }
    }
}

fn s3_url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// What the CLI prints for an API error inside a high-level command.
fn api_text(err: S3Error, api_name: &str) -> String {
    format!(
        "An error occurred ({}) when calling the {api_name} operation: {}",
        err.code(),
        err.message()
    )
}

fn failed(text: String) -> CommandError {
    CommandError::Rendered(format!("{text}\n"))
}

pub fn run(
    ctx: &mut Ctx,
    command: Option<&str>,
    rest: &[&str],
    region: &str,
    stdin: Option<String>,
) -> Result<Reply, CommandError> {
    let Some(command) = command else {
        return Err(usage_error(
            "the following arguments are required: subcommand",
        ));
    };
    let words: Vec<String> = rest.iter().map(|w| w.to_string()).collect();
    let flags = |valued: &[&str], switches: &[&str]| {
        Flags::parse(&words, valued, switches).map_err(|message| {
            let option = message.split('`').nth(1).unwrap_or(&message).to_string();
            CommandError::Rendered(format!("\n{}\nUnknown options: {option}\n", super::USAGE))
        })
    };
    match command {
        "ls" => ls(
            ctx,
            &flags(
                &["page-size"],
                &["recursive", "human-readable", "summarize"],
            )?,
        ),
        "cp" | "mv" => transfer(
            ctx,
            command,
            &flags(&["storage-class", "content-type"], &["recursive"])?,
            stdin,
        ),
        "rm" => rm(ctx, &flags(&[], &["recursive"])?),
        "mb" => mb(ctx, &flags(&[], &[])?, region),
        "rb" => rb(ctx, &flags(&[], &["force"])?),
        "help" => Ok(Reply::text(format!(
            "aws s3 commands simulated here: {}\n",
            COMMANDS.join(", ")
        ))),
        _ => Err(super::invalid_choice("subcommand", COMMANDS)),
    }
}

/// The one path a bucket command takes, which must be `s3://bucket`.
fn bucket_arg(flags: &Flags, command: &str) -> Result<String, CommandError> {
    match flags.positionals.as_slice() {
        [path] => match Location::parse(path) {
            Location::S3 { bucket, .. } if !bucket.is_empty() => Ok(bucket),
            _ => Err(failed(format!(
                "\n<S3Uri>: {path} is not an S3 URI (write s3://bucket)"
            ))),
        },
        [] => Err(usage_error("the following arguments are required: path")),
        [_, extra, ..] => Err(failed(format!(
            "\n{}\nUnknown options: {extra}",
            super::USAGE
        ))),
    }
    .map_err(|err| match err {
        CommandError::Rendered(text) if text.contains("not an S3 URI") => {
            failed(format!("{command} failed: {}", text.trim()))
        }
        other => other,
    })
}

fn mb(ctx: &mut Ctx, flags: &Flags, region: &str) -> Result<Reply, CommandError> {
    let bucket = bucket_arg(flags, "make_bucket")?;
    // `aws s3 mb` sends the LocationConstraint the region needs, so it never hits that error.
    let constraint = (region != super::DEFAULT_REGION).then_some(region);
    let region = check_location(region, constraint)
        .map_err(|_| failed(format!("make_bucket failed: s3://{bucket}")))?;
    let (services, mut env) = ctx.world.split();
    match services.s3.create_bucket(&mut env, &bucket, &region) {
        Ok(()) => Ok(Reply::text(format!("make_bucket: {bucket}\n"))),
        Err(err) => {
            let hint = err
                .hint()
                .map(|h| format!("\nhint: {h}"))
                .unwrap_or_default();
            Err(failed(format!(
                "make_bucket failed: s3://{bucket} {}{hint}",
                api_text(err, "CreateBucket")
            )))
        }
    }
}

fn rb(ctx: &mut Ctx, flags: &Flags) -> Result<Reply, CommandError> {
    let bucket = bucket_arg(flags, "remove_bucket")?;
    let mut out = String::new();
    if flags.switch("force") {
        out = delete_under(ctx, &bucket, "")?;
    }
    let (services, mut env) = ctx.world.split();
    match services.s3.delete_bucket(&mut env, &bucket) {
        Ok(()) => Ok(Reply::text(format!("{out}remove_bucket: {bucket}\n"))),
        Err(err) => Err(failed(format!(
            "{out}remove_bucket failed: s3://{bucket} {}",
            api_text(err, "DeleteBucket")
        ))),
    }
}

/// Every current key under `prefix`, in order.
fn keys_under(ctx: &Ctx, bucket: &str, prefix: &str) -> Result<Vec<String>, S3Error> {
    let bucket = ctx.world.services().s3.bucket(bucket)?;
    Ok(bucket
        .current_objects()
        .map(|(key, _)| key.clone())
        .filter(|key| key.starts_with(prefix))
        .collect())
}

fn delete_under(ctx: &mut Ctx, bucket: &str, prefix: &str) -> Result<String, CommandError> {
    let keys = keys_under(ctx, bucket, prefix)
        .map_err(|err| failed(format!("fatal error: {}", api_text(err, "ListObjectsV2"))))?;
    let mut out = String::new();
    for key in keys {
        let (services, mut env) = ctx.world.split();
        services
            .s3
            .delete_object(&mut env, bucket, &key, None)
            .map_err(|err| {
                failed(format!(
                    "{out}delete failed: {} {}",
                    s3_url(bucket, &key),
                    api_text(err, "DeleteObject")
                ))
            })?;
        out.push_str(&format!("delete: {}\n", s3_url(bucket, &key)));
    }
    Ok(out)
}

fn rm(ctx: &mut Ctx, flags: &Flags) -> Result<Reply, CommandError> {
    let [path] = flags.positionals.as_slice() else {
        return Err(usage_error("the following arguments are required: paths"));
    };
    let Location::S3 { bucket, key } = Location::parse(path) else {
        return Err(failed(format!("\n<S3Uri>: {path} is not an S3 URI")));
    };
    if flags.switch("recursive") {
        return delete_under(ctx, &bucket, &key).map(Reply::text);
    }
    let (services, mut env) = ctx.world.split();
    match services.s3.delete_object(&mut env, &bucket, &key, None) {
        Ok(_) => Ok(Reply::text(format!("delete: {}\n", s3_url(&bucket, &key)))),
        Err(err) => Err(failed(format!(
            "delete failed: {} {}",
            s3_url(&bucket, &key),
            api_text(err, "DeleteObject")
        ))),
    }
}

fn ls_time(ms: Millis) -> String {
    let time = chrono::DateTime::from_timestamp_millis(ms).expect("clock instants are valid");
    time.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `--human-readable` sizes: `1.2 KiB`, as the CLI prints them.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["Bytes", "KiB", "MiB", "GiB", "TiB"];
    if bytes == 1 {
        return "1 Byte".into();
    }
    if bytes < 1024 {
        return format!("{bytes} Bytes");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn ls(ctx: &mut Ctx, flags: &Flags) -> Result<Reply, CommandError> {
    let human = flags.switch("human-readable");
    let Some(path) = flags.positionals.first() else {
        let lines: String = ctx
            .world
            .services()
            .s3
            .buckets()
            .map(|b| format!("{} {}\n", ls_time(b.created_ms), b.name))
            .collect();
        return Ok(Reply::text(lines));
    };
    let Location::S3 { bucket, key } = Location::parse(path) else {
        return Err(failed(format!("\n<S3Uri>: {path} is not an S3 URI")));
    };
    let recursive = flags.switch("recursive");
    let request = ListObjectsRequest {
        prefix: key,
        delimiter: (!recursive).then(|| "/".to_string()),
        ..Default::default()
    };
    let bucket_state = ctx
        .world
        .services()
        .s3
        .bucket(&bucket)
        .map_err(|err| failed(format!("\n{}", api_text(err, "ListObjectsV2"))))?;
    let mut out = String::new();
    let (mut total_objects, mut total_size) = (0u64, 0u64);
    let mut page_request = request.clone();
    loop {
        let page = bucket_state
            .list(&page_request)
            .map_err(|err| failed(api_text(err, "ListObjectsV2")))?;
        for prefix in &page.common_prefixes {
            let name = prefix
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            out.push_str(&format!("{:>30} {name}/\n", "PRE"));
        }
        for object in &page.contents {
            let name = if recursive {
                object.key.as_str()
            } else {
                object.key.rsplit('/').next().unwrap_or_default()
            };
            let size = if human {
                human_size(object.size)
            } else {
                object.size.to_string()
            };
            out.push_str(&format!(
                "{} {size:>10} {name}\n",
                ls_time(object.last_modified_ms)
            ));
            total_objects += 1;
            total_size += object.size;
        }
        match page.next_continuation_token {
            Some(token) => page_request.continuation_token = Some(token),
            None => break,
        }
    }
    if flags.switch("summarize") {
        let size = if human {
            human_size(total_size)
        } else {
            total_size.to_string()
        };
        out.push_str(&format!(
            "\nTotal Objects: {total_objects}\n   Total Size: {size}\n"
        ));
    }
    if out.is_empty() {
        // The CLI prints nothing and exits 1 when a listing finds nothing; the hint says why.
        return Err(failed(format!(
            "hint: nothing under {path} (the CLI prints nothing and exits with status 1)"
        )));
    }
    Ok(Reply::text(out))
}

/// The CLI's guess at a content type from the file extension (Python's `mimetypes`).
fn guess_content_type(path: &str) -> Option<&'static str> {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())?;
    Some(match extension.as_str() {
        "json" => "application/json",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "txt" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "gz" => "application/gzip",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "py" => "text/x-python",
        "js" => "text/javascript",
        _ => return None,
    })
}

/// One file to move: where from, where to.
struct Job {
    from: Location,
    to: Location,
}

fn transfer(
    ctx: &mut Ctx,
    command: &str,
    flags: &Flags,
    stdin: Option<String>,
) -> Result<Reply, CommandError> {
    let [from, to] = flags.positionals.as_slice() else {
        return Err(usage_error("the following arguments are required: paths"));
    };
    let (from, to) = (Location::parse(from), Location::parse(to));
    if matches!(
        (&from, &to),
        (
            Location::Local(_) | Location::Stdio,
            Location::Local(_) | Location::Stdio
        )
    ) {
        return Err(failed("\nError: Invalid argument type".into()));
    }
    let storage_class = match flags.value("storage-class") {
        Some(text) => Some(StorageClass::parse(text).ok_or_else(|| {
            failed(format!(
                "\naws: error: argument --storage-class: Invalid choice: '{text}'"
            ))
        })?),
        None => None,
    };
    let jobs = if flags.switch("recursive") {
        expand(ctx, &from, &to)?
    } else {
        vec![Job {
            from: from.clone(),
            to: resolve_target(&from, &to),
        }]
    };
    let mut out = String::new();
    let mut stdin = stdin;
    for job in jobs {
        let line = run_job(
            ctx,
            command,
            &job,
            storage_class,
            flags.value("content-type"),
            &mut stdin,
        );
        match line {
            Ok(text) => out.push_str(&text),
            Err(text) => return Err(failed(format!("{out}{text}"))),
        }
    }
    Ok(Reply::text(out))
}

/// `cp a.json s3://b/dir/` puts the file under the prefix with its own name.
fn resolve_target(from: &Location, to: &Location) -> Location {
    let name = match from {
        Location::S3 { key, .. } => key.rsplit('/').next().unwrap_or_default().to_string(),
        Location::Local(path) => normalize_path(path)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        Location::Stdio => return to.clone(),
    };
    match to {
        Location::S3 { bucket, key } if key.is_empty() || key.ends_with('/') => Location::S3 {
            bucket: bucket.clone(),
            key: format!("{key}{name}"),
        },
        Location::Local(path) if path.ends_with('/') || path == "." => {
            Location::Local(format!("{}/{name}", path.trim_end_matches('/')))
        }
        other => other.clone(),
    }
}

/// `--recursive`: one job per object under an S3 prefix, or per local file under a folder.
fn expand(ctx: &Ctx, from: &Location, to: &Location) -> Result<Vec<Job>, CommandError> {
    let sources: Vec<(Location, String)> = match from {
        Location::S3 { bucket, key } => {
            let keys = keys_under(ctx, bucket, key).map_err(|err| {
                failed(format!("fatal error: {}", api_text(err, "ListObjectsV2")))
            })?;
            keys.into_iter()
                .map(|k| {
                    (
                        Location::S3 {
                            bucket: bucket.clone(),
                            key: k.clone(),
                        },
                        k[key.len()..].trim_start_matches('/').to_string(),
                    )
                })
                .collect()
        }
        Location::Local(dir) => {
            let dir = normalize_path(dir).trim_end_matches('/').to_string();
            let prefix = if dir.is_empty() || dir == "." {
                String::new()
            } else {
                format!("{dir}/")
            };
            ctx.files
                .list()
                .into_iter()
                .filter(|f| f.starts_with(&prefix))
                .map(|f| (Location::Local(f.clone()), f[prefix.len()..].to_string()))
                .collect()
        }
        Location::Stdio => return Err(failed("\nError: Invalid argument type".into())),
    };
    Ok(sources
        .into_iter()
        .map(|(source, relative)| {
            let to = match to {
                Location::S3 { bucket, key } => Location::S3 {
                    bucket: bucket.clone(),
                    key: join_key(key, &relative),
                },
                Location::Local(dir) => {
                    Location::Local(join_key(dir.trim_end_matches('/'), &relative))
                }
                Location::Stdio => Location::Stdio,
            };
            Job { from: source, to }
        })
        .collect())
}

fn join_key(prefix: &str, name: &str) -> String {
    match prefix {
        "" => name.to_string(),
        p if p.ends_with('/') => format!("{p}{name}"),
        p => format!("{p}/{name}"),
    }
}

fn describe(location: &Location) -> String {
    match location {
        Location::S3 { bucket, key } => s3_url(bucket, key),
        Location::Local(path) => path.clone(),
        Location::Stdio => "-".into(),
    }
}

/// Runs one copy (and, for `mv`, the delete); returns the CLI's line for it or its failure.
fn run_job(
    ctx: &mut Ctx,
    command: &str,
    job: &Job,
    storage_class: Option<StorageClass>,
    content_type: Option<&str>,
    stdin: &mut Option<String>,
) -> Result<String, String> {
    let verb = match (&job.from, &job.to, command) {
        (_, _, "mv") => "move",
        (Location::S3 { .. }, Location::S3 { .. }, _) => "copy",
        (Location::S3 { .. }, _, _) => "download",
        _ => "upload",
    };
    let (from_text, to_text) = (describe(&job.from), describe(&job.to));
    let fail = |what: String| format!("{verb} failed: {from_text} to {to_text} {what}");
    let bytes = match &job.from {
        Location::S3 { bucket, key } => read_s3(ctx, bucket, key)?,
        Location::Local(path) => ctx
            .files
            .read(path)
            .map_err(|_| format!("The user-provided path {path} does not exist."))?,
        Location::Stdio => stdin.take().unwrap_or_default().into_bytes(),
    };
    let printed = match &job.to {
        Location::S3 { bucket, key } => {
            let mut request = PutObject::new(bucket, key, bytes);
            request.storage_class = storage_class.unwrap_or(StorageClass::Standard);
            let guessed = match &job.from {
                Location::Local(path) => guess_content_type(path),
                Location::S3 { key, .. } => guess_content_type(key),
                Location::Stdio => None,
            };
            request.content_type = content_type.or(guessed).map(str::to_string);
            let (services, mut env) = ctx.world.split();
            services
                .s3
                .put_object(&mut env, request)
                .map_err(|err| fail(api_text(err, "PutObject")))?;
            String::new()
        }
        Location::Local(path) => {
            ctx.files.write(path, &bytes).map_err(&fail)?;
            String::new()
        }
        Location::Stdio => String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let (Location::S3 { bucket, key }, "mv") = (&job.from, command) {
        let (services, mut env) = ctx.world.split();
        services
            .s3
            .delete_object(&mut env, bucket, key, None)
            .map_err(|err| fail(api_text(err, "DeleteObject")))?;
    }
    match (&job.from, &job.to) {
        (_, Location::Stdio) => Ok(printed),
        (Location::Stdio, _) => Ok(String::new()),
        _ => Ok(format!("{verb}: {from_text} to {to_text}\n")),
    }
}

/// Downloads check the object first, as the CLI does with HeadObject, and refuse archived
/// objects with the CLI's warning.
fn read_s3(ctx: &Ctx, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let world = &*ctx.world;
    let target = ObjectRef {
        bucket,
        key,
        version_id: None,
    };
    match world
        .services()
        .s3
        .read(world.blobs(), world.now_ms(), target)
    {
        Ok((_, bytes)) => Ok(bytes.to_vec()),
        Err(S3Error::ObjectNotReadable) => {
            let class = world
                .services()
                .s3
                .version(bucket, key, None)
                .ok()
                .and_then(|v| v.object.as_ref())
                .map(|o| o.storage_class.as_str())
                .unwrap_or("GLACIER");
            Err(format!(
                "warning: Skipping file {}. Object is of storage class {class}. Unable to perform download operations on {class} objects. You must restore the object to be able to perform the operation. See aws s3 download help for additional parameter options to ignore or force these transfers.",
                s3_url(bucket, key)
            ))
        }
        Err(S3Error::NoSuchBucket) => Err(format!(
            "fatal error: {}",
            api_text(S3Error::NoSuchBucket, "HeadObject")
        )),
        Err(_) => Err(format!(
            "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"{key}\" does not exist"
        )),
    }
}
