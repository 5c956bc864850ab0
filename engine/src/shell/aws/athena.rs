//! `aws athena …`: start a query, watch its state, read its results, as the real API shapes them.

use serde_json::{Value, json};

use super::s3api::cli_time;
use super::shapes::{Shape, member};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::athena::{AthenaError, CATALOG_NAME, QueryExecution, QueryState, StartQuery};
use crate::shell::Ctx;

static CONTEXT: Shape = Shape::Structure(&[
    member("Database", &Shape::String),
    member("Catalog", &Shape::String),
]);
static RESULT_CONFIGURATION: Shape = Shape::Structure(&[
    member("OutputLocation", &Shape::String),
    member("EncryptionConfiguration", &Shape::Opaque),
    member("ExpectedBucketOwner", &Shape::String),
    member("AclConfiguration", &Shape::Opaque),
]);

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("athena", name, api_name, params, call)
}

const QUERY_ID: super::Param = required("--query-execution-id", ParamKind::String);

pub static OPERATIONS: &[Operation] = &[
    op(
        "get-query-execution",
        "GetQueryExecution",
        &[QUERY_ID],
        get_query_execution,
    ),
    op(
        "get-query-results",
        "GetQueryResults",
        &[
            QUERY_ID,
            param("--max-items", ParamKind::Integer),
            param("--starting-token", ParamKind::String),
        ],
        get_query_results,
    ),
    op(
        "list-databases",
        "ListDatabases",
        &[required("--catalog-name", ParamKind::String)],
        list_databases,
    ),
    op(
        "list-query-executions",
        "ListQueryExecutions",
        &[param("--work-group", ParamKind::String)],
        list_query_executions,
    ),
    op(
        "start-query-execution",
        "StartQueryExecution",
        &[
            required("--query-string", ParamKind::String),
            param(
                "--query-execution-context",
                ParamKind::Structure("QueryExecutionContext", &CONTEXT),
            ),
            param(
                "--result-configuration",
                ParamKind::Structure("ResultConfiguration", &RESULT_CONFIGURATION),
            ),
            param("--work-group", ParamKind::String),
        ],
        start_query_execution,
    ),
    op(
        "stop-query-execution",
        "StopQueryExecution",
        &[QUERY_ID],
        stop_query_execution,
    ),
];

impl From<AthenaError> for CallError {
    fn from(err: AthenaError) -> Self {
        CallError::api(err.code, err.message, err.hint)
    }
}

fn start_query_execution(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let context = args.json("--query-execution-context");
    if let Some(catalog) = context
        .and_then(|c| c["Catalog"].as_str())
        .filter(|c| !c.eq_ignore_ascii_case(CATALOG_NAME))
    {
        return Err(CallError::api(
            "InvalidRequestException",
            format!("Catalog {catalog} does not exist"),
            None,
        ));
    }
    let request = StartQuery {
        query: args.required_text("--query-string").to_string(),
        database: context
            .and_then(|c| c["Database"].as_str())
            .map(str::to_string),
        output_location: args
            .json("--result-configuration")
            .and_then(|c| c["OutputLocation"].as_str())
            .map(str::to_string),
        workgroup: args.text("--work-group").map(str::to_string),
        principal: None,
    };
    let (services, mut env) = ctx.world.split();
    let id = services.athena.start_query(&mut env, request)?;
    Ok(json!({ "QueryExecutionId": id }))
}

/// GetQueryExecution's description of a query.
pub fn describe(query: &QueryExecution) -> Value {
    let mut status = json!({ "State": query.state.as_str() });
    if let Some(reason) = &query
        .reason
        .as_ref()
        .filter(|_| query.state == QueryState::Failed)
    {
        status["StateChangeReason"] = json!(reason);
    }
    status["SubmissionDateTime"] = json!(cli_time(query.submitted_ms));
    if let Some(done) = query.completed_ms {
        status["CompletionDateTime"] = json!(cli_time(done));
    }
    if query.state == QueryState::Failed {
        let category = if query
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Unable to verify"))
        {
            1
        } else {
            2
        };
        status["AthenaError"] = json!({ "ErrorCategory": category, "ErrorType": 1006, "Retryable": false, "ErrorMessage": query.reason });
    }
    let mut statistics = json!({
        "EngineExecutionTimeInMillis": query.engine_ms,
        "DataScannedInBytes": query.data_scanned_bytes,
        "TotalExecutionTimeInMillis": query.completed_ms.map_or(0, |done| done - query.submitted_ms),
        "QueryQueueTimeInMillis": query.queue_ms,
        "ServicePreProcessingTimeInMillis": 0,
        "QueryPlanningTimeInMillis": 0,
        "ServiceProcessingTimeInMillis": 0,
        "ResultReuseInformation": { "ReusedPreviousResult": false }
    });
    if !query.state.is_done() {
        statistics["TotalExecutionTimeInMillis"] = json!(0);
    }
    json!({
        "QueryExecutionId": query.id,
        "Query": query.query,
        "StatementType": query.statement_type,
        "ResultConfiguration": { "OutputLocation": query.output_location },
        "ResultReuseConfiguration": { "ResultReuseByAgeConfiguration": { "Enabled": false } },
        "QueryExecutionContext": { "Database": query.database, "Catalog": CATALOG_NAME },
        "Status": status,
        "Statistics": statistics,
        "WorkGroup": query.workgroup,
        "EngineVersion": { "SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3" },
        "SubstatementType": query.substatement_type
    })
}

