import json
import os
import random
import uuid
from datetime import datetime, timedelta, timezone

import boto3

s3 = boto3.client("s3")
DEVICES = ["sensor-01", "sensor-02", "sensor-03", "sensor-04", "sensor-05"]


def lambda_handler(event, context):
    bucket = os.environ["BUCKET"]
    prefix = os.environ.get("PREFIX", "logs/")
    count = int(os.environ.get("RECORDS", "10"))
    now = datetime.now(timezone.utc)
    lines = []
    for i in range(count):
        at = now + timedelta(milliseconds=i)
        lines.append(json.dumps({
            "timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "device_name": random.choice(DEVICES),
            "metric": random.randint(0, 100),
        }))
    key = f"{prefix}{now:%Y/%m/%d/%H%M%S}-{uuid.uuid4().hex[:8]}.json"
    s3.put_object(Bucket=bucket, Key=key, Body="\n".join(lines))
    print(f"wrote {count} records to s3://{bucket}/{key}")
    return {"statusCode": 200, "body": json.dumps({"key": key, "records": count})}
