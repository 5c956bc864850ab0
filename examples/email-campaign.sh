# A marketing email campaign: customers go on an SQS queue in batches, an event source mapping
# hands them to the email-sender function ten at a time, and a message the function cannot send
# (it has no email address) is retried until the queue's redrive policy moves it to a
# dead-letter queue. ReportBatchItemFailures makes only that message fail, so no customer gets
# the email twice.

# The dead-letter queue first: the campaign queue's redrive policy names it. After three
# receives a message moves there. The visibility timeout (60 s) outlasts the function's (30 s).
aws sqs create-queue --queue-name campaign-dlq
aws sqs create-queue --queue-name campaign-emails --attributes '{"VisibilityTimeout": "60", "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:campaign-dlq\",\"maxReceiveCount\":\"3\"}"}'
aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-emails --attribute-names VisibilityTimeout RedrivePolicy

# The function's role: its logs (AWSLambdaBasicExecutionRole) and the queue
# (AWSLambdaSQSQueueExecutionRole: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes).
aws iam create-role --role-name email-sender-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name email-sender-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws iam attach-role-policy --role-name email-sender-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole
aws lambda create-function --function-name email-sender --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/email-sender-role --zip-file fileb://email-sender.zip --timeout 30

# Lambda polls the queue and invokes the function with up to ten messages at a time.
aws lambda create-event-source-mapping --function-name email-sender --event-source-arn arn:aws:sqs:us-east-1:123456789012:campaign-emails --batch-size 10 --function-response-types ReportBatchItemFailures
aws lambda list-event-source-mappings --function-name email-sender

# Fifteen customers in two batches (at most ten entries a request), and one message without an
# email address: the poison message.
aws sqs send-message-batch --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-emails --entries '[{"Id": "c01", "MessageBody": "{\"email\": \"ana@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c02", "MessageBody": "{\"email\": \"ben@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c03", "MessageBody": "{\"email\": \"chloe@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c04", "MessageBody": "{\"email\": \"dev@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c05", "MessageBody": "{\"email\": \"eva@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c06", "MessageBody": "{\"email\": \"farid@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c07", "MessageBody": "{\"email\": \"grace@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c08", "MessageBody": "{\"email\": \"hiro@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c09", "MessageBody": "{\"email\": \"ines@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c10", "MessageBody": "{\"email\": \"jon@example.com\", \"subject\": \"Summer sale: 20% off\"}"}]'
aws sqs send-message-batch --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-emails --entries '[{"Id": "c11", "MessageBody": "{\"email\": \"kofi@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c12", "MessageBody": "{\"email\": \"lena@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c13", "MessageBody": "{\"email\": \"mo@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c14", "MessageBody": "{\"email\": \"nia@example.com\", \"subject\": \"Summer sale: 20% off\"}"}, {"Id": "c15", "MessageBody": "{\"email\": \"omar@example.com\", \"subject\": \"Summer sale: 20% off\"}"}]'
aws sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-emails --message-body '{"subject": "Summer sale: 20% off"}'

# Ten minutes: two batches right away, then the poison message comes back every 60 seconds
# until its fourth receive attempt moves it to the dead-letter queue.
sim advance 10m
aws logs tail /aws/lambda/email-sender --since 15m
aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-emails --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/campaign-dlq --attribute-names All
