import json
import os

import boto3

events = boto3.client("events")


def lambda_handler(event, context):
    order_id = event["order_id"]
    entry = {
        "Source": "shop.orders",
        "DetailType": "OrderPlaced",
        "Detail": json.dumps(event),
        "EventBusName": os.environ.get("EVENT_BUS", "default"),
    }
    response = events.put_events(Entries=[entry])
    event_id = response["Entries"][0]["EventId"]
    print(f"routed order {order_id} as event {event_id}")
    return {"statusCode": 200, "body": event_id}
