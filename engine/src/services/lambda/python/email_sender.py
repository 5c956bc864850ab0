import json


def lambda_handler(event, context):
    sent = 0
    failures = []
    for record in event.get("Records", []):
        message = json.loads(record["body"])
        to = message.get("email")
        if to is None:
            # Only this record failed: with ReportBatchItemFailures on, Lambda deletes the rest
            # of the batch and SQS delivers this one again.
            print(f"no email address in message {record['messageId']}")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        subject = message.get("subject", "")
        # A real sender would call SES here; the playground prints instead.
        print(f"sent '{subject}' to {to}")
        sent += 1
    return {"sent": sent, "batchItemFailures": failures}
