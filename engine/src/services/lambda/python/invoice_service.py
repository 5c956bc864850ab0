import json
import os

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    order = event.get("detail", event)
    order_id = order["order_id"]
    amount = order.get("amount", 0)
    invoice = {"invoice_id": f"INV-{order_id}", "order_id": order_id, "amount": amount}
    bucket = os.environ.get("BUCKET")
    if bucket:
        key = f"invoices/{order_id}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(invoice))
    print(f"invoice INV-{order_id} for {amount}")
    return invoice
