//! Amazon Athena over the simulated S3: a Glue-like catalog (`catalog`), tables read from S3 at
//! query time (`source`), and query executions that run on the simulated clock as on AWS:
//! QUEUED, then RUNNING (the data is read), then SUCCEEDED with results written as CSV to the
//! output location, or FAILED with Athena's reason. CTAS and INSERT write real files (`writer`).

mod access;
mod catalog;
mod results;
mod source;
mod writer;

use std::cell::Cell;

use serde::{Deserialize, Serialize};

pub use access::Principal;
pub use catalog::{CATALOG_NAME, Catalog, CatalogChange, Database, Table};
pub use results::{ColumnInfo, ResultSet};
pub use source::{FileStats, S3Tables, split_location, table_schema};

use self::access::{ACCESS_DENIED, Access};
use crate::services::iam::Iam;
use crate::services::s3::{PutObject, S3};
use crate::services::uuid;
use crate::sim::{BlobId, BlobStore, Env, Event, Millis};
use crate::sql::{self, ErrorCode, ExternalTable, QualifiedName, SqlError, Statement, Storage};

/// Athena's price: $5 per TB scanned, at least 10 MB per query, rounded up to the megabyte.
pub const DOLLARS_PER_TB: f64 = 5.0;
pub const BILLED_BYTES_MIN: u64 = 10 * 1024 * 1024;
/// Simulated throughput of the workers reading S3, and the cost of opening one object: many
/// small files are slow to query even when they hold little data.
const SCAN_BYTES_PER_MS: u64 = 100 * 1024;
const OBJECT_OPEN_MS: u64 = 2;
const WRITE_FILE_MS: u64 = 40;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Athena {
    pub catalog: Catalog,
    executions: Vec<QueryExecution>,
    /// Derived from object bytes alone, so it is never saved: a restored world rebuilds it.
    #[serde(skip)]
    file_stats: FileStats,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl QueryState {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryState::Queued => "QUEUED",
            QueryState::Running => "RUNNING",
            QueryState::Succeeded => "SUCCEEDED",
            QueryState::Failed => "FAILED",
            QueryState::Cancelled => "CANCELLED",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(
            self,
            QueryState::Succeeded | QueryState::Failed | QueryState::Cancelled
        )
    }
}

/// One query, from submission to its final state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueryExecution {
    pub id: String,
    pub query: String,
    pub database: String,
    pub workgroup: String,
    /// Where the result file goes: `s3://bucket/prefix/<id>.csv`.
    pub output_location: String,
    pub statement_type: String,
    pub substatement_type: String,
    pub state: QueryState,
    pub reason: Option<String>,
    pub hint: Option<String>,
    pub submitted_ms: Millis,
    pub started_ms: Option<Millis>,
    pub completed_ms: Option<Millis>,
    pub queue_ms: Millis,
    pub engine_ms: Millis,
    pub data_scanned_bytes: u64,
    pub result: Option<ResultSet>,
    pub update_count: Option<u64>,
    /// What the query does when it finishes: files to put and catalog changes.
    pending: Option<Effects>,
    /// Whose credentials it reads and writes with.
    #[serde(default)]
    pub principal: Option<Principal>,
}

/// The figures the console and the `athena` command print under a query's results.
impl QueryExecution {
    /// Submission to completion (so far, while it runs).
    pub fn run_time_ms(&self) -> Millis {
        self.completed_ms.unwrap_or(self.submitted_ms) - self.submitted_ms
    }

    /// What this query costs at Athena's price (`query_cost_dollars`).
    pub fn cost_dollars(&self) -> f64 {
        query_cost_dollars(
            self.data_scanned_bytes,
            &self.statement_type,
            &self.substatement_type,
        )
    }

