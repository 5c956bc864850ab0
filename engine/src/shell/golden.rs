//! Golden transcripts of whole sessions: what a learner types and exactly what they see. Review
//! changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`).

use crate::api::Session;
use crate::shell::split_script;

/// Runs `script` and returns a transcript: `$ line`, its output, and `[failed]` after failures.
fn transcript(session: &mut Session, script: &str) -> String {
    let mut out = String::new();
    for entry in split_script(script) {
        out.push_str(&format!("$ {}\n", entry.source));
        let outcome = session.exec_entry(&entry);
        out.push_str(&outcome.output);
        if !outcome.ok {
            out.push_str("[failed]\n");
        }
    }
    out
}

fn check(name: &str, script: &str) {
    let mut session = Session::with_seed(1);
    insta::assert_snapshot!(name, transcript(&mut session, script));
}

#[test]
fn clock_commands() {
    check(
        "clock_commands",
        "sim time\nsim advance 90s\nsim time\nsim advance 1h30m\nsim set-time 2022-06-13T00:00:00Z\nsim time",
    );
}

// Schedule previews; the expressions and their rules are the EventBridge user guide's
// ("Cron expressions reference", "Rate expressions").
#[test]
fn schedule_previews() {
    check(
        "schedule_previews",
        "sim schedule next \"rate(5 minutes)\" --count 3\n\
         sim schedule next \"cron(0/5 * * * ? *)\" --from 2022-06-12T00:03:00Z --count 3\n\
         sim schedule next \"cron(0 9 ? * MON-FRI *)\" --count 2\n\
         sim schedule next \"cron(0 0 1 1 ? 2023)\" --count 2\n\
         sim schedule next \"cron(0/5 * * * *)\"\n\
         sim schedule next \"rate(1 minutes)\"\n\
         sim schedule next \"cron(0 10 * * * *)\"\n\
         sim schedule next rate(5 minutes)\n\
         sim schedule next \"rate(5 minutes)\" --count 0\n\
         sim schedule next \"rate(5 minutes)\" --from yesterday\n\
         sim schedule later \"rate(5 minutes)\"\n\
         sim time",
    );
}

#[test]
fn scheduled_commands_and_steps() {
    check(
        "scheduled_commands_and_steps",
        "sim step\nsim after 30s echo hi\nsim at 2022-06-12T00:10:00Z cat nothing.txt\nsim events\nsim step\nsim time\nsim advance 20m\nsim events\nsim trace",
    );
}

#[test]
fn undo_reset_and_seed() {
    check(
        "undo_reset_and_seed",
        "sim undo\nsim advance 5m\nsim seed 9\nsim seed\nsim undo\nsim seed\nsim reset --seed 3 --start 2023-01-01\nsim time\nsim undo\nsim time",
    );
}

#[test]
fn pipes_heredocs_and_builtins() {
    check(
        "pipes_heredocs_and_builtins",
        "echo hello world | cat\necho -n no newline\ncat <<EOF\nline 1\n  line 2\nEOF\ncat - <<'END' | cat\npiped $HOME\nEND\nhelp",
    );
}

#[test]
fn bad_input_is_explained() {
    check(
        "bad_input_is_explained",
        "sim advance -5m\nsim advance 5x\nsim advance 5\nsim advance\nsim advance 1m 2m\nsim advance 3661d\n\
         sim set-time tomorrow\nsim step 0\nsim trace --last\nsim trace --bogus\nsim tiem\nsm time\nkubectl get pods\n\
         echo 'unterminated\nsim after 5s sim advance 1m\nsim at 2022-06-11T00:00:00Z echo past\nsim seed -1\nhelp nothing\ncat missing.txt",
    );
}

#[test]
fn aws_cli_shapes() {
    check(
        "aws_cli_shapes",
        "aws sts get-caller-identity\naws sts get-caller-identity --output text\naws sts get-access-key-info --access-key-id AKIAIOSFODNN7EXAMPLE\n\
         aws sts get-access-key-info --access-key-id AKIA\naws\naws nosuchservice list\naws sts\naws sts get-caller-identiy\n\
         aws sts get-caller-identity --bogus x\naws sts get-access-key-info\naws sts get-caller-identity --output xml\naws --region",
    );
}

#[test]
fn s3_buckets_and_objects() {
    check(
        "s3_buckets_and_objects",
        "aws s3 mb s3://course-logs\naws s3 mb s3://course-logs\naws s3 mb s3://logs\naws s3 mb s3://Bad_Name\n\
         echo '{\"device_name\": \"sensor-1\", \"metric\": 42.5}' | aws s3 cp - s3://course-logs/raw/2022/06/12/00-00.json\n\
         sim advance 1m\n\
         aws s3api put-object --bucket course-logs --key raw/2022/06/12/00-01.json --content-type application/json --metadata source=generator\n\
         aws s3 ls\naws s3 ls s3://course-logs\naws s3 ls s3://course-logs/raw/2022/06/12/\naws s3 ls s3://course-logs --recursive --summarize --human-readable\n\
         aws s3 ls s3://course-logs/nothing/\n\
         aws s3api list-objects-v2 --bucket course-logs --prefix raw/ --max-items 1\n\
         aws s3api list-objects-v2 --bucket course-logs --delimiter /\n\
         aws s3api head-object --bucket course-logs --key raw/2022/06/12/00-01.json\n\
         aws s3api head-object --bucket course-logs --key missing.json\n\
         aws s3api get-object --bucket course-logs --key missing.json out.json\n\
         aws s3api get-object --bucket nope --key a out.json\n\
         aws s3 cp s3://course-logs/raw/2022/06/12/00-00.json -\n\
         aws s3 rb s3://course-logs\n\
         aws s3 rm s3://course-logs/raw/ --recursive\n\
         aws s3 rb s3://course-logs",
    );
}

#[test]
fn s3_storage_classes_and_restore() {
    check(
        "s3_storage_classes_and_restore",
        "aws s3 mb s3://archive-bucket\n\
         echo old report | aws s3 cp - s3://archive-bucket/reports/2021.txt --storage-class DEEP_ARCHIVE\n\
         aws s3 cp s3://archive-bucket/reports/2021.txt -\n\
         aws s3api get-object --bucket archive-bucket --key reports/2021.txt out.txt\n\
         aws s3api restore-object --bucket archive-bucket --key reports/2021.txt --restore-request Days=2,GlacierJobParameters={Tier=Expedited}\n\
         aws s3api restore-object --bucket archive-bucket --key reports/2021.txt --restore-request '{\"Days\": 2, \"GlacierJobParameters\": {\"Tier\": \"Standard\"}}'\n\
         aws s3api head-object --bucket archive-bucket --key reports/2021.txt\n\
         aws s3api restore-object --bucket archive-bucket --key reports/2021.txt --restore-request Days=1\n\
         sim events\nsim advance 12h\n\
         aws s3api head-object --bucket archive-bucket --key reports/2021.txt\n\
         aws s3 cp s3://archive-bucket/reports/2021.txt -\n\
         sim advance 4d\n\
         aws s3 cp s3://archive-bucket/reports/2021.txt -\n\
         aws s3api copy-object --copy-source archive-bucket/reports/2021.txt --bucket archive-bucket --key copy.txt\n\
         echo fresh | aws s3 cp - s3://archive-bucket/hot.txt\n\
         aws s3api restore-object --bucket archive-bucket --key hot.txt --restore-request Days=1\n\
         aws s3api copy-object --copy-source archive-bucket/hot.txt --bucket archive-bucket --key hot.txt --storage-class GLACIER_IR\n\
         aws s3api head-object --bucket archive-bucket --key hot.txt\n\
         aws s3api put-object --bucket archive-bucket --key x --storage-class COLD",
    );
}

#[test]
fn s3_lifecycle_over_a_year() {
    check(
        "s3_lifecycle_over_a_year",
        "aws s3 mb s3://lifecycle-demo\n\
         aws s3api put-bucket-lifecycle-configuration --bucket lifecycle-demo --lifecycle-configuration '{\"Rules\": [{\"ID\": \"x\", \"Status\": \"Enabled\", \"Transitions\": [{\"Days\": 7, \"StorageClass\": \"STANDARD_IA\"}]}]}'\n\
         aws s3api put-bucket-lifecycle-configuration --bucket lifecycle-demo --lifecycle-configuration '{\"Rules\": [{\"ID\": \"x\", \"Statuss\": \"Enabled\"}]}'\n\
         aws s3api put-bucket-lifecycle-configuration --bucket lifecycle-demo --lifecycle-configuration '{\"Rules\": [{\"ID\": \"x\", \"Status\": \"Enabled\", \"Expiration\": {\"Days\": \"30\"}}]}'\n\
         aws s3api put-bucket-lifecycle-configuration --bucket lifecycle-demo --lifecycle-configuration '{Rules: []}'\n\
         aws s3api get-bucket-lifecycle-configuration --bucket lifecycle-demo\n\
         aws s3api put-bucket-lifecycle-configuration --bucket lifecycle-demo --lifecycle-configuration '{\"Rules\": [\
         {\"ID\": \"archive-logs\", \"Filter\": {\"Prefix\": \"log-\"}, \"Status\": \"Enabled\", \"Transitions\": [{\"Days\": 30, \"StorageClass\": \"STANDARD_IA\"}, {\"Days\": 90, \"StorageClass\": \"GLACIER\"}], \"Expiration\": {\"Days\": 365}},\
         {\"ID\": \"small-too\", \"Filter\": {\"And\": {\"Prefix\": \"tiny/\", \"ObjectSizeGreaterThan\": 0}}, \"Status\": \"Enabled\", \"Transitions\": [{\"Days\": 0, \"StorageClass\": \"GLACIER_IR\"}]}]}'\n\
         aws s3api get-bucket-lifecycle-configuration --bucket lifecycle-demo\n\
         echo 'a small log' | aws s3 cp - s3://lifecycle-demo/log-small.txt\n\
         echo 'tiny' | aws s3 cp - s3://lifecycle-demo/tiny/a.txt\n\
         sim advance 1d\n\
         aws s3 ls s3://lifecycle-demo --recursive\n\
         aws s3api head-object --bucket lifecycle-demo --key tiny/a.txt\n\
         sim advance 365d\n\
         aws s3 ls s3://lifecycle-demo --recursive\n\
         sim trace --last 4",
    );
}

