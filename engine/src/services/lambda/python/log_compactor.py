import os
from datetime import datetime, timedelta, timezone

import boto3

athena = boto3.client("athena")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def lambda_handler(event, context):
    window = timedelta(minutes=int(os.environ.get("WINDOW_MINUTES", "5")))
    fired = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) \
        if "time" in event else datetime.now(timezone.utc)
    # The window that ended at the last boundary: [start, end).
    end = fired - (fired - EPOCH) % window
    start = end - window
    database = os.environ["SOURCE_DATABASE"]
    table = os.environ["SOURCE_TABLE"]
    new_table = os.environ["NEW_TABLE_NAME"]
    bucket = os.environ["BUCKET"]
    query = f"""CREATE TABLE "{database}"."{new_table}_{start:%Y%m%d_%H%M}"
WITH (format = 'PARQUET', parquet_compression = 'SNAPPY',
      external_location = 's3://{bucket}/{new_table}/{start:%Y/%m/%d/%H%M}/',
      bucketed_by = ARRAY['device_name'], bucket_count = 1)
AS SELECT * FROM "{database}"."{table}"
WHERE "timestamp" >= '{start:%Y-%m-%d %H:%M:%S}' AND "timestamp" < '{end:%Y-%m-%d %H:%M:%S}'"""
    response = athena.start_query_execution(
        QueryString=query,
        QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": f"s3://{bucket}/athena-results/"},
    )
    query_id = response["QueryExecutionId"]
    print(f"compacting [{start:%Y-%m-%d %H:%M:%S.000}, {end:%Y-%m-%d %H:%M:%S.000}) with query {query_id}")
    return {"statusCode": 200, "body": query_id}