fn get_query_execution(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let query = ctx
        .world
        .services()
        .athena
        .execution(args.required_text("--query-execution-id"))?;
    Ok(json!({ "QueryExecution": describe(query) }))
}

fn get_query_results(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let query = ctx
        .world
        .services()
        .athena
        .execution(args.required_text("--query-execution-id"))?;
    let invalid = |message: String| CallError::api("InvalidRequestException", message, None);
    match query.state {
        QueryState::Succeeded => {}
        QueryState::Failed | QueryState::Cancelled => {
            return Err(invalid(format!(
                "Query has not yet finished. Current state: {}",
                query.state.as_str()
            )));
        }
        state => {
            return Err(invalid(format!(
                "Query has not yet finished. Current state: {}",
                state.as_str()
            )));
        }
    }
    let empty = Default::default();
    let result = query.result.as_ref().unwrap_or(&empty);
    let cell =
        |value: Option<&str>| value.map_or_else(|| json!({}), |v| json!({ "VarCharValue": v }));
    let mut rows = Vec::new();
    if query.substatement_type == "SELECT" {
        rows.push(json!({ "Data": result.columns.iter().map(|c| cell(Some(&c.name))).collect::<Vec<_>>() }));
    }
    rows.extend(
        result.rows.iter().map(
            |row| json!({ "Data": row.iter().map(|v| cell(v.as_deref())).collect::<Vec<_>>() }),
        ),
    );
    let skip = args
        .text("--starting-token")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0);
    let max = args.integer("--max-items").map(|n| n.max(1) as usize);
    let page: Vec<Value> = rows
        .iter()
        .skip(skip)
        .take(max.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    let columns: Vec<Value> = result
        .columns
        .iter()
        .map(|c| {
            json!({
                "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c.name, "Label": c.name,
                "Type": c.type_name, "Precision": precision(&c.type_name), "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": c.type_name == "varchar"
            })
        })
        .collect();
    let mut response = json!({
        "UpdateCount": query.update_count.unwrap_or(0),
        "ResultSet": { "Rows": page, "ResultSetMetadata": { "ColumnInfo": columns } }
    });
    if max.is_some_and(|max| skip + max < rows.len()) {
        response["NextToken"] = json!((skip + max.unwrap_or(0)).to_string());
    }
    Ok(response)
}

/// The `Precision` Athena reports per type (varchar's is its maximum length).
fn precision(type_name: &str) -> i64 {
    match type_name {
        "varchar" => 2_147_483_647,
        "bigint" => 19,
        "integer" => 10,
        "double" => 17,
        "boolean" => 0,
        "date" => 0,
        "timestamp(3)" => 3,
        _ => 0,
    }
}

fn list_query_executions(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    if let Some(group) = args.text("--work-group").filter(|g| *g != "primary") {
        return Err(CallError::api(
            "InvalidRequestException",
            format!("WorkGroup {group} is not found."),
            None,
        ));
    }
    let ids: Vec<&str> = ctx
        .world
        .services()
        .athena
        .executions()
        .iter()
        .rev()
        .map(|q| q.id.as_str())
        .collect();
    Ok(json!({ "QueryExecutionIds": ids }))
}

fn stop_query_execution(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .athena
        .stop_query(&mut env, args.required_text("--query-execution-id"))?;
    Ok(json!({}))
}

fn list_databases(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let catalog = args.required_text("--catalog-name");
    if !catalog.eq_ignore_ascii_case(CATALOG_NAME) {
        return Err(CallError::api(
            "MetadataException",
            format!("Catalog {catalog} does not exist"),
            None,
        ));
    }
    let databases: Vec<Value> = ctx
        .world
        .services()
        .athena
        .catalog
        .databases()
        .map(|db| {
            let mut entry = json!({ "Name": db.name });
            if let Some(comment) = &db.comment {
                entry["Description"] = json!(comment);
            }
            entry["Parameters"] = json!({});
            entry
        })
        .collect();
    Ok(json!({ "DatabaseList": databases }))
}
