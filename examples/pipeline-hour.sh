# The course's serverless log pipeline, run for one simulated hour with the real commands.
#
# log-generator (every minute) writes one JSON file of sensor logs to S3; log-compactor (every
# five minutes) asks Athena for a CTAS that turns the last five-minute window into one Snappy
# Parquet file. The generator first fails with AccessDenied: its role may write logs but not
# objects, and the fix is the one permission it needs, on the one prefix it writes.

sim set-time 2022-06-11T23:59:00Z
aws s3 mb s3://sensor-logs

# The generator's role: Lambda may assume it; it may write its own logs, nothing else yet.
aws iam create-role --role-name log-generator-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name log-generator-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws lambda create-function --function-name log-generator --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/log-generator-role --zip-file fileb://log-generator.zip --environment 'Variables={BUCKET=sensor-logs,PREFIX=logs/}'

# A test run fails: the role may not put objects.
aws lambda invoke --function-name log-generator response.json
aws logs tail /aws/lambda/log-generator --since 5m
sim least-privilege log-generator-role

# Least privilege: s3:PutObject on the generator's prefix only (not AmazonS3FullAccess).
aws iam put-role-policy --role-name log-generator-role --policy-name write-sensor-logs --policy-document '{"Version": "2012-10-17", "Statement": [{"Sid": "WriteSensorLogs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::sensor-logs/logs/*"}]}'
aws lambda invoke --function-name log-generator response.json
cat response.json

# The Athena table over the JSON files. Queries run asynchronously: the database must exist
# before the table is created in it, so wait for the first one.
aws athena start-query-execution --query-string 'CREATE DATABASE sensors' --result-configuration OutputLocation=s3://sensor-logs/athena-results/
sim advance 5s
aws athena start-query-execution --query-string "CREATE EXTERNAL TABLE sensors.raw_logs (\`timestamp\` string, device_name string, metric int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://sensor-logs/logs/'" --result-configuration OutputLocation=s3://sensor-logs/athena-results/
sim advance 5s

# The compactor, with the permissions the course gives it.
aws iam create-role --role-name log-compactor-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name log-compactor-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws iam attach-role-policy --role-name log-compactor-role --policy-arn arn:aws:iam::aws:policy/AmazonAthenaFullAccess
aws iam attach-role-policy --role-name log-compactor-role --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess
aws lambda create-function --function-name log-compactor --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/log-compactor-role --zip-file fileb://log-compactor.zip --timeout 30 --environment 'Variables={SOURCE_DATABASE=sensors,SOURCE_TABLE=raw_logs,NEW_TABLE_NAME=compacted,BUCKET=sensor-logs}'

# Every minute, on the minute: EventBridge may invoke the generator from this rule only.
aws events put-rule --name every-minute --schedule-expression 'cron(* * * * ? *)'
aws lambda add-permission --function-name log-generator --statement-id every-minute --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/every-minute
aws events put-targets --rule every-minute --targets Id=log-generator,Arn=arn:aws:lambda:us-east-1:123456789012:function:log-generator

# From 00:00 the generator runs; the compactor's first window is [00:00, 00:05).
sim set-time 2022-06-12T00:00:30Z
aws events put-rule --name every-five-minutes --schedule-expression 'cron(0/5 * * * ? *)'
aws lambda add-permission --function-name log-compactor --statement-id every-five-minutes --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/every-five-minutes
aws events put-targets --rule every-five-minutes --targets Id=log-compactor,Arn=arn:aws:lambda:us-east-1:123456789012:function:log-compactor

# One hour: the generator's 60th run is at 00:59; the compactor's 12th, at 01:00, takes [00:55, 01:00).
sim at 2022-06-12T00:59:30Z aws events disable-rule --name every-minute
sim set-time 2022-06-12T01:01:00Z

aws s3 ls s3://sensor-logs/compacted/ --recursive
aws logs tail /aws/lambda/log-compactor --since 2m
