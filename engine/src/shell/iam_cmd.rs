//! `sim iam explain [N]`: why IAM denied a call — the latest, or denial N as numbered in
//! `sim.iam_denials` — with the statement that denied it or the ones that nearly allowed it, and
//! the smallest fix as a command to type. Read-only: it never changes the world.

use super::{CommandError, Ctx, Reply, usage};
use crate::services::iam::explain::{DENIALS_KEPT_MAX, DenialRecord, Fix, Mismatch};
use crate::services::iam::policy::Decision;
use crate::sim::format_iso;

const COMMAND: &str = "sim iam";

pub fn run(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let words: Vec<&str> = rest.iter().map(String::as_str).collect();
    let iam = &ctx.world.services().iam;
    let wanted = match words.as_slice() {
        ["explain"] => None,
        ["explain", n] => Some(denial_id(n)?),
        _ => {
            return Err(usage(
                COMMAND,
                "try `sim iam explain` (the latest denied call) or `sim iam explain N` (denial N in sim.iam_denials)",
            ));
        }
    };
    let Some(latest) = iam.denials().last() else {
        return Ok(Reply::text(
            "no call has been denied yet: an AccessDenied from a function's role is explained here once it happens\n",
        ));
    };
    let denial = match wanted {
        None => latest,
        Some(id) => iam
            .denials()
            .iter()
            .find(|denial| denial.id == id)
            .ok_or_else(|| not_kept(id, iam.denials()))?,
    };
    Ok(Reply::text(render(denial)))
}

fn denial_id(text: &str) -> Result<u64, CommandError> {
    text.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        usage(
            COMMAND,
            format!("`{text}` is not a denial number: use one from sim.iam_denials, e.g. 1"),
        )
    })
}

fn not_kept(id: u64, kept: &[DenialRecord]) -> CommandError {
    let (first, last) = (kept[0].id, kept[kept.len() - 1].id);
    let reason = if id > last {
        format!("there is no denial {id} yet")
    } else {
        format!("denial {id} is no longer kept (only the latest {DENIALS_KEPT_MAX} are)")
    };
    usage(
        COMMAND,
        format!("{reason}; the kept ones are {first} to {last}"),
    )
}

/// The whole explanation as the terminal prints it.
pub fn render(denial: &DenialRecord) -> String {
    let why = &denial.explanation;
    let mut out = format!(
        "denial {} at {}: {} ({})\n",
        denial.id,
        format_iso(denial.time_ms),
        why.decision.as_str(),
        match why.decision {
            Decision::ExplicitDeny => "a Deny statement matched",
            _ => "no statement allows it",
        }
    );
    out.push_str(&format!("  principal  {}\n", why.principal));
    out.push_str(&format!("  role       {}\n", why.role));
    out.push_str(&format!("  action     {}\n", why.action));
    out.push_str(&format!("  resource   {}\n", why.resource));
    out.push_str(&format!("  AWS said   {}\n\n", denial.message));
    if !why.role_exists {
        out.push_str(&format!(
            "why: the role {} no longer exists, so no policy applies.\n",
            why.role
        ));
    } else if why.decision == Decision::ExplicitDeny {
        for statement in &why.denied_by {
            out.push_str(&format!(
                "why: {} denies it (Action {}; Resource {}).\n",
                statement.describe(),
                statement.action.describe(),
                statement.resource.describe()
            ));
        }
    } else if why.policies.is_empty() {
        out.push_str(&format!(
            "why: the role {} has no policies, so nothing allows {}.\n",
            why.role, why.action
        ));
    } else {
        let names: Vec<&str> = why.policies.iter().map(|p| p.name.as_str()).collect();
        out.push_str(&format!(
            "why: no statement in the role's policies ({}) allows {} on this resource.\n",
            names.join(", "),
            why.action
        ));
        render_near_misses(&mut out, denial);
    }
    out.push('\n');
    render_fix(&mut out, denial);
    out
}

fn render_near_misses(out: &mut String, denial: &DenialRecord) {
    let why = &denial.explanation;
    if why.near_misses.is_empty() {
        out.push_str("  none comes close: no statement names this action or this resource.\n");
        return;
    }
    out.push_str("nearest statements:\n");
    for near in &why.near_misses {
        let statement = &near.statement;
        out.push_str(&format!("  {}:\n", statement.describe()));
        let line = match &near.mismatch {
            Mismatch::Resource => format!(
                "Action matches, but Resource {} does not match {}",
                statement.resource.describe(),
                why.resource
            ),
            Mismatch::Action => format!(
                "Resource matches, but Action {} does not match {}",
                statement.action.describe(),
                why.action
            ),
            Mismatch::Condition(misses) => {
                let failed: Vec<String> = misses.iter().map(|m| m.describe()).collect();
                format!(
                    "Action and Resource match, but its Condition failed: {}",
                    failed.join("; ")
                )
            }
        };
        out.push_str(&format!("    {line}\n"));
    }
}

