import os


class PaymentDeclined(Exception):
    pass


def lambda_handler(event, context):
    order = event.get("detail", event)
    amount = float(order.get("amount", 0))
    limit = float(os.environ.get("LIMIT", "1000"))
    customer = order.get("customer", "unknown")
    if amount > limit:
        raise PaymentDeclined(f"amount {amount} is over the limit of {limit}")
    print(f"charged {customer} {amount}")
    return {"status": "PAID", "customer": customer, "amount": amount}
