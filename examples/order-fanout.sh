# Event-driven fan-out: one OrderPlaced event, two services that never call each other.
#
# order-router publishes each order to the `orders` bus; a rule on the bus sends every
# OrderPlaced event to invoice-service and to payment-service, and a second rule copies large
# orders to a queue for a person to review. Payment declines orders over its limit, and Lambda
# retries the failed asynchronous invocation twice.

aws s3 mb s3://shop-invoices
aws events create-event-bus --name orders
aws sqs create-queue --queue-name manual-review

aws iam create-role --role-name shop-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name shop-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws iam put-role-policy --role-name shop-role --policy-name shop --policy-document '{"Version": "2012-10-17", "Statement": [{"Sid": "PublishOrders", "Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:123456789012:event-bus/orders"}, {"Sid": "WriteInvoices", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shop-invoices/invoices/*"}]}'

aws lambda create-function --function-name order-router --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/shop-role --zip-file fileb://order-router.zip --environment 'Variables={EVENT_BUS=orders}'
aws lambda create-function --function-name invoice-service --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/shop-role --zip-file fileb://invoice-service.zip --environment 'Variables={BUCKET=shop-invoices}'
aws lambda create-function --function-name payment-service --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/shop-role --zip-file fileb://payment-service.zip --environment 'Variables={LIMIT=1000}'

# Every OrderPlaced event goes to both services.
aws events put-rule --name order-placed --event-bus-name orders --event-pattern '{"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}'
aws lambda add-permission --function-name invoice-service --statement-id order-placed --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/orders/order-placed
aws lambda add-permission --function-name payment-service --statement-id order-placed --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/orders/order-placed
aws events put-targets --rule order-placed --event-bus-name orders --targets Id=invoice,Arn=arn:aws:lambda:us-east-1:123456789012:function:invoice-service Id=payment,Arn=arn:aws:lambda:us-east-1:123456789012:function:payment-service

# Orders over 500 also wait for a person.
aws events put-rule --name large-orders --event-bus-name orders --event-pattern '{"source": ["shop.orders"], "detail": {"amount": [{"numeric": [">", 500]}]}}'
aws events put-targets --rule large-orders --event-bus-name orders --targets Id=review,Arn=arn:aws:sqs:us-east-1:123456789012:manual-review

aws lambda invoke --function-name order-router --cli-binary-format raw-in-base64-out --payload '{"order_id": "o-1001", "customer": "kim", "amount": 42.5}' out.json
aws lambda invoke --function-name order-router --cli-binary-format raw-in-base64-out --payload '{"order_id": "o-1002", "customer": "lee", "amount": 780}' out.json
aws lambda invoke --function-name order-router --cli-binary-format raw-in-base64-out --payload '{"order_id": "o-1003", "customer": "park", "amount": 2400}' out.json

# Lambda retries the declined payment one and then two minutes later.
sim advance 4m
aws s3 ls s3://shop-invoices/invoices/
aws logs tail /aws/lambda/payment-service --since 10m --format short
aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/manual-review --max-number-of-messages 10