// Rules and buses in the EventBridge API's shapes (PutRule, DescribeRule, ListRules, …); the
// validation texts follow the API reference's constraints.
#[test]
fn eventbridge_scheduled_rules() {
    check(
        "eventbridge_scheduled_rules",
        "aws events put-rule --name log-generator-every-minute --schedule-expression \"rate(1 minute)\"\n\
         aws events put-rule --name log-compactor --schedule-expression \"cron(0/5 * * * ? *)\" --description \"compact the last five minutes\"\n\
         aws events list-rules\n\
         sim advance 5m\n\
         sim trace --last 3\n\
         aws events disable-rule --name log-generator-every-minute\n\
         sim advance 2m\n\
         sim trace --last 2\n\
         aws events describe-rule --name log-generator-every-minute\n\
         aws events enable-rule --name log-generator-every-minute\n\
         sim events\n\
         aws events delete-rule --name log-compactor\n\
         aws events delete-rule --name log-compactor\n\
         sim events\n\
         aws events list-rules --name-prefix log-c\n\
         aws events create-event-bus --name orders\n\
         aws events put-rule --name new-order --event-bus-name orders --event-pattern '{\"source\": [\"shop.orders\"], \"detail-type\": [\"OrderPlaced\"]}'\n\
         aws events list-event-buses\n\
         aws events put-rule --name every-5 --schedule-expression \"cron(0/5 * * * *)\"\n\
         aws events put-rule --name every-5 --schedule-expression \"rate(5 minute)\"\n\
         aws events put-rule --name on-bus --event-bus-name orders --schedule-expression \"rate(5 minutes)\"\n\
         aws events put-rule --name nothing\n\
         aws events put-rule --name \"bad name\" --schedule-expression \"rate(5 minutes)\"\n\
         aws events put-rule --name p --event-pattern '{\"detail\": {\"state\": \"ok\"}}'\n\
         aws events put-rule --name p --event-pattern '{\"source\": [\"a\"]}' --state PAUSED\n\
         aws events describe-rule --name missing\n\
         aws events list-rules --event-bus-name nope\n\
         aws events create-event-bus --name orders\n\
         aws events list-rules --name-prefix every\n\
         aws events test-event-pattern --event-pattern '{\"source\": [\"shop.orders\"], \"detail\": {\"total\": [{\"numeric\": [\">=\", 20]}]}}' --event '{\"id\": \"1\", \"account\": \"123456789012\", \"source\": \"shop.orders\", \"time\": \"2022-06-12T00:00:00Z\", \"region\": \"us-east-1\", \"resources\": [], \"detail-type\": \"OrderPlaced\", \"detail\": {\"total\": 30}}'\n\
         aws events test-event-pattern --event-pattern '{\"source\": [\"shop.orders\"]}' --event '{\"source\": \"shop.orders\"}'\n\
         aws events test-event-pattern --event-pattern '{\"source\": [{\"prefixx\": \"shop\"}]}' --event '{}'",
    );
}

// The course's fan-out example: an order event on a custom bus matched by two rules.
#[test]
fn eventbridge_put_events() {
    check(
        "eventbridge_put_events",
        "aws events create-event-bus --name orders\n\
         aws events put-rule --name to-invoice --event-bus-name orders --event-pattern '{\"source\": [\"shop.orders\"], \"detail-type\": [\"OrderPlaced\"]}'\n\
         aws events put-rule --name big-to-payment --event-bus-name orders --event-pattern '{\"source\": [\"shop.orders\"], \"detail\": {\"total\": [{\"numeric\": [\">=\", 100]}]}}'\n\
         aws events put-events --entries '[{\"Source\": \"shop.orders\", \"DetailType\": \"OrderPlaced\", \"Detail\": \"{\\\"total\\\": 120}\", \"EventBusName\": \"orders\"}, {\"Source\": \"shop.orders\", \"DetailType\": \"OrderPlaced\", \"Detail\": \"{\\\"total\\\": 20}\", \"EventBusName\": \"orders\"}]'\n\
         sim trace --last 5\n\
         aws events put-events --entries '[{\"Source\": \"shop.orders\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"[1]\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\", \"EventBusName\": \"nope\"}]'\n\
         aws events put-events --entries '[]'\n\
         aws events put-events --entries '[{\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}, {\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{}\"}]'\n\
         sim trace --last 1",
    );
}

