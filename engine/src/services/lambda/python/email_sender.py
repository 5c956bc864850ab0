import json


def lambda_handler(event, context):
    sent = 0
    for record in event.get("Records", []):
        message = json.loads(record["body"])
        to = message.get("email", "nobody")
        subject = message.get("subject", "")
        # A real sender would call SES here; the playground prints instead.
        print(f"sent '{subject}' to {to}")
        sent += 1
    return {"sent": sent, "batchItemFailures": []}
