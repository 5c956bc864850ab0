import time


def lambda_handler(event, context):
    if "sleep_ms" in event:
        time.sleep(event["sleep_ms"] / 1000)
    if "memory_mb" in event:
        ballast = bytearray(event["memory_mb"] * 1024 * 1024)
    if "fail" in event:
        raise Exception(event["fail"])
    print(f"event: {event}")
    return event