// What targets receive (EventBridge User Guide, "Amazon EventBridge input transformation"):
// a constant Input, the InputPath's part, or an InputTransformer's template with the guide's
// variables; PutTargets' errors as AWS words them (LocalStack's recordings against AWS).
// PutEvents' Time (PutEventsRequestEntry) and the 256 KB request size ("Calculating PutEvents
// event entry size").
#[test]
fn eventbridge_target_inputs() {
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012";
    let transformer = r#"{"InputPathsMap": {"instance": "$.detail.instance-id", "state": "$.detail.state"}, "InputTemplate": "{\"instance\": <instance>, \"status\": \"instance <instance> is <state>\", \"rule\": <aws.events.rule-name>, \"at\": <aws.events.event.ingestion-time>}"}"#;
    let event = r#"{"Source": "aws.ec2", "DetailType": "EC2 Instance State-change Notification", "Detail": "{\"instance-id\": \"i-0123456789\", \"state\": \"RUNNING\"}", "Time": "2015-11-11T21:29:54Z"}"#;
    // Two entries of 140,000 bytes each: over 256 KB together, so the request fails whole.
    let detail = format!(r#"{{"pad": "{}"}}"#, "x".repeat(140_000 - 12));
    let entry = serde_json::json!({"Source": "a", "DetailType": "b", "Detail": detail});
    let big = serde_json::json!([entry, entry]).to_string();
    let mut session = Session::with_seed(1);
    session.write_file("big.json", big.as_bytes()).unwrap();
    let script = format!(
        "aws sqs create-queue --queue-name whole\n\
             aws sqs create-queue --queue-name shaped\n\
             aws events put-rule --name ec2 --event-pattern '{{\"source\": [\"aws.ec2\"]}}'\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"constant\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:shaped\", \"Input\": \"{{\\\"note\\\": \\\"fixed\\\"}}\"}}, {{\"Id\": \"detail\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:shaped\", \"InputPath\": \"$.detail\"}}, {{\"Id\": \"template\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:shaped\", \"InputTransformer\": {transformer}}}, {{\"Id\": \"whole\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\"}}]'\n\
             aws events list-targets-by-rule --rule ec2\n\
             sim advance 5s\n\
             aws events put-events --entries '[{event}]'\n\
             aws sqs receive-message --queue-url {q}/shaped --max-number-of-messages 10\n\
             aws sqs receive-message --queue-url {q}/whole\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"x\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\", \"Input\": \"{{}}\", \"InputPath\": \"$.detail\"}}]'\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"x\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\", \"InputTransformer\": {{\"InputTemplate\": \"<nope> happened\"}}}}]'\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"x\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\", \"Input\": \"not json\"}}]'\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"x\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\", \"InputPath\": \"detail\"}}]'\n\
             aws events put-targets --rule ec2 --targets '[{{\"Id\": \"x\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\"}}, {{\"Id\": \"y\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:whole\"}}]'\n\
             aws events list-targets-by-rule --rule ec2\n\
             aws events put-events --entries '[{{\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{{}}\", \"Time\": \"yesterday\"}}]'\n\
             aws events put-events --entries '[{{\"Source\": \"a\", \"DetailType\": \"b\", \"Detail\": \"{{}}\", \"Time\": 1447277394}}]'\n\
             aws events put-events --entries file://big.json"
    );
    insta::assert_snapshot!(
        "eventbridge_target_inputs",
        transcript(&mut session, &script)
    );
}

// At-least-once delivery: a message received and not deleted within the visibility timeout
// comes back with a new receipt handle (SQS Developer Guide, "Amazon SQS visibility timeout").
#[test]
fn sqs_queues_and_visibility() {
    check(
        "sqs_queues_and_visibility",
        "aws sqs create-queue --queue-name marketing-emails --attributes VisibilityTimeout=60\n\
         aws sqs create-queue --queue-name marketing-emails --attributes VisibilityTimeout=60\n\
         aws sqs list-queues\n\
         aws sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --message-body \"hello 1\"\n\
         aws sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --message-body \"hello 2\" --delay-seconds 30\n\
         aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --max-number-of-messages 10\n\
         aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --attribute-names All\n\
         sim advance 61s\n\
         aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --max-number-of-messages 10\n\
         aws sqs delete-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --receipt-handle 489ff253-d51b-4be5-b5ea-8d36e9e22058-7609dfe0-7eff-4a17-a714-3f42b5c5488e\n\
         aws sqs delete-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --receipt-handle 19762de5-d5db-4e23-8390-1a0bf9e9e1a1-7415efbf-72a6-4be2-87bd-11da7391671d\n\
         aws sqs delete-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --receipt-handle made-up\n\
         sim trace --last 5\n\
         aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --attribute-names ApproximateNumberOfMessages,ApproximateNumberOfMessagesNotVisible\n\
         aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --attribute-names Colour\n\
         aws sqs get-queue-url --queue-name nope\n\
         aws sqs create-queue --queue-name marketing-emails --attributes VisibilityTimeout=5\n\
         aws sqs create-queue --queue-name \"bad name\"\n\
         aws sqs create-queue --queue-name q --attributes Color=blue\n\
         aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --max-number-of-messages 11\n\
         aws sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails --message-body x --delay-seconds 901\n\
         aws sqs purge-queue --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails\n\
         aws sqs receive-message --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails\n\
         aws sqs delete-queue --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/marketing-emails\n\
         aws sqs list-queues",
    );
}

// Fan-out (EventBridge User Guide, "Amazon EventBridge targets"): one order event, two rules,
// each sending it to its own queue; a scheduled rule feeding a queue every minute.
#[test]
fn eventbridge_targets_fan_out_to_queues() {
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012";
    check(
        "eventbridge_targets_fan_out_to_queues",
        &format!(
            "aws sqs create-queue --queue-name invoice\n\
             aws sqs create-queue --queue-name payment\n\
             aws events create-event-bus --name orders\n\
             aws events put-rule --name to-invoice --event-bus-name orders --event-pattern '{{\"source\": [\"shop.orders\"]}}'\n\
             aws events put-rule --name big-to-payment --event-bus-name orders --event-pattern '{{\"detail\": {{\"total\": [{{\"numeric\": [\">=\", 100]}}]}}}}'\n\
             aws events put-targets --rule to-invoice --event-bus-name orders --targets Id=invoice,Arn=arn:aws:sqs:us-east-1:123456789012:invoice\n\
             aws events put-targets --rule big-to-payment --event-bus-name orders --targets '[{{\"Id\": \"payment\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:payment\"}}, {{\"Id\": \"fn\", \"Arn\": \"arn:aws:lambda:us-east-1:123456789012:function:payment-service\"}}]'\n\
             aws events list-targets-by-rule --rule big-to-payment --event-bus-name orders\n\
             aws events put-events --entries '[{{\"Source\": \"shop.orders\", \"DetailType\": \"OrderPlaced\", \"Detail\": \"{{\\\"total\\\": 120}}\", \"EventBusName\": \"orders\"}}]'\n\
             sim trace --last 6\n\
             aws sqs receive-message --queue-url {q}/payment\n\
             aws sqs get-queue-attributes --queue-url {q}/invoice --attribute-names ApproximateNumberOfMessages\n\
             aws events remove-targets --rule big-to-payment --event-bus-name orders --ids fn\n\
             aws events list-targets-by-rule --rule big-to-payment --event-bus-name orders\n\
             aws sqs create-queue --queue-name ticks\n\
             aws events put-rule --name every-minute --schedule-expression \"rate(1 minute)\"\n\
             aws events put-targets --rule every-minute --targets Id=ticks,Arn=arn:aws:sqs:us-east-1:123456789012:ticks\n\
             sim advance 3m\n\
             aws sqs get-queue-attributes --queue-url {q}/ticks --attribute-names ApproximateNumberOfMessages\n\
             aws events put-targets --rule missing --targets Id=a,Arn=arn:aws:sqs:us-east-1:123456789012:ticks\n\
             aws events put-targets --rule every-minute --targets Id=a,Arn=ticks\n\
             aws events put-targets --rule every-minute --targets Id=a\n\
             aws events put-targets --rule every-minute --targets '[{{\"Id\": \"a\", \"Arn\": \"arn:aws:sqs:us-east-1:123456789012:ticks\", \"Input\": \"{{}}\"}}]'"
        ),
    );
}

#[test]
fn s3_versioning_and_replication() {
    check(
        "s3_versioning_and_replication",
        "sim seed 3\naws s3 mb s3://source-data\naws s3 mb s3://partner-copy\n\
         aws s3api put-bucket-replication --bucket source-data --replication-configuration '{\"Role\": \"arn:aws:iam::123456789012:role/replication\", \"Rules\": [{\"ID\": \"to-partner\", \"Priority\": 1, \"Status\": \"Enabled\", \"Filter\": {\"Prefix\": \"share/\"}, \"DeleteMarkerReplication\": {\"Status\": \"Disabled\"}, \"Destination\": {\"Bucket\": \"arn:aws:s3:::partner-copy\"}}]}'\n\
         aws s3api put-bucket-versioning --bucket source-data --versioning-configuration Status=Enabled\n\
         aws s3api get-bucket-versioning --bucket source-data\n\
         aws s3api put-bucket-replication --bucket source-data --replication-configuration '{\"Role\": \"arn:aws:iam::123456789012:role/replication\", \"Rules\": [{\"ID\": \"to-partner\", \"Priority\": 1, \"Status\": \"Enabled\", \"Filter\": {\"Prefix\": \"share/\"}, \"DeleteMarkerReplication\": {\"Status\": \"Disabled\"}, \"Destination\": {\"Bucket\": \"arn:aws:s3:::partner-copy\"}}]}'\n\
         aws s3api put-bucket-versioning --bucket partner-copy --versioning-configuration Status=Enabled\n\
         aws s3api put-bucket-replication --bucket source-data --replication-configuration '{\"Role\": \"arn:aws:iam::123456789012:role/replication\", \"Rules\": [{\"ID\": \"to-partner\", \"Priority\": 1, \"Status\": \"Enabled\", \"Filter\": {\"Prefix\": \"share/\"}, \"Destination\": {\"Bucket\": \"arn:aws:s3:::partner-copy\"}}]}'\n\
         aws s3api put-bucket-replication --bucket source-data --replication-configuration '{\"Role\": \"arn:aws:iam::123456789012:role/replication\", \"Rules\": [{\"ID\": \"to-partner\", \"Priority\": 1, \"Status\": \"Enabled\", \"Filter\": {\"Prefix\": \"share/\"}, \"DeleteMarkerReplication\": {\"Status\": \"Disabled\"}, \"Destination\": {\"Bucket\": \"arn:aws:s3:::partner-copy\", \"StorageClass\": \"STANDARD_IA\"}}]}'\n\
         aws s3api get-bucket-replication --bucket source-data\n\
         echo monthly report | aws s3 cp - s3://source-data/share/report.txt\n\
         echo internal | aws s3 cp - s3://source-data/private/notes.txt\n\
         aws s3api head-object --bucket source-data --key share/report.txt\n\
         sim advance 1m\n\
         aws s3api head-object --bucket source-data --key share/report.txt\n\
         aws s3api head-object --bucket partner-copy --key share/report.txt\n\
         aws s3 ls s3://partner-copy --recursive\n\
         aws s3api delete-object --bucket source-data --key private/notes.txt\n\
         aws s3 ls s3://source-data/private/",
    );
}

#[test]
fn s3_cost_estimate() {
    check(
        "s3_cost_estimate",
        "aws s3 mb s3://costly\necho hello | aws s3 cp - s3://costly/a.txt\n\
         echo archived | aws s3 cp - s3://costly/b.txt --storage-class GLACIER_IR\n\
         sim cost\nsim cost s3://costly\nsim cost s3://nope\nsim cost costly",
    );
}

/// Three minutes of the course's sensor logs, one small JSON file a minute.
const SENSOR_LOGS: &str = "aws s3 mb s3://course-logs\n\
echo '{\"timestamp\":\"2022-06-12 00:00:01.000\",\"device_name\":\"device-1\",\"metric\":40.0}' | aws s3 cp - s3://course-logs/raw/2022/06/12/0000.json\n\
echo '{\"timestamp\":\"2022-06-12 00:01:01.000\",\"device_name\":\"device-2\",\"metric\":45.5}' | aws s3 cp - s3://course-logs/raw/2022/06/12/0001.json\n\
cat <<EOF | aws s3 cp - s3://course-logs/raw/2022/06/12/0002.json\n\
{\"timestamp\":\"2022-06-12 00:02:01.000\",\"device_name\":\"device-1\",\"metric\":50.0}\n\
{\"timestamp\":\"2022-06-12 00:02:31.000\",\"device_name\":\"device-3\",\"metric\":null}\n\
EOF\n\
athena \"CREATE DATABASE class\"\n\
athena --database class \"CREATE EXTERNAL TABLE logs (\\`timestamp\\` string, device_name string, metric double) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://course-logs/raw/'\"\n";

#[test]
fn athena_queries_json_logs() {
    check(
        "athena_queries_json_logs",
        &format!(
            "{SENSOR_LOGS}athena --database class \"SELECT device_name, count(*) AS n, avg(metric) AS avg_metric FROM logs GROUP BY 1 ORDER BY 1\"\n\
             athena --database class --format csv \"SELECT * FROM logs WHERE metric > 42 ORDER BY metric DESC\"\n\
             athena \"SHOW DATABASES\"\nathena --database class \"SHOW TABLES\"\nathena --database class \"DESCRIBE logs\"\n\
             athena --database class \"SHOW CREATE TABLE logs\"\n\
             aws s3 ls s3://aws-athena-query-results-123456789012-us-east-1/"
        ),
    );
}

#[test]
fn athena_compacts_with_ctas() {
    check(
        "athena_compacts_with_ctas",
        &format!(
            "{SENSOR_LOGS}athena --database class \"CREATE TABLE spread WITH (format='PARQUET', external_location='s3://course-logs/spread/') AS SELECT * FROM logs\"\n\
             aws s3 ls s3://course-logs/spread/ --recursive\n\
             athena --database class \"CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', external_location='s3://course-logs/compacted/0000/', bucketed_by=ARRAY['device_name'], bucket_count=1) AS SELECT * FROM logs WHERE \\\"timestamp\\\" >= '2022-06-12 00:00:00' AND \\\"timestamp\\\" < '2022-06-12 00:05:00'\"\n\
             aws s3 ls s3://course-logs/compacted/ --recursive\n\
             athena --database class \"SELECT device_name, count(*) AS n FROM compacted GROUP BY 1 ORDER BY 1\"\n\
             athena --database class \"SELECT count(*) AS n FROM compacted WHERE device_name = 'device-9'\"\n\
             athena --database class \"CREATE TABLE again WITH (external_location='s3://course-logs/compacted/0000/') AS SELECT * FROM logs\"\n\
             athena --database class \"CREATE TABLE compacted AS SELECT 1 AS x\"\n\
             athena --database class \"INSERT INTO compacted SELECT * FROM logs WHERE device_name = 'device-2'\"\n\
             athena --database class \"SELECT count(*) AS n FROM compacted\"\n\
             athena --database class \"CREATE TABLE as_orc WITH (format='ORC', external_location='s3://course-logs/orc/') AS SELECT * FROM logs\"\n\
             athena --database class \"DROP TABLE spread\"\n\
             athena --database class \"DROP TABLE spread\"\n\
             athena --database class \"DROP TABLE IF EXISTS spread\"\n\
             athena --database class \"SHOW TABLES\"\n\
             aws s3 ls s3://course-logs/spread/ --recursive"
        ),
    );
}

// The Athena panel's Parquet inspector in words: a CTAS file's footer, then the mistakes; the
// trace hash before and after shows that inspecting changes nothing.
#[test]
fn sim_parquet_inspect() {
    check(
        "sim_parquet_inspect",
        &format!(
            "{SENSOR_LOGS}athena --database class \"CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', external_location='s3://course-logs/compacted/', bucketed_by=ARRAY['device_name'], bucket_count=1) AS SELECT * FROM logs\"\n\
             aws s3 ls s3://course-logs/compacted/\n\
             sim parquet inspect s3://course-logs/compacted/20220612_000001_57213_xdpuf_dff1a71b-0ab1-4013-b4e5-50b02c806908_bucket-00000\n\
             sim trace --hash\n\
             sim parquet inspect s3://course-logs/compacted/missing.parquet\n\
             sim parquet inspect s3://course-logs/raw/2022/06/12/0000.json\n\
             sim parquet inspect s3://course-logs\n\
             sim parquet inspect\n\
             sim parquet show s3://course-logs/raw/2022/06/12/0000.json\n\
             sim trace --hash"
        ),
    );
}

#[test]
fn athena_api_is_asynchronous() {
    check(
        "athena_api_is_asynchronous",
        &format!(
            "{SENSOR_LOGS}aws athena start-query-execution --query-string \"SELECT count(*) FROM logs\" --query-execution-context Database=class\n\
             aws s3 mb s3://my-athena-results\n\
             aws athena start-query-execution --query-string \"SELECT device_name FROM logs ORDER BY 1 LIMIT 2\" --query-execution-context Database=class --result-configuration OutputLocation=s3://my-athena-results/q/\n\
             aws athena list-query-executions\n\
             sim events\n\
             sim advance 5s\n\
             aws athena list-databases --catalog-name AwsDataCatalog\n\
             aws s3 ls s3://my-athena-results/q/\n\
             aws athena start-query-execution --query-string \"SELEC 1\" --result-configuration OutputLocation=s3://my-athena-results/q/\n\
             aws athena start-query-execution --query-string \"SELECT nope FROM logs\" --query-execution-context Database=class --result-configuration OutputLocation=s3://my-athena-results/q/\n\
             sim advance 5s\n\
             athena --database class \"SELECT * FROM missing_table\"\n\
             athena --database class \"SELECT * FROM hg-data-table\"\n\
             athena --database class \"CREATE EXTERNAL TABLE bad (timestamp string) LOCATION 's3://course-logs/raw/'\"\n\
             athena --database class \"SELECT 7 / 0\"\n\
             athena \"SELECT 7 / 2 AS q, CAST('12' AS integer) + 1 AS n\""
        ),
    );
}

#[test]
fn s3_select_reads_one_object() {
    check(
        "s3_select_reads_one_object",
        &format!(
            "{SENSOR_LOGS}aws s3api select-object-content --bucket course-logs --key raw/2022/06/12/0002.json --expression \"SELECT s.device_name, s.metric FROM S3Object s WHERE s.metric > 45\" --expression-type SQL --input-serialization '{{\"JSON\": {{\"Type\": \"LINES\"}}, \"CompressionType\": \"NONE\"}}' --output-serialization '{{\"JSON\": {{}}}}' out.json\n\
             cat out.json\n\
             cat <<EOF | aws s3 cp - s3://course-logs/devices.csv\n\
             name,room\n\
             device-1,lab\n\
             device-2,\"office, 2nd floor\"\n\
             EOF\n\
             aws s3api select-object-content --bucket course-logs --key devices.csv --expression \"SELECT s.name FROM s3object s WHERE s.room LIKE 'office%'\" --expression-type SQL --input-serialization '{{\"CSV\": {{\"FileHeaderInfo\": \"USE\"}}}}' --output-serialization '{{\"CSV\": {{}}}}' out.csv\n\
             cat out.csv\n\
             aws s3api select-object-content --bucket course-logs --key devices.csv --expression \"SELECT s._1, s._2 FROM s3object s\" --expression-type SQL --input-serialization '{{\"CSV\": {{}}}}' --output-serialization '{{\"CSV\": {{\"QuoteFields\": \"ALWAYS\"}}}}' all.csv\n\
             cat all.csv\n\
             athena --database class \"CREATE TABLE pq WITH (format='PARQUET', parquet_compression='SNAPPY', external_location='s3://course-logs/pq/', bucketed_by=ARRAY['device_name'], bucket_count=1) AS SELECT * FROM logs\"\n\
             aws s3 ls s3://course-logs/pq/\n\
             aws s3api select-object-content --bucket course-logs --key pq/20220612_000001_57213_xdpuf_dff1a71b-0ab1-4013-b4e5-50b02c806908_bucket-00000 --expression \"SELECT count(*) AS n, max(metric) AS top FROM s3object\" --expression-type SQL --input-serialization '{{\"Parquet\": {{}}}}' --output-serialization '{{\"JSON\": {{}}}}' pq.json\n\
             cat pq.json\n\
             aws s3api select-object-content --bucket course-logs --key devices.csv --expression \"SELECT * FROM s3object s ORDER BY s._1\" --expression-type SQL --input-serialization '{{\"CSV\": {{}}}}' --output-serialization '{{\"CSV\": {{}}}}' x.csv\n\
             aws s3api select-object-content --bucket course-logs --key devices.csv --expression \"SELECT * FROM s3object\" --expression-type XPATH --input-serialization '{{\"CSV\": {{}}}}' --output-serialization '{{\"CSV\": {{}}}}' x.csv\n\
             aws s3api select-object-content --bucket course-logs --key devices.csv --expression \"SELECT * FROM s3object\" --expression-type SQL --input-serialization '{{\"CSV\": {{}}, \"JSON\": {{}}}}' --output-serialization '{{\"CSV\": {{}}}}' x.csv"
        ),
    );
}

/// The query ID in `start-query-execution`'s output.
fn query_id(output: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(output).expect("JSON output");
    value["QueryExecutionId"]
        .as_str()
        .expect("an ID")
        .to_string()
}

#[test]
fn athena_execution_and_results() {
    let mut session = Session::with_seed(1);
    let mut out = transcript(
        &mut session,
        &format!("{SENSOR_LOGS}aws s3 mb s3://my-athena-results"),
    );
    let start = "aws athena start-query-execution --query-string \"SELECT device_name, metric FROM logs ORDER BY 1, 2 LIMIT 3\" \
                 --query-execution-context Database=class --result-configuration OutputLocation=s3://my-athena-results/q/";
    let started = session.exec(start);
    let id = query_id(&started.output);
    let failing = "aws athena start-query-execution --query-string \"SELECT nope FROM logs\" \
                   --query-execution-context Database=class --result-configuration OutputLocation=s3://my-athena-results/q/";
    let failed_id = query_id(&session.exec(failing).output);
    out.push_str(&transcript(
        &mut session,
        &format!(
            "aws athena get-query-execution --query-execution-id {id}\naws athena get-query-results --query-execution-id {id}\n\
             sim advance 10s\naws athena get-query-execution --query-execution-id {id}\n\
             aws athena get-query-results --query-execution-id {id} --max-items 2\n\
             aws s3 cp s3://my-athena-results/q/{id}.csv -\n\
             aws athena get-query-execution --query-execution-id {failed_id}\n\
             aws athena get-query-results --query-execution-id {failed_id}\n\
             aws athena get-query-execution --query-execution-id 00000000-0000-0000-0000-000000000000\n\
             aws athena stop-query-execution --query-execution-id {id}"
        ),
    ));
    insta::assert_snapshot!("athena_execution_and_results", out);
}

const LAMBDA_TRUST: &str = r#"'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'"#;

// Role and policy commands with their errors; texts from the IAM API Reference (CreateRole,
// PutRolePolicy, AttachRolePolicy, DeleteRole, SimulatePrincipalPolicy).
#[test]
fn iam_roles_policies_and_simulation() {
    check(
        "iam_roles_policies_and_simulation",
        &format!(
            "aws iam create-role --role-name gen-role --assume-role-policy-document {LAMBDA_TRUST}\n\
             aws iam create-role --role-name gen-role --assume-role-policy-document {LAMBDA_TRUST}\n\
             aws iam create-role --role-name 'bad name' --assume-role-policy-document {LAMBDA_TRUST}\n\
             aws iam create-role --role-name no-principal --assume-role-policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"}}]}}'\n\
             aws iam attach-role-policy --role-name gen-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n\
             aws iam attach-role-policy --role-name gen-role --policy-arn arn:aws:iam::aws:policy/NoSuchPolicy\n\
             aws iam put-role-policy --role-name gen-role --policy-name put-logs --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": {{\"Sid\": \"PutLogs\", \"Effect\": \"Allow\", \"Action\": \"s3:PutObject\", \"Resource\": \"arn:aws:s3:::sensor-logs/logs/*\"}}}}'\n\
             aws iam put-role-policy --role-name gen-role --policy-name broken --policy-document '{{\"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:PutObject\"}}]}}'\n\
             aws iam put-role-policy --role-name nobody --policy-name p --policy-document '{{\"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}]}}'\n\
             aws iam list-attached-role-policies --role-name gen-role\n\
             aws iam list-role-policies --role-name gen-role\n\
             aws iam get-role-policy --role-name gen-role --policy-name put-logs\n\
             aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/gen-role --action-names s3:PutObject s3:GetObject --resource-arns arn:aws:s3:::sensor-logs/logs/a.json\n\
             aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/nobody --action-names s3:PutObject\n\
             aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/gen-role\n\
             aws iam delete-role --role-name gen-role\n\
             aws iam detach-role-policy --role-name gen-role --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess\n\
             aws iam get-role --role-name gen-role"
        ),
    );
}