fn render_fix(out: &mut String, denial: &DenialRecord) {
    let why = &denial.explanation;
    match why.fix() {
        Fix::CreateRole => out.push_str(&format!(
            "fix: create the role {} again (aws iam create-role), or give the function an existing role.\n",
            why.role
        )),
        Fix::RemoveDeny { commands } => {
            out.push_str(
                "fix: an explicit Deny always wins, so no Allow can override it. Remove the Deny statement, \
                 or narrow its Action or Resource so it no longer matches this call. See where it is with:\n",
            );
            for command in commands {
                out.push_str(&format!("  {command}\n"));
            }
        }
        Fix::Allow {
            statement, command, ..
        } => {
            out.push_str(&format!(
                "fix: the smallest statement that allows exactly this call:\n{statement}\n\napply it with:\n  {command}\n"
            ));
            out.push_str(&format!(
                "note: it allows this one resource only; for calls that change resource every run, see `sim least-privilege {}`.\n",
                why.role
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::Session;
    use crate::introspect;
    use crate::sim::World;

    const SETUP: &str = r#"aws s3 mb s3://invoices
aws iam create-role --role-name fn-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name fn-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws iam put-role-policy --role-name fn-role --policy-name write-reports --policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}]}'
aws lambda create-function --function-name invoice-service --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/fn-role --zip-file fileb://invoice-service.zip --environment Variables={BUCKET=invoices}"#;
    const INVOKE: &str = r#"aws lambda invoke --function-name invoice-service --cli-binary-format raw-in-base64-out --payload '{"order_id": "A1", "amount": 5}' out.json"#;

    fn exec(session: &mut Session, script: &str) -> String {
        let outcome = session.exec(script);
        assert!(outcome.ok, "{script}\n{}", outcome.output);
        outcome.output
    }

    fn fix_commands(session: &Session) -> Vec<Option<String>> {
        let result = introspect::query(
            session.world(),
            "SELECT fix_command FROM sim.iam_denials ORDER BY denial_id",
        )
        .expect("sim.iam_denials reads");
        result.rows.into_iter().map(|row| row[0].clone()).collect()
    }

    #[test]
    fn the_suggested_fix_lets_the_same_call_through() {
        let mut session = Session::with_seed(1);
        exec(&mut session, SETUP);
        exec(&mut session, INVOKE);
        let reply = exec(&mut session, "cat out.json");
        assert!(reply.contains("AccessDenied"));
        // The invoke caused denial 1; `cat` quotes its sentence inside JSON.
        let iam = &session.world().services().iam;
        assert_eq!(iam.denial_for_reply(0, "").map(|d| d.id), Some(1));
        assert_eq!(iam.denial_for_reply(1, &reply).map(|d| d.id), Some(1));
        assert_eq!(iam.denial_for_reply(1, "{\"StatusCode\": 200}"), None);
        let fixes = fix_commands(&session);
        let [Some(fix)] = fixes.as_slice() else {
            panic!("one implicit deny, with a fix command: {fixes:?}");
        };
        exec(&mut session, fix);
        exec(&mut session, INVOKE);
        let reply = exec(&mut session, "cat out.json");
        assert!(reply.contains("\"invoice_id\":\"INV-A1\""), "{reply}");
        assert_eq!(fix_commands(&session).len(), 1, "no new denial");
        assert!(exec(&mut session, "aws s3 ls s3://invoices/invoices/").contains("A1.json"));
    }

    #[test]
    fn bad_numbers_fail_and_leave_the_world_as_it_was() {
        let mut session = Session::with_seed(1);
        exec(&mut session, SETUP);
        exec(&mut session, INVOKE);
        let before = session.world().snapshot();
        for bad in [
            "sim iam explain 2",
            "sim iam explain -1",
            "sim iam explain 1 2",
        ] {
            let outcome = session.exec(bad);
            assert!(!outcome.ok, "{bad}: {}", outcome.output);
        }
        assert_eq!(session.world().snapshot(), before);
        assert!(exec(&mut session, "sim iam explain 1").starts_with("denial 1 at "));
    }

    #[test]
    fn denials_are_kept_up_to_the_limit_and_undone_with_their_command() {
        let mut session = Session::with_seed(1);
        exec(&mut session, SETUP);
        for _ in 0..super::DENIALS_KEPT_MAX + 2 {
            exec(&mut session, INVOKE);
        }
        let iam = &session.world().services().iam;
        assert_eq!(iam.denials().len(), super::DENIALS_KEPT_MAX);
        assert_eq!(iam.denials()[0].id, 3);
        let error = session.exec("sim iam explain 2");
        assert!(
            error.output.contains("denial 2 is no longer kept"),
            "{}",
            error.output
        );
        session.undo();
        let iam = &session.world().services().iam;
        assert_eq!(iam.denials_total(), 51);
        assert_eq!(iam.denials().last().map(|d| d.id), Some(51));
        let copy = World::from_snapshot(&session.world().snapshot()).expect("snapshot reads");
        assert_eq!(copy.services().iam.denials(), iam.denials());
    }
}