    /// Billed for the 10 MB minimum rather than for what it scanned.
    pub fn minimum_billed(&self) -> bool {
        self.cost_dollars() > 0.0 && self.data_scanned_bytes < BILLED_BYTES_MIN
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Effects {
    writes: Vec<Write>,
    catalog: Vec<CatalogChange>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Write {
    bucket: String,
    key: String,
    blob: BlobId,
    content_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AthenaEvent {
    Start { id: String },
    Finish { id: String },
}

impl AthenaEvent {
    pub fn describe(&self) -> String {
        match self {
            AthenaEvent::Start { id } => format!("athena: query {id} starts running"),
            AthenaEvent::Finish { id } => format!("athena: query {id} finishes"),
        }
    }
}

/// StartQueryExecution's request.
#[derive(Clone, Debug, Default)]
pub struct StartQuery {
    pub query: String,
    pub database: Option<String>,
    pub output_location: Option<String>,
    pub workgroup: Option<String>,
    /// The role session the query runs as; `None` for the learner's own (admin) user.
    pub principal: Option<Principal>,
}

/// Errors Athena's API returns synchronously (`InvalidRequestException`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AthenaError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

fn invalid_request(message: impl Into<String>) -> AthenaError {
    AthenaError {
        code: "InvalidRequestException",
        message: message.into(),
        hint: None,
    }
}

/// What a statement did, before its effects are applied.
struct Outcome {
    result: Option<ResultSet>,
    update_count: Option<u64>,
    scanned: u64,
    objects_read: u64,
    effects: Effects,
}

impl Outcome {
    fn of(result: ResultSet) -> Outcome {
        Outcome {
            result: Some(result),
            update_count: None,
            scanned: 0,
            objects_read: 0,
            effects: Effects::default(),
        }
    }

    fn change(change: CatalogChange) -> Outcome {
        Outcome {
            result: None,
            update_count: None,
            scanned: 0,
            objects_read: 0,
            effects: Effects {
                writes: Vec::new(),
                catalog: vec![change],
            },
        }
    }
}

/// Athena's price for scanning `bytes`. DDL is free, except CTAS, which Athena files under DDL
/// but bills for the data its SELECT scans.
pub fn query_cost_dollars(bytes: u64, statement_type: &str, substatement_type: &str) -> f64 {
    let billed = statement_type != "DDL" || substatement_type == "CREATE_TABLE_AS_SELECT";
    if !billed || bytes == 0 {
        return 0.0;
    }
    let megabytes = bytes.max(BILLED_BYTES_MIN).div_ceil(1024 * 1024);
    megabytes as f64 / (1024.0 * 1024.0) * DOLLARS_PER_TB
}

impl Athena {
    pub fn executions(&self) -> &[QueryExecution] {
        &self.executions
    }

    pub fn execution(&self, id: &str) -> Result<&QueryExecution, AthenaError> {
        self.executions
            .iter()
            .find(|q| q.id == id)
            .ok_or_else(|| invalid_request(format!("QueryExecution {id} was not found")))
    }

    fn execution_mut(&mut self, id: &str) -> Option<&mut QueryExecution> {
        self.executions.iter_mut().find(|q| q.id == id)
    }

    /// StartQueryExecution: checks the request and the statement's syntax now; the statement
    /// itself runs later on the clock.
    pub fn start_query(
        &mut self,
        env: &mut Env,
        request: StartQuery,
    ) -> Result<String, AthenaError> {
        let workgroup = request.workgroup.unwrap_or_else(|| "primary".into());
        if workgroup != "primary" {
            return Err(invalid_request(format!(
                "WorkGroup {workgroup} is not found."
            )));
        }
        let output = request.output_location.ok_or_else(|| {
            invalid_request("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
        })?;
        if split_location(&output).is_none() {
            return Err(invalid_request(format!(
                "{output} is not a valid S3 location"
            )));
        }
        let statement = match sql::parse_statement(&request.query) {
            Err(err) if err.code == ErrorCode::SyntaxError => {
                let at = match (err.line, err.column) {
                    (Some(line), Some(column)) => format!("line {line}:{column}: "),
                    _ => String::new(),
                };
                return Err(AthenaError {
                    code: "InvalidRequestException",
                    message: format!("{at}{}", err.message),
                    hint: err.hint,
                });
            }
            parsed => parsed.ok(),
        };
        let (statement_type, substatement_type) =
            statement.as_ref().map(kinds).unwrap_or(("DDL", "UNKNOWN"));
        let id = uuid(env);
        let queue_ms = env.rng.between(80, 400);
        let output_location = format!(
            "{}{id}.{}",
            with_slash(&output),
            if statement_type == "DML" {
                "csv"
            } else {
                "txt"
            }
        );
        self.executions.push(QueryExecution {
            id: id.clone(),
            query: request.query,
            database: request
                .database
                .unwrap_or_else(|| "default".into())
                .to_lowercase(),
            workgroup,
            output_location,
            statement_type: statement_type.into(),
            substatement_type: substatement_type.into(),
            state: QueryState::Queued,
            reason: None,
            hint: None,
            submitted_ms: env.now_ms,
            started_ms: None,
            completed_ms: None,
            queue_ms,
            engine_ms: 0,
            data_scanned_bytes: 0,
            result: None,
            update_count: None,
            pending: None,
            principal: request.principal,
        });
        env.schedule(
            env.now_ms + queue_ms,
            Event::Athena(AthenaEvent::Start { id: id.clone() }),
        )
        .map_err(|err| invalid_request(err.to_string()))?;
        env.record(
            "athena",
            "query-queued",
            vec![
                ("id", id.as_str().into()),
                ("statement", substatement_type.into()),
            ],
        );
        Ok(id)
    }

    /// StopQueryExecution: a query that has not finished is cancelled (its effects dropped).
    pub fn stop_query(&mut self, env: &mut Env, id: &str) -> Result<(), AthenaError> {
        self.execution(id)?;
        let query = self.execution_mut(id).expect("checked above");
        if !query.state.is_done() {
            query.state = QueryState::Cancelled;
            query.completed_ms = Some(env.now_ms);
            query.pending = None;
            env.record("athena", "query-cancelled", vec![("id", id.into())]);
        }
        Ok(())
    }

    pub fn on_event(&mut self, env: &mut Env, s3: &mut S3, iam: &mut Iam, event: AthenaEvent) {
        match event {
            AthenaEvent::Start { id } => self.run(env, s3, iam, &id),
            AthenaEvent::Finish { id } => self.finish(env, s3, &id),
        }
    }

    /// The query starts: it reads what S3 holds now and computes its results and effects; its
    /// run time follows from the work done.
    fn run(&mut self, env: &mut Env, s3: &S3, iam: &mut Iam, id: &str) {
        let Some(query) = self
            .executions
            .iter()
            .find(|q| q.id == id && q.state == QueryState::Queued)
        else {
            return;
        };
        let (text, database) = (query.query.clone(), query.database.clone());
        let principal = query.principal.clone();
        let output_location = query.output_location.clone();
        let access = principal.as_ref().map(|p| Access::new(iam, p, env.now_ms));
        let outcome = execute(
            Sources {
                catalog: &self.catalog,
                stats: &self.file_stats,
                s3,
                access: access.as_ref(),
            },
            env,
            &text,
            &database,
            id,
        )
        .and_then(|outcome| match &access {
            Some(access) => check_effects(access, &outcome, &output_location).map(|()| outcome),
            None => Ok(outcome),
        });
        if let (Some(access), Some(principal)) = (access, &principal) {
            let used = access.used.into_inner();
            iam.record_used(&principal.role, used);
            for denial in access.denials.into_inner() {
                iam.record_denial(env.now_ms, &denial);
            }
        }
        let planning_ms = env.rng.between(60, 250);
        let query = self.execution_mut(id).expect("found above");
        query.state = QueryState::Running;
        query.started_ms = Some(env.now_ms);
        let engine_ms = match outcome {
            Ok(outcome) => {
                let written = outcome.effects.writes.len() as u64;
                let work_ms = outcome.scanned / SCAN_BYTES_PER_MS
                    + outcome.objects_read * OBJECT_OPEN_MS
                    + written * WRITE_FILE_MS;
                query.data_scanned_bytes = outcome.scanned;
                query.result = outcome.result;
                query.update_count = outcome.update_count;
                query.pending = Some(outcome.effects);
                planning_ms + work_ms as Millis
            }
            Err(err) => {
                query.reason = Some(err.to_string());
                query.hint = err.hint.clone();
                planning_ms
            }
        };
        query.engine_ms = engine_ms;
        // A full queue means something else runs away; the query then never finishes.
        let _ = env.schedule(
            env.now_ms + engine_ms,
            Event::Athena(AthenaEvent::Finish { id: id.into() }),
        );
        env.record("athena", "query-running", vec![("id", id.into())]);
    }

    fn finish(&mut self, env: &mut Env, s3: &mut S3, id: &str) {
        let now = env.now_ms;
        let Some(query) = self
            .execution_mut(id)
            .filter(|q| q.state == QueryState::Running)
        else {
            return;
        };
        query.completed_ms = Some(now);
        let effects = query.pending.take();
        let result_file = query
            .result
            .as_ref()
            .map(|r| (query.output_location.clone(), results_csv(r)));
        if query.reason.is_some() {
            query.state = QueryState::Failed;
            let reason = query.reason.clone().unwrap_or_default();
            env.record(
                "athena",
                "query-failed",
                vec![("id", id.into()), ("reason", reason.into())],
            );
            return;
        }
        let mut writes = effects
            .as_ref()
            .map(|e| e.writes.clone())
            .unwrap_or_default();
        if let Some((location, bytes)) = result_file {
            let (bucket, key) = split_location(&location)
                .map(|(b, k)| (b.to_string(), k.trim_end_matches('/').to_string()))
                .expect("checked at start");
            writes.push(Write {
                bucket,
                key,
                blob: env.blobs.put(bytes),
                content_type: "text/csv".into(),
            });
        }
        for write in &writes {
            let bytes = env.blobs.get(write.blob).to_vec();
            let mut request = PutObject::new(&write.bucket, &write.key, bytes);
            request.content_type = Some(write.content_type.clone());
            if let Err(err) = s3.put_object(env, request) {
                let query = self.execution_mut(id).expect("found above");
                query.state = QueryState::Failed;
                query.reason = Some(match err {
                    crate::services::s3::S3Error::NoSuchBucket => {
                        format!("Unable to verify/create output bucket {}", write.bucket)
                    }
                    other => format!("HIVE_WRITER_OPEN_ERROR: {}", other.message()),
                });
                env.record("athena", "query-failed", vec![("id", id.into())]);
                return;
            }
        }
        for change in effects.map(|e| e.catalog).unwrap_or_default() {
            self.catalog.apply(change, now);
        }
        let query = self.execution_mut(id).expect("found above");
        query.state = QueryState::Succeeded;
        let scanned = query.data_scanned_bytes;
        env.record(
            "athena",
            "query-succeeded",
            vec![
                ("id", id.into()),
                ("data_scanned_bytes", scanned.into()),
                ("files_written", (writes.len() as u64).into()),
            ],
        );
    }
}

fn with_slash(location: &str) -> String {
    if location.ends_with('/') {
        location.to_string()
    } else {
        format!("{location}/")
    }
}

/// StatementType and SubstatementType, as GetQueryExecution reports them.
fn kinds(statement: &Statement) -> (&'static str, &'static str) {
    match statement {
        Statement::Query(_) => ("DML", "SELECT"),
        Statement::CreateTableAs { .. } => ("DDL", "CREATE_TABLE_AS_SELECT"),
        Statement::InsertInto { .. } => ("DML", "INSERT"),
        Statement::CreateDatabase { .. } => ("DDL", "CREATE_DATABASE"),
        Statement::DropDatabase { .. } => ("DDL", "DROP_DATABASE"),
        Statement::CreateExternalTable(_) => ("DDL", "CREATE_TABLE"),
        Statement::DropTable { .. } => ("DDL", "DROP_TABLE"),
        Statement::ShowDatabases { .. } => ("UTILITY", "SHOW_DATABASES"),
        Statement::ShowTables { .. } => ("UTILITY", "SHOW_TABLES"),
        Statement::Describe { .. } => ("UTILITY", "DESCRIBE_TABLE"),
        Statement::ShowCreateTable { .. } => ("UTILITY", "SHOW_CREATE_TABLE"),
    }
}

/// The result file Athena writes for a SELECT: a header, then every value double-quoted.
fn results_csv(result: &ResultSet) -> Vec<u8> {
    let quote = |value: &str| format!("\"{}\"", value.replace('"', "\"\""));
    let mut out = String::new();
    let header: Vec<String> = result.columns.iter().map(|c| quote(&c.name)).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in &result.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| cell.as_deref().map(quote).unwrap_or_default())
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn qualify(name: &QualifiedName, database: &str) -> (String, String) {
    (
        name.database
            .clone()
            .unwrap_or_else(|| database.to_string()),
        name.table.clone(),
    )
}

fn storage_error(code: &str, message: String) -> SqlError {
    SqlError::new(ErrorCode::Storage(code.into()), None, message)
}

/// What statements read: the catalog, S3, the object ranges learned so far, and whose
/// credentials the reads use.
#[derive(Clone, Copy)]
struct Sources<'a> {
    catalog: &'a Catalog,
    stats: &'a FileStats,
    s3: &'a S3,
    access: Option<&'a Access>,
}

/// A query running as a role must also be allowed to make its catalog changes and write its
/// files and its results.
fn check_effects(
    access: &Access,
    outcome: &Outcome,
    output_location: &str,
) -> Result<(), SqlError> {
    let denied =
        |message: String| SqlError::new(ErrorCode::Storage(ACCESS_DENIED.into()), None, message);
    for change in &outcome.effects.catalog {
        let checked = match change {
            CatalogChange::CreateDatabase { name, .. } => {
                access.glue("glue:CreateDatabase", name, None)
            }
            CatalogChange::DropDatabase { name } => access.glue("glue:DeleteDatabase", name, None),
            CatalogChange::CreateTable(table) => {
                let name = &table.definition.name;
                let database = name.database.as_deref().unwrap_or("default");
                access.glue("glue:CreateTable", database, Some(&name.table))
            }
            CatalogChange::DropTable(name) => {
                let database = name.database.as_deref().unwrap_or("default");
                access.glue("glue:DeleteTable", database, Some(&name.table))
            }
        };
        checked.map_err(denied)?;
    }
    for write in &outcome.effects.writes {
        access
            .put_object(&write.bucket, &write.key)
            .map_err(denied)?;
    }
    if outcome.result.is_some()
        && let Some((bucket, key)) = split_location(output_location)
    {
        access
            .put_object(bucket, key.trim_end_matches('/'))
            .map_err(denied)?;
    }
    Ok(())
}

/// Runs one statement against the catalog and S3 as they are now.
fn execute(
    sources: Sources,
    env: &mut Env,
    text: &str,
    database: &str,
    id: &str,
) -> Result<Outcome, SqlError> {
    let catalog = sources.catalog;
    let statement = sql::parse_statement(text)?;
    let table_missing = |db: &str, table: &str| {
        SqlError::new(
            ErrorCode::TableNotFound,
            Some(sql::Pos::new(1, 1)),
            format!("Table '{CATALOG_NAME}.{db}.{table}' does not exist"),
        )
    };
    if catalog.database(database).is_none()
        && !matches!(
            statement,
            Statement::CreateDatabase { .. } | Statement::ShowDatabases { .. }
        )
    {
        return Err(SqlError::new(
            ErrorCode::SchemaNotFound,
            None,
            format!("Schema '{database}' does not exist"),
        ));
    }
    match statement {
        Statement::Query(query) => select(sources, env, &query, database),
        Statement::ShowDatabases { like } => {
            let names = catalog
                .databases()
                .map(|d| d.name.clone())
                .filter(|n| like.as_deref().is_none_or(|p| like_match(n, p)));
            Ok(Outcome::of(ResultSet::single_column(
                "database_name",
                names,
            )))
        }
        Statement::ShowTables { database: db, like } => {
            let db = db.unwrap_or_else(|| database.to_string());
            let found = catalog.database(&db).ok_or_else(|| {
                SqlError::new(
                    ErrorCode::DdlParseError,
                    None,
                    format!("Database does not exist: {db}"),
                )
            })?;
            let names = found
                .tables()
                .map(|t| t.definition.name.table.clone())
                .filter(|n| like.as_deref().is_none_or(|p| like_match(n, p)));
            Ok(Outcome::of(ResultSet::single_column("tab_name", names)))
        }
        Statement::Describe { table } => {
            let (db, name) = qualify(&table, database);
            let found = catalog
                .table(&db, &name)
                .ok_or_else(|| table_missing(&db, &name))?;
            Ok(Outcome::of(describe(&found.definition)))
        }
        Statement::ShowCreateTable { table } => {
            let (db, name) = qualify(&table, database);
            let found = catalog
                .table(&db, &name)
                .ok_or_else(|| table_missing(&db, &name))?;
            Ok(Outcome::of(ResultSet::single_column(
                "createtab_stmt",
                show_create(&found.definition).lines().map(str::to_string),
            )))
        }
        Statement::CreateDatabase {
            name,
            if_not_exists,
            comment,
            location,
        } => {
            if catalog.database(&name).is_some() && !if_not_exists {
                return Err(hive_failure(format!("Database {name} already exists")));
            }
            Ok(Outcome::change(CatalogChange::CreateDatabase {
                name,
                comment,
                location,
            }))
        }
        Statement::DropDatabase {
            name,
            if_exists,
            cascade,
        } => {
            match catalog.database(&name) {
                None if if_exists => {
                    return Ok(Outcome {
                        result: None,
                        update_count: None,
                        scanned: 0,
                        objects_read: 0,
                        effects: Effects::default(),
                    });
                }
                None => return Err(hive_failure(format!("Database does not exist: {name}"))),
                Some(db) if db.tables().next().is_some() && !cascade => {
                    return Err(hive_failure(format!(
                        "InvalidOperationException(message:Database {name} is not empty. One or more tables exist.)"
                    )));
                }
                Some(_) => {}
            }
            Ok(Outcome::change(CatalogChange::DropDatabase { name }))
        }
        Statement::CreateExternalTable(mut table) => {
            let (db, name) = qualify(&table.name, database);
            if catalog.database(&db).is_none() {
                return Err(storage_error(
                    "FAILED",
                    format!("SemanticException [Error 10072]: Database does not exist: {db}"),
                ));
            }
            if catalog.table(&db, &name).is_some() {
                if table.if_not_exists {
                    return Ok(Outcome {
                        result: None,
                        update_count: None,
                        scanned: 0,
                        objects_read: 0,
                        effects: Effects::default(),
                    });
                }
                return Err(hive_failure(format!(
                    "AlreadyExistsException(message:Table {name} already exists)"
                )));
            }
            if split_location(&table.location).is_none() {
                return Err(hive_failure(format!(
                    "Location '{}' is not an S3 location (write s3://bucket/prefix/)",
                    table.location
                )));
            }
            table.name = QualifiedName {
                database: Some(db),
                table: name,
            };
            Ok(Outcome::change(CatalogChange::CreateTable(Table {
                definition: table,
                created_ms: env.now_ms,
            })))
        }
        Statement::DropTable { table, if_exists } => {
            let (db, name) = qualify(&table, database);
            if catalog.table(&db, &name).is_none() && !if_exists {
                return Err(SqlError::new(
                    ErrorCode::TableNotFound,
                    Some(sql::Pos::new(1, 1)),
                    format!("Table '{CATALOG_NAME}.{db}.{name}' does not exist"),
                ));
            }
            Ok(Outcome::change(CatalogChange::DropTable(QualifiedName {
                database: Some(db),
                table: name,
            })))
        }
        Statement::CreateTableAs {
            name,
            if_not_exists,
            properties,
            query,
            with_data,
        } => {
            let (db, table) = qualify(&name, database);
            if catalog.table(&db, &table).is_some() {
                if if_not_exists {
                    return Ok(Outcome {
                        result: None,
                        update_count: Some(0),
                        scanned: 0,
                        objects_read: 0,
                        effects: Effects::default(),
                    });
                }
                return Err(SqlError::new(
                    ErrorCode::Storage("TABLE_ALREADY_EXISTS".into()),
                    Some(sql::Pos::new(1, 1)),
                    format!("Table '{CATALOG_NAME}.{db}.{table}' already exists"),
                ));
            }
            ctas(
                sources,
                env,
                CtasPlan {
                    database: &db,
                    table: &table,
                    properties: &properties,
                    with_data,
                    id,
                },
                &query,
            )
        }
        Statement::InsertInto {
            table,
            columns,
            query,
        } => {
            let (db, name) = qualify(&table, database);
            let found = catalog
                .table(&db, &name)
                .ok_or_else(|| table_missing(&db, &name))?;
            insert(sources, env, &found.definition, &columns, &query, id)
        }
    }
}

fn hive_failure(message: String) -> SqlError {
    storage_error(
        "FAILED",
        format!(
            "Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. {message}"
        ),
    )
}

/// `LIKE` patterns of SHOW statements: `*` and `|` as Hive reads them, plus SQL's `%`.
fn like_match(name: &str, pattern: &str) -> bool {
    pattern.split('|').any(|alternative| {
        let parts: Vec<&str> = alternative.split(['*', '%']).collect();
        let mut rest = name;
        for (i, part) in parts.iter().enumerate() {
            match rest.find(part) {
                Some(at) if i > 0 || at == 0 => rest = &rest[at + part.len()..],
                _ => return false,
            }
        }
        parts.last().is_some_and(|last| last.is_empty()) || rest.is_empty()
    })
}

fn describe(table: &ExternalTable) -> ResultSet {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            format!(
                "{:<24}\t{:<24}\t{}",
                c.name,
                c.hive_type.ddl(),
                c.comment.clone().unwrap_or_default()
            )
        })
        .collect();
    if !table.partitioned_by.is_empty() {
        lines.push(String::new());
        lines.push("# Partition Information".into());
        lines.push(format!(
            "{:<24}\t{:<24}\tcomment",
            "# col_name", "data_type"
        ));
        lines.extend(table.partitioned_by.iter().map(|c| {
            format!(
                "{:<24}\t{:<24}\t{}",
                c.name,
                c.hive_type.ddl(),
                c.comment.clone().unwrap_or_default()
            )
        }));
    }
    ResultSet::single_column(
        "col_name",
        lines.into_iter().map(|line| line.trim_end().to_string()),
    )
}

/// SHOW CREATE TABLE: the definition as Hive DDL, with backquoted names.
pub fn show_create(table: &ExternalTable) -> String {
    let columns = |cols: &[sql::ColumnDef]| {
        cols.iter()
            .map(|c| format!("  `{}` {}", c.name, c.hive_type.ddl()))
            .collect::<Vec<_>>()
            .join(",\n")
    };
    let name = format!(
        "`{}`.`{}`",
        table.name.database.clone().unwrap_or_default(),
        table.name.table
    );
    let mut ddl = format!(
        "CREATE EXTERNAL TABLE {name}(\n{})\n",
        columns(&table.columns)
    );
    if !table.partitioned_by.is_empty() {
        ddl.push_str(&format!(
            "PARTITIONED BY ( \n{})\n",
            columns(&table.partitioned_by)
        ));
    }
    ddl.push_str(match &table.storage {
        Storage::JsonSerde => "ROW FORMAT SERDE \n  'org.openx.data.jsonserde.JsonSerDe' \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.mapred.TextInputFormat' \nOUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n",
        Storage::Parquet => "ROW FORMAT SERDE \n  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' \nOUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'\n",
        Storage::OpenCsv { .. } => "ROW FORMAT SERDE \n  'org.apache.hadoop.hive.serde2.OpenCSVSerde' \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.mapred.TextInputFormat' \nOUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n",
        Storage::Orc => "ROW FORMAT SERDE \n  'org.apache.hadoop.hive.ql.io.orc.OrcSerde' \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat' \nOUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat'\n",
        Storage::Delimited { .. } | Storage::TextFileDefault => "ROW FORMAT DELIMITED \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.mapred.TextInputFormat' \nOUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n",
    });
    ddl.push_str(&format!("LOCATION\n  '{}'", table.location));
    if !table.tblproperties.is_empty() {
        let props: Vec<String> = table
            .tblproperties
            .iter()
            .map(|(k, v)| format!("  '{k}'='{v}'"))
            .collect();
        ddl.push_str(&format!("\nTBLPROPERTIES (\n{})", props.join(", \n")));
    }
    ddl
}

/// Reads `query` and counts the objects it opened.
struct Read {
    result: sql::QueryResult,
    objects_read: u64,
}

fn read_query(
    sources: Sources,
    blobs: &BlobStore,
    now_ms: Millis,
    query: &sql::ParsedQuery,
    database: &str,
) -> Result<Read, SqlError> {
    let Sources {
        catalog, stats, s3, ..
    } = sources;
    let opened = Cell::new(0);
    let source = S3Tables {
        catalog,
        stats,
        s3,
        access: sources.access,
        blobs,
        now_ms,
        opened: &opened,
    };
    let context = sql::QueryContext {
        now_ms,
        default_database: database.to_string(),
        catalog_name: CATALOG_NAME.to_string(),
    };
    let result = sql::execute_query(query, &source, &context)?;
    Ok(Read {
        result,
        objects_read: opened.get(),
    })
}

fn select(
    sources: Sources,
    env: &Env,
    query: &sql::ParsedQuery,
    database: &str,
) -> Result<Outcome, SqlError> {
    let read = read_query(sources, env.blobs, env.now_ms, query, database)?;
    let result = ResultSet::from_batches(&read.result.schema, &read.result.batches);
    Ok(Outcome {
        result: Some(result),
        update_count: None,
        scanned: read.result.bytes_scanned,
        objects_read: read.objects_read,
        effects: Effects::default(),
    })
}

struct CtasPlan<'a> {
    database: &'a str,
    table: &'a str,
    properties: &'a sql::CtasProperties,
    with_data: bool,
    id: &'a str,
}

fn ctas(
    sources: Sources,
    env: &mut Env,
    plan: CtasPlan,
    query: &sql::ParsedQuery,
) -> Result<Outcome, SqlError> {
    let s3 = sources.s3;
    let read = read_query(sources, env.blobs, env.now_ms, query, plan.database)?;
    let schema = read.result.schema.clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    plan.properties.check_columns(&names)?;
    let location = plan
        .properties
        .external_location
        .clone()
        .unwrap_or_else(|| {
            format!(
                "s3://aws-athena-query-results-{}-us-east-1/tables/{}/",
                crate::services::ACCOUNT_ID,
                plan.id
            )
        });
    let (bucket, prefix) = split_location(&location).ok_or_else(|| {
        storage_error(
            "HIVE_PATH_INVALID",
            format!("External location must be an S3 path: {location}"),
        )
    })?;
    let taken = s3
        .bucket(bucket)
        .map(|b| b.current_objects().any(|(key, _)| key.starts_with(&prefix)))
        .unwrap_or(false);
    if taken {
        return Err(storage_error(
            "HIVE_PATH_ALREADY_EXISTS",
            format!(
                "Target directory for table '{}.{}' already exists: {location}. You may need to manually clean the data at location '{location}' before retrying. Athena will not delete data in your account.",
                plan.database, plan.table
            ),
        ));
    }
    let index_of = |name: &String| {
        names
            .iter()
            .position(|n| n == name)
            .expect("check_columns found it")
    };
    let layout = writer::Layout {
        format: plan.properties.format,
        compression: plan.properties.compression,
        field_delimiter: plan
            .properties
            .field_delimiter
            .as_deref()
            .and_then(|d| d.chars().next()),
        bucketed_by: plan.properties.bucketed_by.iter().map(index_of).collect(),
        bucket_count: plan.properties.bucket_count,
        partitioned_by: plan
            .properties
            .partitioned_by
            .iter()
            .map(index_of)
            .collect(),
    };
    let batches = if plan.with_data {
        read.result.batches.clone()
    } else {
        Vec::new()
    };
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let files = writer::write(&schema, &batches, &layout, &file_stem(env, plan.id))?;
    let definition = ctas_definition(
        &schema,
        &layout,
        QualifiedName {
            database: Some(plan.database.into()),
            table: plan.table.into(),
        },
        location.clone(),
    )?;
    let catalog = vec![CatalogChange::CreateTable(Table {
        definition,
        created_ms: env.now_ms,
    })];
    Ok(written(env, (bucket, &prefix), files, rows, &read, catalog))
}

/// The outcome of a CTAS or INSERT: `files` stored under `bucket/prefix` once the query
/// succeeds, `rows` reported as the update count, and the catalog changes that go with them.
fn written(
    env: &mut Env,
    (bucket, prefix): (&str, &str),
    files: Vec<writer::OutputFile>,
    rows: usize,
    read: &Read,
    catalog: Vec<CatalogChange>,
) -> Outcome {
    let writes = files
        .into_iter()
        .map(|file| Write {
            bucket: bucket.to_string(),
            key: format!("{prefix}{}", file.relative_key),
            blob: env.blobs.put(file.bytes),
            content_type: "binary/octet-stream".into(),
        })
        .collect();
    Outcome {
        result: None,
        update_count: Some(rows as u64),
        scanned: read.result.bytes_scanned,
        objects_read: read.objects_read,
        effects: Effects { writes, catalog },
    }
}

/// The table a CTAS creates: its columns from the query, its storage from the properties.
fn ctas_definition(
    schema: &arrow::datatypes::SchemaRef,
    layout: &writer::Layout,
    name: QualifiedName,
    location: String,
) -> Result<ExternalTable, SqlError> {
    let column = |i: usize| -> Result<sql::ColumnDef, SqlError> {
        let field = schema.field(i);
        let sql_type = sql::SqlType::from_arrow(field.data_type()).ok_or_else(|| {
            SqlError::not_supported(
                None,
                format!("column {} has a type Hive cannot store", field.name()),
            )
        })?;
        let hive_type = sql::HiveType::from_sql(&sql_type).ok_or_else(|| {
            SqlError::not_supported(
                None,
                format!(
                    "column {} has type {sql_type}, which Hive cannot store",
                    field.name()
                ),
            )
        })?;
        Ok(sql::ColumnDef {
            name: field.name().clone(),
            hive_type,
            comment: None,
        })
    };
    let columns = (0..schema.fields().len())
        .filter(|i| !layout.partitioned_by.contains(i))
        .map(column)
        .collect::<Result<_, _>>()?;
    let partitioned_by = layout
        .partitioned_by
        .iter()
        .map(|&i| column(i))
        .collect::<Result<_, _>>()?;
    let codec =
        format!("{:?}", layout.compression.unwrap_or(sql::Compression::Gzip)).to_uppercase();
    let (storage, tblproperties) = match layout.format {
        sql::CtasFormat::Parquet => (
            Storage::Parquet,
            vec![("parquet.compression".to_string(), codec)],
        ),
        sql::CtasFormat::Json => (
            Storage::JsonSerde,
            vec![("write.compression".to_string(), codec)],
        ),
        _ => {
            let delimiter = layout.field_delimiter.unwrap_or('\u{1}');
            (
                Storage::Delimited {
                    field_delimiter: delimiter,
                    escape: None,
                    line_delimiter: '\n',
                    serde_properties: Vec::new(),
                },
                vec![("write.compression".to_string(), codec)],
            )
        }
    };
    Ok(ExternalTable {
        name,
        if_not_exists: false,
        columns,
        partitioned_by,
        storage,
        location,
        tblproperties,
        comment: None,
    })
}

/// Athena names output files after the query: `20220612_000500_00012_abcde_<query id>`.
fn file_stem(env: &mut Env, id: &str) -> String {
    let time =
        chrono::DateTime::from_timestamp_millis(env.now_ms).expect("clock instants are valid");
    let letters: String = (0..5)
        .map(|_| (b'a' + env.rng.below(26) as u8) as char)
        .collect();
    format!(
        "{}_{:05}_{letters}_{id}",
        time.format("%Y%m%d_%H%M%S"),
        env.rng.below(100_000)
    )
}

fn insert(
    sources: Sources,
    env: &mut Env,
    table: &ExternalTable,
    columns: &[String],
    query: &sql::ParsedQuery,
    id: &str,
) -> Result<Outcome, SqlError> {
    if !columns.is_empty() {
        return Err(SqlError::not_supported(
            None,
            "INSERT INTO with a column list is not simulated; select the columns in table order",
        ));
    }
    let database = table.name.database.clone().unwrap_or_default();
    let read = read_query(sources, env.blobs, env.now_ms, query, &database)?;
    let expected = table_schema(table);
    if read.result.schema.fields().len() != expected.fields().len() {
        return Err(SqlError::new(
            ErrorCode::TypeMismatch,
            Some(sql::Pos::new(1, 1)),
            format!(
                "Insert query has {} columns but table has {}",
                read.result.schema.fields().len(),
                expected.fields().len()
            ),
        ));
    }
    let batches = read
        .result
        .batches
        .iter()
        .map(|b| cast_to(b, &expected))
        .collect::<Result<Vec<_>, _>>()?;
    let format = match &table.storage {
        Storage::Parquet => sql::CtasFormat::Parquet,
        Storage::JsonSerde => sql::CtasFormat::Json,
        Storage::Delimited { .. } | Storage::TextFileDefault => sql::CtasFormat::TextFile,
        Storage::OpenCsv { .. } | Storage::Orc => {
            return Err(SqlError::not_supported(
                None,
                "INSERT INTO this table's format is not simulated",
            ));
        }
    };
    let delimiter = match &table.storage {
        Storage::Delimited {
            field_delimiter, ..
        } => Some(*field_delimiter),
        _ => None,
    };
    let data = table.columns.len();
    let layout = writer::Layout {
        format,
        compression: None,
        field_delimiter: delimiter,
        bucketed_by: Vec::new(),
        bucket_count: None,
        partitioned_by: (data..data + table.partitioned_by.len()).collect(),
    };
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let files = writer::write(&expected, &batches, &layout, &file_stem(env, id))?;
    let (bucket, prefix) = split_location(&table.location).expect("tables have S3 locations");
    Ok(written(
        env,
        (bucket, &prefix),
        files,
        rows,
        &read,
        Vec::new(),
    ))
}

/// Casts an INSERT's rows to the table's column types (Trino inserts with implicit coercion).
fn cast_to(
    batch: &arrow::record_batch::RecordBatch,
    schema: &arrow::datatypes::SchemaRef,
) -> Result<arrow::record_batch::RecordBatch, SqlError> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| arrow::compute::cast(column, field.data_type()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| {
            SqlError::new(
                ErrorCode::TypeMismatch,
                None,
                format!("Insert query has mismatched column types: {err}"),
            )
        })?;
    arrow::record_batch::RecordBatch::try_new(schema.clone(), columns)
        .map_err(|err| SqlError::new(ErrorCode::TypeMismatch, None, err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_has_a_10_mb_minimum_and_rounds_up_to_the_megabyte() {
        let tb = 1024.0 * 1024.0;
        assert_eq!(query_cost_dollars(1, "DML", "SELECT"), 10.0 / tb * 5.0);
        assert_eq!(
            query_cost_dollars(10 * 1024 * 1024 + 1, "DML", "SELECT"),
            11.0 / tb * 5.0
        );
        assert_eq!(query_cost_dollars(0, "DML", "SELECT"), 0.0);
        assert_eq!(
            query_cost_dollars(5_000_000_000, "DDL", "CREATE_TABLE"),
            0.0
        );
        assert_eq!(
            query_cost_dollars(1, "DDL", "CREATE_TABLE_AS_SELECT"),
            10.0 / tb * 5.0
        );
    }

    #[test]
    fn show_like_patterns() {
        assert!(like_match("logs", "log*"));
        assert!(like_match("logs", "*gs|x"));
        assert!(!like_match("logs", "x*"));
        assert!(like_match("logs", "logs"));
    }
}