/// A role Lambda can assume that may write its logs, and a function made from `code`.
fn lambda_setup(code: &str, extra: &str) -> String {
    format!(
        "aws iam create-role --role-name fn-role --assume-role-policy-document {LAMBDA_TRUST}\n\
         aws iam attach-role-policy --role-name fn-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n\
         aws lambda create-function --function-name {code} --runtime python3.12 --handler lambda_function.lambda_handler \
         --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://{code}.zip {extra}\n"
    )
}

// Invocations: cold then warm, timeout, memory, errors; payload rules of the AWS CLI v2
// (`--cli-binary-format`); texts from the Lambda Developer Guide ("Lambda function logs",
// "Invoke") and API Reference (CreateFunction, Invoke).
#[test]
fn lambda_functions_and_invocations() {
    check(
        "lambda_functions_and_invocations",
        &format!(
            "{}\
             aws lambda invoke --function-name echo --cli-binary-format raw-in-base64-out --payload '{{\"hello\": \"world\"}}' out.json\n\
             cat out.json\n\
             aws lambda invoke --function-name echo --cli-binary-format raw-in-base64-out --payload '{{\"sleep_ms\": 5000}}' out.json\n\
             cat out.json\n\
             aws lambda invoke --function-name echo --cli-binary-format raw-in-base64-out --payload '{{\"memory_mb\": 200}}' out.json\n\
             aws lambda invoke --function-name echo --cli-binary-format raw-in-base64-out --payload '{{\"fail\": \"boom\"}}' out.json\n\
             cat out.json\n\
             aws logs tail /aws/lambda/echo --format short\n\
             aws lambda invoke --function-name echo --payload '{{\"a\": 1}}' out.json\n\
             aws lambda invoke --function-name echo --payload eyJhIjogMX0= out.json\n\
             aws lambda invoke --function-name echo --cli-binary-format raw-in-base64-out --payload 'not json' out.json\n\
             aws lambda invoke --function-name nope out.json\n\
             aws lambda invoke --function-name echo --invocation-type Sometimes out.json\n\
             aws lambda update-function-configuration --function-name echo --timeout 1000\n\
             aws lambda update-function-configuration --function-name echo --memory-size 256 --timeout 10\n\
             aws lambda invoke --function-name echo --log-type Tail out.json\n\
             aws lambda create-function --function-name echo --runtime python3.12 --handler h --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://echo.zip\n\
             aws lambda create-function --function-name old --runtime python2.7 --handler h --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://echo.zip\n\
             aws lambda create-function --function-name mine --runtime python3.12 --handler h --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://function.zip\n\
             aws lambda create-function --function-name ghost --runtime python3.12 --handler h --role arn:aws:iam::123456789012:role/ghost --zip-file fileb://echo.zip\n\
             aws lambda create-function --function-name envy --runtime python3.12 --handler h --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://echo.zip --environment Variables={{AWS_REGION=x}}\n\
             aws lambda list-functions\n\
             aws logs describe-log-groups\n\
             aws logs filter-log-events --log-group-name /aws/lambda/echo --filter-pattern '\"Task timed out\"'\n\
             aws logs tail /aws/lambda/none\n\
             aws logs tail /aws/lambda/echo --follow",
            lambda_setup("echo", "")
        ),
    );
}

// EventBridge needs AddPermission before it may invoke a function (Lambda Developer Guide,
// "Using resource-based policies"); failed asynchronous invocations are retried twice.
#[test]
fn eventbridge_invokes_lambda_with_permission() {
    check(
        "eventbridge_invokes_lambda_with_permission",
        &format!(
            "{}\
             aws events put-rule --name every-minute --schedule-expression 'rate(1 minute)'\n\
             aws events put-targets --rule every-minute --targets Id=f,Arn=arn:aws:lambda:us-east-1:123456789012:function:echo\n\
             sim advance 1m\n\
             aws lambda add-permission --function-name echo --statement-id events --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/every-minute\n\
             aws lambda add-permission --function-name echo --statement-id events --action lambda:InvokeFunction --principal events.amazonaws.com\n\
             aws lambda get-policy --function-name echo\n\
             sim advance 2m\n\
             aws events disable-rule --name every-minute\n\
             aws lambda invoke --function-name echo --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{{\"fail\": \"always\"}}' out.json\n\
             sim advance 5m\n\
             sim trace --last 14",
            lambda_setup("echo", "")
        ),
    );
}

// Reserved concurrency (Lambda Developer Guide, "Configuring reserved concurrency"; API
// Reference PutFunctionConcurrency, GetAccountSettings): 100 must stay unreserved; 0 stops the
// function; past the limit a synchronous call gets TooManyRequestsException and asynchronous
// events are throttled and retried.
#[test]
fn lambda_reserved_concurrency() {
    let burst = "aws lambda invoke --function-name echo --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{\"sleep_ms\": 1000}' out.json\n".repeat(3);
    check(
        "lambda_reserved_concurrency",
        &format!(
            "{}\
             aws lambda get-function-concurrency --function-name echo\n\
             aws lambda get-account-settings\n\
             aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 901\n\
             aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions -1\n\
             aws lambda put-function-concurrency --function-name nope --reserved-concurrent-executions 1\n\
             aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 0\n\
             aws lambda invoke --function-name echo out.json\n\
             aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 2\n\
             aws lambda get-function-concurrency --function-name echo\n\
             aws lambda get-account-settings\n\
             {burst}\
             sim advance 10s\n\
             sim trace --last 12\n\
             aws lambda delete-function-concurrency --function-name echo\n\
             aws lambda get-function-concurrency --function-name echo",
            lambda_setup("echo", "")
        ),
    );
}

// S3 event notifications to Lambda (S3 User Guide, "Event notification types and destinations",
// "Event message structure"): destinations are validated when configured; each matching write
// sends one record.
#[test]
fn s3_notifications_invoke_lambda() {
    let config = r#"'{"LambdaFunctionConfigurations": [{"Id": "new-json", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:echo", "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}, {"Name": "suffix", "Value": ".json"}]}}}]}'"#;
    check(
        "s3_notifications_invoke_lambda",
        &format!(
            "aws s3 mb s3://uploads\n{}\
             aws s3api put-bucket-notification-configuration --bucket uploads --notification-configuration {config}\n\
             aws lambda add-permission --function-name echo --statement-id s3 --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn arn:aws:s3:::uploads\n\
             aws s3api put-bucket-notification-configuration --bucket uploads --notification-configuration {config}\n\
             aws s3api get-bucket-notification-configuration --bucket uploads\n\
             aws lambda invoke --function-name echo out.json\n\
             aws s3api put-object --bucket uploads --key 'incoming/day 1.json' --body out.json\n\
             aws s3api put-object --bucket uploads --key incoming/day1.csv --body out.json\n\
             aws s3api put-object --bucket uploads --key other/day1.json --body out.json\n\
             sim advance 1s\n\
             aws logs filter-log-events --log-group-name /aws/lambda/echo --filter-pattern aws:s3",
            lambda_setup("echo", "")
        ),
    );
}

// The least-privilege helper after a denied call, next to what AmazonS3FullAccess would allow.
#[test]
fn least_privilege_from_what_a_role_used() {
    check(
        "least_privilege_from_what_a_role_used",
        &format!(
            "aws s3 mb s3://sensor-logs\n{}\
             aws iam attach-role-policy --role-name fn-role --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess\n\
             sim least-privilege fn-role\n\
             aws lambda invoke --function-name log-generator out.json\n\
             sim advance 1m\n\
             aws lambda invoke --function-name log-generator out.json\n\
             sim least-privilege fn-role\n\
             sim least-privilege nobody\n\
             sim least-privilege",
            lambda_setup(
                "log-generator",
                "--environment Variables={BUCKET=sensor-logs}"
            )
        ),
    );
}

// Why a call was denied: nothing yet, then an implicit deny with a statement on the wrong bucket
// (and the exact fix), then an explicit deny (whose fix is removing it), then bad numbers.
#[test]
fn iam_denials_are_explained() {
    let invoke = "aws lambda invoke --function-name invoice-service --cli-binary-format raw-in-base64-out --payload '{\"order_id\": \"A1\", \"amount\": 5}' out.json\n";
    check(
        "iam_denials_are_explained",
        &format!(
            "aws s3 mb s3://invoices\n{}\
             sim iam explain\n\
             aws iam put-role-policy --role-name fn-role --policy-name write-reports --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"WriteReports\", \"Effect\": \"Allow\", \"Action\": \"s3:PutObject\", \"Resource\": \"arn:aws:s3:::reports/*\"}}]}}'\n\
             {invoke}\
             cat out.json\n\
             sim iam explain\n\
             aws iam put-role-policy --role-name fn-role --policy-name no-invoices --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}, {{\"Sid\": \"KeepInvoices\", \"Effect\": \"Deny\", \"Action\": \"s3:Put*\", \"Resource\": \"arn:aws:s3:::invoices/*\"}}]}}'\n\
             {invoke}\
             sim iam explain\n\
             sim iam explain 1\n\
             sim query \"SELECT denial_id, role_name, action, decision, denied_by, near_misses FROM sim.iam_denials\"\n\
             sim iam explain 3\n\
             sim iam explain 0\n\
             sim iam explain last\n\
             sim iam why",
            lambda_setup(
                "invoice-service",
                "--environment Variables={BUCKET=invoices}"
            )
        ),
    );
}

// Batches, visibility and redrive. Errors and limits are the SQS API Reference's
// (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibility: "Errors"; SetQueueAttributes:
// RedrivePolicy) with SQS's own messages; a message moves to the dead-letter queue once its
// receive count exceeds maxReceiveCount (SQS Developer Guide, "Using dead-letter queues").
#[test]
fn sqs_batches_visibility_and_redrive() {
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012";
    let redrive = |policy: &str| {
        format!(
            "aws sqs set-queue-attributes --queue-url {q}/orders --attributes '{{\"RedrivePolicy\": \"{policy}\"}}'"
        )
    };
    let dlq = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
    let eleven: Vec<String> = (1..=11)
        .map(|i| format!("Id={i},MessageBody=m{i}"))
        .collect();
    let script = [
        "aws sqs create-queue --queue-name orders-dlq".to_string(),
        "aws sqs create-queue --queue-name orders".to_string(),
        format!(
            "aws sqs send-message-batch --queue-url {q}/orders --entries Id=a,MessageBody=first Id=b,MessageBody=second,DelaySeconds=5 Id=c,MessageBody=third,DelaySeconds=901"
        ),
        format!("aws sqs send-message-batch --queue-url {q}/orders --entries '[]'"),
        format!(
            "aws sqs send-message-batch --queue-url {q}/orders --entries {}",
            eleven.join(" ")
        ),
        format!(
            "aws sqs send-message-batch --queue-url {q}/orders --entries Id=x,MessageBody=1 Id=x,MessageBody=2"
        ),
        format!(
            "aws sqs send-message-batch --queue-url {q}/orders --entries 'Id=not ok,MessageBody=1'"
        ),
        format!("aws sqs send-message-batch --queue-url {q}/orders --entries Id=x"),
        format!("aws sqs send-message-batch --queue-url {q}/nope --entries Id=x,MessageBody=1"),
        format!("aws sqs receive-message --queue-url {q}/orders --attribute-names All"),
        format!(
            "aws sqs change-message-visibility --queue-url {q}/orders --receipt-handle 489ff253-d51b-4be5-b5ea-8d36e9e22058-7609dfe0-7eff-4a17-a714-3f42b5c5488e --visibility-timeout 0"
        ),
        format!(
            "aws sqs change-message-visibility --queue-url {q}/orders --receipt-handle 489ff253-d51b-4be5-b5ea-8d36e9e22058-7609dfe0-7eff-4a17-a714-3f42b5c5488e --visibility-timeout 0"
        ),
        format!(
            "aws sqs change-message-visibility --queue-url {q}/orders --receipt-handle made-up --visibility-timeout 10"
        ),
        format!(
            "aws sqs change-message-visibility --queue-url {q}/orders --receipt-handle 489ff253-d51b-4be5-b5ea-8d36e9e22058-7609dfe0-7eff-4a17-a714-3f42b5c5488e --visibility-timeout 43201"
        ),
        "sim advance 5s".to_string(),
        format!(
            "aws sqs receive-message --queue-url {q}/orders --max-number-of-messages 10 --message-system-attribute-names ApproximateReceiveCount"
        ),
        format!(
            "aws sqs delete-message-batch --queue-url {q}/orders --entries Id=first,ReceiptHandle=dff1a71b-0ab1-4013-b4e5-50b02c806908-7bb6bdb2-070c-4371-93c3-fa5ef11049e3 Id=bogus,ReceiptHandle=made-up"
        ),
        format!("aws sqs delete-message-batch --queue-url {q}/orders --entries '[]'"),
        redrive("not json"),
        redrive("{\\\"maxReceiveCount\\\": 1}"),
        redrive(&format!(
            "{{\\\"deadLetterTargetArn\\\": \\\"{dlq}\\\", \\\"maxReceiveCount\\\": 0}}"
        )),
        redrive("{\\\"deadLetterTargetArn\\\": \\\"orders-dlq\\\", \\\"maxReceiveCount\\\": 1}"),
        redrive(
            "{\\\"deadLetterTargetArn\\\": \\\"arn:aws:sqs:us-east-1:123456789012:nope\\\", \\\"maxReceiveCount\\\": 1}",
        ),
        format!("aws sqs set-queue-attributes --queue-url {q}/orders --attributes Colour=blue"),
        redrive(&format!(
            "{{\\\"deadLetterTargetArn\\\": \\\"{dlq}\\\", \\\"maxReceiveCount\\\": \\\"1\\\"}}"
        )),
        format!(
            "aws sqs get-queue-attributes --queue-url {q}/orders --attribute-names RedrivePolicy VisibilityTimeout"
        ),
        "sim advance 31s".to_string(),
        format!("aws sqs receive-message --queue-url {q}/orders"),
        "sim trace --last 2".to_string(),
        format!("aws sqs receive-message --queue-url {q}/orders-dlq --attribute-names All"),
    ];
    check("sqs_batches_visibility_and_redrive", &script.join("\n"));
}

// Event source mappings (Lambda Developer Guide, "Using Lambda with Amazon SQS"; Lambda API
// Reference, CreateEventSourceMapping). The permission and visibility-timeout errors are the
// ones Lambda returns for SQS sources; the rest are its validation errors.
#[test]
fn lambda_event_source_mappings() {
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012";
    let jobs = "arn:aws:sqs:us-east-1:123456789012:jobs";
    let create = "aws lambda create-event-source-mapping --function-name worker --event-source-arn";
    let script = [
        "aws sqs create-queue --queue-name jobs".to_string(),
        "aws iam create-role --role-name worker-role --assume-role-policy-document '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}'".to_string(),
        "aws iam attach-role-policy --role-name worker-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".to_string(),
        "aws lambda create-function --function-name worker --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/worker-role --zip-file fileb://email-sender.zip --timeout 60".to_string(),
        format!("{create} {jobs}"),
        "aws iam attach-role-policy --role-name worker-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole".to_string(),
        format!("{create} {jobs}"),
        format!("aws sqs set-queue-attributes --queue-url {q}/jobs --attributes VisibilityTimeout=120"),
        format!("{create} {jobs} --batch-size 0"),
        format!("{create} {jobs} --batch-size 100"),
        format!("{create} {jobs} --maximum-batching-window-in-seconds 301"),
        format!("{create} {jobs} --function-response-types Everything"),
        format!("{create} arn:aws:sqs:us-east-1:123456789012:missing"),
        format!("{create} arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
        format!("aws lambda create-event-source-mapping --function-name nope --event-source-arn {jobs}"),
        format!("{create} {jobs} --batch-size 5"),
        format!("{create} {jobs}"),
        "aws lambda list-event-source-mappings".to_string(),
        format!("aws sqs send-message --queue-url {q}/jobs --message-body '{{\"email\": \"ana@example.com\", \"subject\": \"Welcome\"}}'"),
        "sim events".to_string(),
        "sim advance 1s".to_string(),
        "aws logs tail /aws/lambda/worker".to_string(),
        "aws lambda update-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b --no-enabled".to_string(),
        "aws lambda get-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b".to_string(),
        format!("aws sqs send-message --queue-url {q}/jobs --message-body '{{\"email\": \"ben@example.com\"}}'"),
        "sim advance 1m".to_string(),
        format!("aws sqs get-queue-attributes --queue-url {q}/jobs --attribute-names ApproximateNumberOfMessages"),
        "aws lambda update-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b --enabled --batch-size 20".to_string(),
        "aws lambda update-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b --enabled --batch-size 20 --maximum-batching-window-in-seconds 5".to_string(),
        "sim advance 10s".to_string(),
        format!("aws sqs get-queue-attributes --queue-url {q}/jobs --attribute-names ApproximateNumberOfMessages"),
        "aws lambda delete-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b".to_string(),
        "aws lambda get-event-source-mapping --uuid 221c45e6-41fe-43dd-97fb-ae920fc0902b".to_string(),
        "aws lambda list-event-source-mappings --function-name worker".to_string(),
        "sim events".to_string(),
    ];
    check("lambda_event_source_mappings", &script.join("\n"));
}

#[test]
fn email_campaign_example() {
    check(
        "email_campaign_example",
        include_str!("../../../examples/email-campaign.sh"),
    );
}

const SCHEDULER_TRUST: &str = r#"'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'"#;
const SCHEDULER_ROLE: &str = "arn:aws:iam::123456789012:role/scheduler-role";

// EventBridge Scheduler: reply shapes from the AWS CLI's examples (awscli/examples/scheduler:
// create-schedule, get-schedule, list-schedules, list-schedule-groups); "Schedule N already
// exists." and "Schedule N does not exist." as AWS returns them; "Invalid Schedule Expression …"
// as LocalStack's AWS-validated snapshots record it. A rate without --start-date runs at once
// (user guide, "Schedule types on EventBridge Scheduler"); flexible windows draw each invocation
// within MaximumWindowInMinutes.
#[test]
fn scheduler_schedules_and_groups() {
    let target = format!("Arn=arn:aws:sqs:us-east-1:123456789012:ticks,RoleArn={SCHEDULER_ROLE}");
    check(
        "scheduler_schedules_and_groups",
        &format!(
            "aws sqs create-queue --queue-name ticks\n\
             aws iam create-role --role-name scheduler-role --assume-role-policy-document {SCHEDULER_TRUST}\n\
             aws iam put-role-policy --role-name scheduler-role --policy-name send --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"arn:aws:sqs:us-east-1:123456789012:ticks\"}}]}}'\n\
             aws scheduler create-schedule --name every-5 --schedule-expression 'rate(5 minutes)' --flexible-time-window '{{\"Mode\": \"OFF\"}}' --target '{{\"Arn\": \"arn:aws:sqs:us-east-1:123456789012:ticks\", \"RoleArn\": \"{SCHEDULER_ROLE}\", \"Input\": \"{{\\\"tick\\\": true}}\"}}'\n\
             aws scheduler get-schedule --name every-5\n\
             sim events\n\
             sim advance 10m\n\
             aws sqs get-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/ticks --attribute-names ApproximateNumberOfMessages\n\
             aws scheduler create-schedule --name every-5 --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule-group --name reports\n\
             aws scheduler create-schedule-group --name reports\n\
             aws scheduler list-schedule-groups\n\
             aws scheduler create-schedule --name nightly --group-name reports --schedule-expression 'cron(30 2 * * ? *)' --schedule-expression-timezone America/New_York --flexible-time-window Mode=FLEXIBLE,MaximumWindowInMinutes=15 --target {target} --description 'nightly report' --start-date 2022-06-13T00:00:00Z --end-date 2022-12-31T00:00:00Z\n\
             aws scheduler get-schedule --name nightly\n\
             aws scheduler get-schedule --name nightly --group-name reports\n\
             aws scheduler update-schedule --name every-5 --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target} --state DISABLED\n\
             aws scheduler list-schedules\n\
             aws scheduler list-schedules --state DISABLED\n\
             aws scheduler list-schedules --name-prefix night --group-name reports\n\
             sim events\n\
             sim advance 1d8h\n\
             sim trace --last 3\n\
             aws scheduler delete-schedule --name every-5\n\
             aws scheduler delete-schedule --name every-5\n\
             aws scheduler get-schedule --name every-5 --group-name nowhere\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate( 10 minutes )' --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'cron(0 1 * * * *)' --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'at(2022-06-12T10:00:00Z)' --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --schedule-expression-timezone Mars/Olympus_Mons --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=FLEXIBLE --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=FLEXIBLE,MaximumWindowInMinutes=1441 --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=SOMETIMES --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target} --state PAUSED\n\
             aws scheduler create-schedule --name 'bad name' --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target Arn=arn:aws:sns:us-east-1:123456789012:alerts,RoleArn={SCHEDULER_ROLE}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target Arn=arn:aws:sqs:us-east-1:123456789012:ticks\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --target {target}\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target} --start-date yesterday\n\
             aws scheduler create-schedule --name bad --schedule-expression 'rate(1 hour)' --flexible-time-window Mode=OFF --target {target} --start-date 2022-07-01 --end-date 2022-06-30\n\
             aws scheduler list-schedules --state PAUSED\n\
             aws scheduler list-schedules"
        ),
    );
}

// Scheduler calls its target as the execution role (user guide, "Set up the execution role"):
// without lambda:InvokeFunction the invocation fails and nothing runs; a one-time at() schedule
// in Asia/Seoul with ActionAfterCompletion DELETE runs once and deletes itself.
#[test]
fn scheduler_invokes_lambda_as_its_role() {
    let lambda = "arn:aws:lambda:us-east-1:123456789012:function:echo";
    check(
        "scheduler_invokes_lambda_as_its_role",
        &format!(
            "{}\
             aws iam create-role --role-name scheduler-role --assume-role-policy-document {SCHEDULER_TRUST}\n\
             aws scheduler create-schedule --name once --schedule-expression 'at(2022-06-12T09:05:00)' --schedule-expression-timezone Asia/Seoul --action-after-completion DELETE --flexible-time-window Mode=OFF --target '{{\"Arn\": \"{lambda}\", \"RoleArn\": \"{SCHEDULER_ROLE}\", \"Input\": \"{{\\\"hello\\\": \\\"scheduler\\\"}}\"}}'\n\
             sim events\n\
             sim advance 10m\n\
             aws scheduler get-schedule --name once\n\
             aws iam put-role-policy --role-name scheduler-role --policy-name invoke --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"lambda:InvokeFunction\", \"Resource\": \"{lambda}\"}}]}}'\n\
             aws scheduler create-schedule --name once --schedule-expression 'at(2022-06-12T09:30:00)' --schedule-expression-timezone Asia/Seoul --action-after-completion DELETE --flexible-time-window Mode=OFF --target '{{\"Arn\": \"{lambda}\", \"RoleArn\": \"{SCHEDULER_ROLE}\", \"Input\": \"{{\\\"hello\\\": \\\"scheduler\\\"}}\"}}'\n\
             sim advance 30m\n\
             aws scheduler list-schedules\n\
             aws scheduler create-schedule --name wrong-role --schedule-expression 'rate(1 day)' --flexible-time-window Mode=OFF --target Arn={lambda},RoleArn=arn:aws:iam::123456789012:role/fn-role\n\
             sim advance 1m\n\
             sim trace --last 19\n\
             aws logs tail /aws/lambda/echo --since 1h --format short\n\
             sim iam explain",
            lambda_setup("echo", "")
        ),
    );
}

// Conditions over the request context AWS fills in for a function's calls: the calling function
// (lambda:SourceFunctionArn) and the time (aws:CurrentTime) — IAM User Guide, "AWS global
// condition context keys"; Lambda Developer Guide, "Using source function ARN conditions".
#[test]
fn iam_conditions_see_the_request_context() {
    let policy = concat!(
        r#"'{"Version": "2012-10-17", "Statement": ["#,
        r#"{"Sid": "OnlyTheGenerator", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::sensor-logs/logs/*", "#,
        r#""Condition": {"ArnEquals": {"lambda:SourceFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:log-generator"}, "Bool": {"aws:SecureTransport": "true"}}}, "#,
        r#"{"Sid": "NotAfterTheCourse", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "#,
        r#""Condition": {"DateGreaterThan": {"aws:CurrentTime": "2022-06-12T00:01:00Z"}}}]}'"#
    );
    check(
        "iam_conditions_see_the_request_context",
        &format!(
            "aws s3 mb s3://sensor-logs\n{}\
             aws iam put-role-policy --role-name fn-role --policy-name conditions --policy-document {policy}\n\
             aws lambda invoke --function-name log-generator out.json\n\
             aws lambda create-function --function-name imposter --runtime python3.12 --handler h --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://log-generator.zip --environment Variables={{BUCKET=sensor-logs}}\n\
             aws lambda invoke --function-name imposter out.json\n\
             sim advance 2m\n\
             aws lambda invoke --function-name log-generator out.json\n\
             aws logs filter-log-events --log-group-name /aws/lambda/log-generator --filter-pattern '?wrote ?AccessDenied'\n\
             aws logs filter-log-events --log-group-name /aws/lambda/imposter --filter-pattern AccessDenied",
            lambda_setup(
                "log-generator",
                "--environment Variables={BUCKET=sensor-logs}"
            )
        ),
    );
}

// Athena runs a query with its caller's credentials: the compactor's role needs Glue, S3 list,
// read and write permissions, not only athena:StartQueryExecution (Athena User Guide, "Access
// to Amazon S3", "Fine-grained access to databases and tables in the AWS Glue Data Catalog").
#[test]
fn athena_queries_run_with_the_callers_role() {
    let statement = |sid: &str, actions: &str, resources: &str| {
        format!(
            r#"{{"Sid": "{sid}", "Effect": "Allow", "Action": [{actions}], "Resource": [{resources}]}}"#
        )
    };
    let start = statement(
        "Start",
        r#""athena:StartQueryExecution""#,
        r#""arn:aws:athena:us-east-1:123456789012:workgroup/primary""#,
    );
    let glue = statement(
        "Catalog",
        r#""glue:GetTable", "glue:CreateTable""#,
        r#""arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/sensors", "arn:aws:glue:us-east-1:123456789012:table/sensors/*""#,
    );
    let read = statement(
        "Read",
        r#""s3:ListBucket", "s3:GetObject""#,
        r#""arn:aws:s3:::sensor-logs", "arn:aws:s3:::sensor-logs/logs/*""#,
    );
    let write = statement(
        "Write",
        r#""s3:PutObject""#,
        r#""arn:aws:s3:::sensor-logs/compacted/*", "arn:aws:s3:::sensor-logs/athena-results/*""#,
    );
    let policy = |statements: &[&String]| {
        let joined: Vec<&str> = statements.iter().map(|s| s.as_str()).collect();
        format!(
            "aws iam put-role-policy --role-name fn-role --policy-name compactor --policy-document '{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}'\n\
             aws lambda invoke --function-name log-compactor --cli-binary-format raw-in-base64-out --payload '{{\"time\": \"2022-06-12T00:05:00Z\"}}' out.json\n\
             sim advance 10s\n\
             sim trace --last 1\n",
            joined.join(", ")
        )
    };
    let mut script = String::from(
        "aws s3 mb s3://sensor-logs\n\
         echo '{\"timestamp\": \"2022-06-12 00:01:00.000\", \"device_name\": \"sensor-01\", \"metric\": 7}' | aws s3 cp - s3://sensor-logs/logs/a.json\n\
         aws athena start-query-execution --query-string 'CREATE DATABASE sensors' --result-configuration OutputLocation=s3://sensor-logs/athena-results/\n\
         sim advance 5s\n\
         aws athena start-query-execution --query-string \"CREATE EXTERNAL TABLE sensors.raw_logs (\\`timestamp\\` string, device_name string, metric int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://sensor-logs/logs/'\" --result-configuration OutputLocation=s3://sensor-logs/athena-results/\n\
         sim advance 5s\n",
    );
    script.push_str(&lambda_setup(
        "log-compactor",
        "--environment Variables={SOURCE_DATABASE=sensors,SOURCE_TABLE=raw_logs,NEW_TABLE_NAME=compacted,BUCKET=sensor-logs}",
    ));
    script.push_str(&policy(&[&start]));
    script.push_str(&policy(&[&start, &glue]));
    script.push_str(&policy(&[&start, &glue, &read]));
    script.push_str(&policy(&[&start, &glue, &read, &write]));
    script
        .push_str("aws s3 ls s3://sensor-logs/compacted/ --recursive\nsim least-privilege fn-role");
    check("athena_queries_run_with_the_callers_role", &script);
}

/// Kafka's command-line tools. Shapes from apache/kafka: `TopicCommand.java`
/// (`Created topic T.`, the `Topic:`/`\tTopic:` describe lines, `Error while executing topic
/// command : …`, `Topic 'T' does not exist as expected`, `--bootstrap-server must be
/// specified`), `ReplicationControlManager`/`AdminUtils` (`The topic T currently has N
/// partition(s); M would not be an increase.`, `Replication factor: 4 larger than available
/// brokers: 3.`), `TopicExistsException` (`Topic 'T' already exists.`).
#[test]
fn kafka_topics_commands() {
    check(
        "kafka_topics_commands",
        "kafka-topics.sh --bootstrap-server localhost:9092 --list\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic click_stream.v1\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --list\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic orders --partitions 5\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic orders --partitions 2\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --if-not-exists\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic big --replication-factor 4\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic bad --config min.insync.replicas=two\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic bad --config flush.bogus=1\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic 'bad name'\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic zero --partitions 0\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic p --partitions abc\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic nope\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --delete --topic nope\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic orders --config retention.ms=1\n\
         kafka-topics.sh --list\n\
         kafka-topics.sh --bootstrap-server localhost:9092\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --list --bogus\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --delete --topic click_stream.v1\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe",
    );
}

/// Producer and consumer. `ErrorLoggingCallback` prints `Error when sending message to topic
/// T with key: K, value: N bytes with error:` (clients/.../internals/ErrorLoggingCallback.java,
/// sizes because the console producer does not log payloads); `DefaultMessageFormatter` prints
/// `CreateTime:ts`, `Partition:p`, `Offset:o`, key and value separated by tabs
/// (tools/.../consumer/DefaultMessageFormatter.java); `GetOffsetShell` prints `T:p:offset`.
#[test]
fn kafka_produce_and_consume() {
    check(
        "kafka_produce_and_consume",
        "sim kafka create-cluster --brokers 3\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2\n\
         kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=: <<EOF\n\
         alice:order-1\nbob:order-2\nalice:order-3\ncarol:order-4\nEOF\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --from-beginning --property print.key=true --property print.partition=true --property print.offset=true\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --partition 2 --offset 0 --property print.timestamp=true\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --from-beginning --max-messages 2\n\
         echo late | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --timeout-ms 5000\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic orders\n\
         kafka-console-producer.sh --bootstrap-server localhost:9092 --topic nope <<EOF\nx\nEOF\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic nope\n\
         kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true <<EOF\nno separator here\nEOF\n\
         kafka-console-producer.sh --topic orders\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --offset 3\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group g1\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic users --config cleanup.policy=compact\n\
         echo keyless | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic users",
    );
}

/// Producer configs the Java client validates before it sends anything (the three idempotence
/// rules are the cases of Kafka's `clients/src/test/java/org/apache/kafka/clients/producer/
/// ProducerConfigTest.java`; the texts are the 3.7 client's `ConfigException` messages): asked
/// for explicitly, idempotence refuses `acks=1`, more than 5 requests in flight and
/// `retries=0`; left to its default it is quietly dropped instead, and the send works. Bad
/// numbers are refused by name. `sim trace --hash` before and after: refusals change nothing.
#[test]
fn kafka_producer_configs() {
    check(
        "kafka_producer_configs",
        "sim kafka create-cluster --brokers 3\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3\n\
         sim trace --hash\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property enable.idempotence=true --producer-property acks=1\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property enable.idempotence=true --producer-property max.in.flight.requests.per.connection=6\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property enable.idempotence=true --producer-property retries=0\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property enable.idempotence=maybe\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property max.in.flight.requests.per.connection=0\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property linger.ms=soon\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --timeout later\n\
         sim trace --hash\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property max.in.flight.requests.per.connection=6 --producer-property linger.ms=50 --timeout 100\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic orders",
    );
}

/// Producers as the Kafka panel lists them (`sim.kafka_producers`): one row per client id
/// (ConsoleProducer's `console-producer`, ProducerPerformance's `perf-producer-client`, or
/// `client.id`), topic and settings; records whose send fails after the retries (two of three
/// brokers down) are counted as failed; a send to a missing topic or with a refused config adds
/// no row.
#[test]
fn kafka_producers_table() {
    check(
        "kafka_producers_table",
        "sim kafka create-cluster --brokers 3\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2\n\
         sim query \"SELECT count(*) FROM sim.kafka_producers\"\n\
         kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=: --producer-property acks=1 <<EOF\n\
         k1:a\n\
         k2:b\n\
         k3:c\n\
         EOF\n\
         echo d | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property acks=1\n\
         echo e | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders\n\
         echo f | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property client.id=billing\n\
         kafka-producer-perf-test.sh --topic orders --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         sim broker crash 2\n\
         sim broker crash 3\n\
         sim advance 20s\n\
         echo g | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property client.id=billing\n\
         echo h | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic nowhere\n\
         echo i | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property acks=2\n\
         sim query \"SELECT client_id, topic, acks, idempotent, records_acked, records_failed, partitions, last_send FROM sim.kafka_producers\"",
    );
}

/// Failures: the controller in each mode, ISR shrink and expand on the clock, acks=all
/// against min.insync.replicas, an unclean election losing data, and retention.
/// `kafka-metadata-quorum.sh describe --status` has `MetadataQuorumCommand`'s labels.
#[test]
fn kafka_failures_and_controllers() {
    check(
        "kafka_failures_and_controllers",
        "sim kafka create-cluster --brokers 3 --mode zookeeper\n\
         kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic t --partitions 2 --replication-factor 3 --config min.insync.replicas=2 --config unclean.leader.election.enable=true\n\
         sim broker list\n\
         sim broker crash 1\n\
         sim broker crash 2\n\
         sim advance 20s\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic t\n\
         echo v | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --producer-property acks=all\n\
         sim broker start 1\n\
         sim broker start 2\n\
         sim advance 1s\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic t\n\
         sim broker slow 1 --lag 40s\n\
         echo w | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --producer-property acks=1\n\
         sim advance 35s\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic t\n\
         sim advance 10s\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic t\n\
         sim trace --last 8\n\
         sim reset --seed 1\n\
         sim kafka create-cluster\n\
         kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n\
         sim broker crash --leader-of __none__:0\n\
         sim broker stop 1\n\
         sim broker stop 2\n\
         sim broker stop 3\n\
         sim advance 5s\n\
         kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n\
         sim broker start 3\n\
         kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n\
         sim broker start 2\n\
         kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic logs --config retention.ms=60000 --config segment.ms=10000\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic logs\n\
         sim advance 20s\n\
         echo b | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic logs\n\
         sim events\n\
         sim advance 10m\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic logs --time -2\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic logs",
    );
}

/// `unclean.leader.election.enable=true`: the only live replica leads though it is behind.
#[test]
fn kafka_unclean_election_loses_data() {
    check(
        "kafka_unclean_election_loses_data",
        "sim kafka create-cluster --brokers 2 --mode zookeeper\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic u --replication-factor 2 --config unclean.leader.election.enable=true\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic u\n\
         echo x1 | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic u --producer-property acks=1\n\
         sim advance 1s\n\
         sim broker stop 2\n\
         echo x2 | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic u --producer-property acks=1\n\
         sim broker crash --leader-of u:0\n\
         sim broker start 2\n\
         sim advance 20s\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic u\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic u --from-beginning\n\
         sim trace --last 6",
    );
}

/// `kafka-configs.sh`, ported from Kafka 3.x `core/src/main/scala/kafka/admin/ConfigCommand.scala`
/// (`checkArgs`' messages, `parseConfigsToBeAdded` with `[a,b]` groups, `Dynamic configs for
/// topic T are:` / `All configs for …`, `  k=v sensitive=false synonyms={SOURCE:k=v, …}`,
/// `Completed updating config for topic T.`, `Invalid config(s): k`, `The topic 'T' doesn't
/// exist and doesn't have dynamic config.`, "Error while executing config command with args")
/// and the cases of `ConfigCommandTest`. The changed configs act on the cluster: a raised
/// `min.insync.replicas` refuses acks=all sends, and a shorter `retention.ms` deletes segments.
#[test]
fn kafka_configs_alter_and_describe() {
    check(
        "kafka_configs_alter_and_describe",
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=2\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config retention.ms=60000,segment.ms=10000,cleanup.policy=[delete]\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --topic orders\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name orders --all\n\
         echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders\n\
         sim advance 20s\n\
         echo b | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders\n\
         sim advance 10m\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic orders --time -2\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config min.insync.replicas=3\n\
         sim broker stop 1\n\
         echo c | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --producer-property retries=0\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --delete-config min.insync.replicas,retention.ms\n\
         echo d | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics\n\
         sim trace --last 12",
    );
}

/// `kafka-configs.sh` mistakes, each in `ConfigCommand.scala`'s words, and none changes the
/// topic (the last describe shows it as before).
#[test]
fn kafka_configs_errors() {
    check(
        "kafka_configs_errors",
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --config retention.ms=60000\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --entity-type topics --entity-name orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --describe --entity-type topics --entity-name orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name orders --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-name orders --add-config retention.ms=1\n\
         kafka-configs.sh --alter --entity-type topics --entity-name orders --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type tables --entity-name orders --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --topic orders --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-type topics --entity-name orders --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name nope --add-config retention.ms=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name nope\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config min.insync.replicas=two\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config retention.ms=1,flush.bogus=1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config retention.ms\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config 'retention ms=1'\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --delete-config segment.ms\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config cleanup.policy=compact,retention.ms=5 --delete-config retention.ms\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-default\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type users --entity-name alice\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name orders --bogus\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name orders",
    );
}

/// Broker entities: `Dynamic configs for broker 1 are:` (none here), `--all` with the settings
/// the playground models, the cluster default, and alterations refused.
#[test]
fn kafka_configs_brokers() {
    check(
        "kafka_configs_brokers",
        "kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type brokers --entity-name 1\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type brokers\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --broker 2 --all\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type brokers --entity-name 7\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type brokers --entity-name one\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type brokers --entity-default --add-config log.retention.ms=1000\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type brokers --entity-name 1 --delete-config log.retention.ms\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type brokers --add-config log.retention.ms=1000",
    );
}

/// Enabling `unclean.leader.election.enable` on a topic whose only in-sync replica is down
/// elects a live, out-of-sync replica at once (KRaft's controller does the same).
#[test]
fn kafka_configs_unclean_election() {
    check(
        "kafka_configs_unclean_election",
        "sim kafka create-cluster --brokers 2 --mode zookeeper\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic u --replication-factor 2\n\
         sim broker stop 2\n\
         echo x | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic u --producer-property acks=1\n\
         sim broker stop 1\n\
         sim broker start 2\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic u\n\
         kafka-configs.sh --bootstrap-server localhost:9092 --alter --topic u --add-config unclean.leader.election.enable=true\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic u\n\
         sim trace --last 4",
    );
}

/// `kafka-producer-perf-test.sh`, ported from Kafka's
/// `tools/src/main/java/org/apache/kafka/tools/ProducerPerformance.java`: `Stats.printWindow`
/// every 5 s and `printTotal` with percentiles of the sampled latencies, all in simulated time;
/// argparse4j's and `ConfigPostProcessor`'s errors. Throttled to 200 records/s, 2,000 records
/// take ten simulated seconds (two progress lines); unthrottled, acks=all waits on replication.
#[test]
fn kafka_producer_perf_test() {
    check(
        "kafka_producer_perf_test",
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic perf --partitions 3 --replication-factor 3 --config min.insync.replicas=2\n\
         kafka-producer-perf-test.sh --topic perf --num-records 2000 --record-size 100 --throughput 200 --producer-props bootstrap.servers=localhost:9092 acks=all\n\
         kafka-producer-perf-test.sh --topic perf --num-records 5000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 batch.size=16384\n\
         kafka-producer-perf-test.sh --topic perf --num-records 3 --payload-monotonic --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1\n\
         kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic perf --offset 0 --partition 0 --max-messages 2 --property print.offset=true\n\
         kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic perf\n\
         sim broker stop 1\n\
         sim broker stop 2\n\
         kafka-producer-perf-test.sh --topic perf --num-records 20 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092 retries=0\n\
         kafka-producer-perf-test.sh --topic nope --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --payload-monotonic --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records ten --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 0 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size -5 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput fast --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput -1\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput -1 --producer-props acks=all\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=2\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers\n\
         kafka-producer-perf-test.sh --topic perf --num-records 2000000 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 1000000 --record-size 1000 --throughput -1 --producer-props bootstrap.servers=localhost:9092\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --throughput -1 --producer-props bootstrap.servers=localhost:9092 --bogus\n\
         kafka-producer-perf-test.sh --topic perf --num-records 10 --record-size 10 --producer-props bootstrap.servers=localhost:9092 --throughput",
    );
}

#[test]
fn kafka_acks_example() {
    check(
        "kafka_acks_example",
        include_str!("../../../examples/kafka-acks.sh"),
    );
}

// Customer managed policies (IAM API Reference: CreatePolicy, GetPolicy, GetPolicyVersion,
// ListPolicies, DeletePolicy): attached like AWS's, evaluated like any identity policy.
#[test]
fn iam_customer_managed_policies() {
    let document = r#"'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::sensor-logs/logs/*"}]}'"#;
    check(
        "iam_customer_managed_policies",
        &format!(
            "aws iam create-role --role-name gen-role --assume-role-policy-document {LAMBDA_TRUST}\n\
             aws iam create-policy --policy-name write-logs --policy-document {document} --description 'put sensor logs'\n\
             aws iam create-policy --policy-name write-logs --policy-document {document}\n\
             aws iam create-policy --policy-name broken --policy-document '{{\"Statement\": []}}'\n\
             aws iam attach-role-policy --role-name gen-role --policy-arn arn:aws:iam::123456789012:policy/write-logs\n\
             aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/write-logs\n\
             aws iam get-policy-version --policy-arn arn:aws:iam::123456789012:policy/write-logs --version-id v1\n\
             aws iam get-policy-version --policy-arn arn:aws:iam::123456789012:policy/write-logs --version-id v2\n\
             aws iam list-policies --scope Local\n\
             aws iam list-policies --scope Mine\n\
             aws iam list-attached-role-policies --role-name gen-role\n\
             aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/gen-role --action-names s3:PutObject --resource-arns arn:aws:s3:::sensor-logs/logs/a.json\n\
             aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/write-logs\n\
             aws iam detach-role-policy --role-name gen-role --policy-arn arn:aws:iam::123456789012:policy/write-logs\n\
             aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/write-logs\n\
             aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/write-logs"
        ),
    );
}

/// `sim query`: the world as `sim.*` tables, read-only; bad SQL fails in Athena's words and
/// changes nothing; without SQL it lists the tables.
#[test]
fn sim_query_reads_the_world() {
    check(
        "sim_query_reads_the_world",
        "aws s3 mb s3://sensor-logs\n\
         echo '{\"metric\": 1}' | aws s3 cp - s3://sensor-logs/logs/1.json\n\
         sim kafka create-cluster --brokers 3\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 2 --replication-factor 3\n\
         sim query \"SELECT bucket, key, size, storage_class FROM sim.s3_objects\"\n\
         sim query \"SELECT topic, partition, leader, replicas, isr, high_watermark FROM sim.kafka_partitions ORDER BY partition\"\n\
         sim query \"SELECT count(*) FROM sim.kafka_partition\"\n\
         sim query \"DROP TABLE sim.trace\"\n\
         sim query SELECT 1\n\
         sim query",
    );
}

/// `sim broker … --controller` acts on whichever broker is the active controller, so scripts
/// and lessons need not know which one the election chose; with no controller it says so.
#[test]
fn sim_broker_names_the_controller() {
    check(
        "sim_broker_names_the_controller",
        "sim kafka create-cluster --brokers 3\n\
         sim broker stop --controller\n\
         sim advance 5s\n\
         sim broker stop 1 --controller\n\
         sim broker stop --controller\n\
         sim advance 5s\n\
         sim broker crash --controller\n\
         sim query \"SELECT mode, active_controller, voters FROM sim.kafka_controller\"",
    );
}

// Consumer groups: kafka-console-consumer.sh --group in the foreground and with `&`, jobs and
// kill, and kafka-consumer-groups.sh's views and errors. Layouts and messages follow Kafka's
// ConsumerGroupCommand.java and GroupOffsetsResetter.java (tools/…/consumer/group/).
#[test]
fn kafka_consumer_groups() {
    let consumer = |client: &str| {
        format!(
            "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group shipping --from-beginning --property print.partition=true --consumer-property client.id={client} &"
        )
    };
    let groups = "kafka-consumer-groups.sh --bootstrap-server localhost:9092";
    check(
        "kafka_consumer_groups",
        &format!(
            "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3\n\
             kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=: <<END\n\
             alice:1\nbob:2\ncarol:3\ndave:4\nEND\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group billing --from-beginning --max-messages 3\n\
             {groups} --describe --group billing\n\
             {c1}\n{c2}\n\
             jobs\n\
             sim advance 6s\n\
             {groups} --list\n\
             {groups} --describe --group shipping\n\
             {groups} --describe --group shipping --members --verbose\n\
             {groups} --describe --group shipping --state\n\
             {groups} --reset-offsets --group shipping --topic orders --to-earliest --execute\n\
             {groups} --reset-offsets --group billing --topic orders --shift-by -1\n\
             {groups} --reset-offsets --group billing --topic orders:0 --to-offset 99 --execute\n\
             {groups} --describe --group billing\n\
             sim consumer list\n\
             sim consumer kill c1\n\
             kill %2\n\
             jobs\n\
             {groups} --delete --group shipping\n\
             {groups} --delete --group billing\n\
             {groups} --describe --group nobody\n\
             {groups} --describe\n\
             {groups} --describe --list\n\
             {groups} --reset-offsets --group g --to-latest\n\
             {groups} --reset-offsets --group g --all-topics\n\
             {groups} --delete --group nobody\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group g --consumer-property auto.offset.reset=sometimes\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group g --consumer-property partition.assignment.strategy=fair\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group g --partition 0\n\
             kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --from-beginning &\n\
             kafka-topics.sh --bootstrap-server localhost:9092 --list &\n\
             kill %7\n\
             sim consumer kill nobody",
            c1 = consumer("c1"),
            c2 = consumer("c2"),
        ),
    );
}
