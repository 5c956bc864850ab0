//! Every lesson replayed step by step, its mistakes tried, and the goal checks and loading
//! rules on small made-up lessons.

use super::*;
use crate::api::Session;

/// The seed lessons replay with; any seed must do, so a second one runs too.
const SEEDS: [u64; 2] = [1, 7];

#[test]
fn every_lesson_loads_with_english_and_korean_and_the_same_steps() {
    let lessons = load(LESSON_FILES).unwrap_or_else(|e| panic!("{e}"));
    assert!(!lessons.is_empty(), "no lesson under lessons/");
    for lesson in &lessons {
        for language in ["en", "ko"] {
            let text = lesson
                .texts
                .get(language)
                .unwrap_or_else(|| panic!("{}: no {language}.toml", lesson.id));
            assert!(!text.title.trim().is_empty(), "{}: empty title", lesson.id);
            assert!(!text.intro.trim().is_empty(), "{}: empty intro", lesson.id);
            assert_eq!(text.steps.len(), lesson.steps.len(), "{}", lesson.id);
            for step in &text.steps {
                assert!(!step.text.trim().is_empty(), "{}/{}", lesson.id, step.id);
                assert!(
                    !step.hints.is_empty(),
                    "{}/{} ({language}) has no hint",
                    lesson.id,
                    step.id
                );
            }
        }
        for step in &lesson.steps {
            assert!(
                !step.solution.trim().is_empty(),
                "{}/{}",
                lesson.id,
                step.id
            );
        }
    }
    let orders: Vec<u32> = lessons.iter().map(|l| l.order).collect();
    let mut unique = orders.clone();
    unique.dedup();
    assert_eq!(orders, unique, "two lessons share an order");
}

fn run(session: &mut Session, script: &str, what: &str) {
    let outcome = session.exec(script);
    assert!(outcome.ok, "{what} failed:\n{}", outcome.output);
}

/// Replays one lesson step by step: after a step's setup its goal does not hold yet (the
/// learner has something to do), after its solution it does.
fn replay(lesson: &Lesson, seed: u64) {
    let mut session = Session::with_seed(seed);
    for (index, step) in lesson.steps.iter().enumerate() {
        let name = format!("{}/{} (seed {seed})", lesson.id, step.id);
        run(&mut session, &step.setup, &format!("{name}: setup"));
        let before = lesson.check_step(index, &session);
        assert_eq!(
            before,
            Ok(false),
            "{name}: the goal must not hold before the learner acts"
        );
        run(&mut session, &step.solution, &format!("{name}: solution"));
        let after = lesson.check_step(index, &session);
        assert_eq!(after, Ok(true), "{name}: the solution must reach the goal");
    }
}

#[test]
fn every_lesson_is_not_done_before_and_done_after_each_solution() {
    for lesson in all() {
        for seed in SEEDS {
            replay(lesson, seed);
        }
    }
}

/// A session at the start of step `step`: earlier steps solved, this step's setup run.
fn session_at(lesson: &Lesson, step: usize, seed: u64) -> Session {
    let mut session = Session::with_seed(seed);
    for earlier in &lesson.steps[..step] {
        run(&mut session, &earlier.setup, "setup");
        run(&mut session, &earlier.solution, "solution");
    }
    run(&mut session, &lesson.steps[step].setup, "setup");
    session
}

#[test]
fn no_classic_mistake_reaches_a_goal() {
    let mut mistakes = 0;
    for lesson in all() {
        for (index, step) in lesson.steps.iter().enumerate() {
            for mistake in &step.mistakes {
                mistakes += 1;
                let mut session = session_at(lesson, index, SEEDS[0]);
                // A mistake may fail outright (and change nothing) or succeed and miss the point.
                let outcome = session.exec(mistake);
                assert_eq!(
                    lesson.check_step(index, &session),
                    Ok(false),
                    "{}/{}: this mistake reaches the goal:\n{mistake}\n{}",
                    lesson.id,
                    step.id,
                    outcome.output
                );
            }
        }
    }
    assert!(mistakes > 0, "no lesson lists a mistake");
}

#[test]
fn the_session_checks_a_lesson_step_by_id() {
    let lesson = &all()[0];
    let mut session = session_at(lesson, 0, SEEDS[0]);
    assert_eq!(session.lesson_step_done(&lesson.id, 0), Some(Ok(false)));
    run(&mut session, &lesson.steps[0].solution, "solution");
    assert_eq!(session.lesson_step_done(&lesson.id, 0), Some(Ok(true)));
    assert_eq!(session.lesson_step_done("no-such-lesson", 0), None);
    let first = &lesson.steps[0].goal[0];
    assert!(session.sim_query(first).is_ok());
}

#[test]
fn lists_lessons_in_order_with_titles_per_language() {
    let english = list("en");
    let korean = list("ko");
    let unknown = list("xx");
    assert_eq!(english.len(), all().len());
    assert!(english.windows(2).all(|w| w[0].order < w[1].order));
    for ((en, ko), xx) in english.iter().zip(&korean).zip(&unknown) {
        assert_eq!(en.id, ko.id);
        assert_ne!(
            en.title, ko.title,
            "{}: Korean title is the English one",
            en.id
        );
        assert_eq!(
            xx.title, en.title,
            "an unknown language falls back to English"
        );
        assert!(get(&en.id).is_some());
    }
    assert!(get("no-such-lesson").is_none());
}

#[test]
fn a_goal_is_its_first_value_true_or_non_zero() {
    let mut session = Session::with_seed(1);
    let check = |s: &Session, goal: &str| check_goal(s.world(), goal);
    assert_eq!(
        check(&session, "SELECT count(*) FROM sim.s3_buckets"),
        Ok(false)
    );
    assert_eq!(check(&session, "SELECT 1 = 1"), Ok(true));
    assert_eq!(check(&session, "SELECT 0.0"), Ok(false));
    assert_eq!(check(&session, "SELECT 2.5"), Ok(true));
    assert_eq!(check(&session, "SELECT CAST(NULL AS boolean)"), Ok(false));
    assert_eq!(
        check(&session, "SELECT size > 0 FROM sim.s3_objects"),
        Ok(false),
        "no rows do not hold"
    );
    run(&mut session, "aws s3 mb s3://first-bucket", "mb");
    assert_eq!(
        check(&session, "SELECT count(*) FROM sim.s3_buckets"),
        Ok(true)
    );
}

#[test]
fn a_bad_goal_is_a_clear_error() {
    let session = Session::with_seed(1);
    let message = |goal: &str| {
        check_goal(session.world(), goal)
            .expect_err(goal)
            .to_string()
    };
    let missing = message("SELECT count(*) FROM sim.kafka_partition");
    assert!(
        missing.contains("sim.kafka_partition") && missing.contains("does not exist"),
        "{missing}"
    );
    let column = message("SELECT count(*) FROM sim.s3_objects WHERE colour = 'red'");
    assert!(column.contains("colour"), "{column}");
    let syntax = message("SELEC 1");
    assert!(syntax.contains("the goal query failed"), "{syntax}");
    assert_eq!(
        check_goal(session.world(), "SELECT 'yes'"),
        Err(GoalError::NotATruthValue {
            column: "_col0".into(),
            type_name: "varchar(3)".into(),
        })
    );
    let ddl = message("CREATE DATABASE x");
    assert!(ddl.contains("only SELECT"), "{ddl}");
    let lesson = &all()[0];
    assert_eq!(
        lesson.check_step(lesson.steps.len(), &session),
        Err(GoalError::NoSuchStep {
            lesson: lesson.id.clone(),
            step: lesson.steps.len(),
        })
    );
}

#[test]
fn loading_refuses_inconsistent_lessons() {
    let lesson =
        "id = \"x\"\norder = 1\n[[steps]]\nid = \"a\"\ngoal = \"SELECT 1\"\nsolution = \"echo\"\n";
    let en = "title = \"X\"\nintro = \"i\"\n[[steps]]\nid = \"a\"\ntext = \"t\"\n";
    let ko_other_step = "title = \"X\"\nintro = \"i\"\n[[steps]]\nid = \"b\"\ntext = \"t\"\n";
    let error = |files: &[(&str, &str, &str)]| load(files).expect_err("refused").to_string();
    assert!(load(&[("x", "lesson.toml", lesson), ("x", "en.toml", en)]).is_ok());
    let e = error(&[
        ("x", "lesson.toml", lesson),
        ("x", "en.toml", en),
        ("x", "ko.toml", ko_other_step),
    ]);
    assert!(e.starts_with("lessons/x/ko.toml: steps"), "{e}");
    let e = error(&[("x", "lesson.toml", lesson)]);
    assert!(e.contains("en.toml: missing"), "{e}");
    let e = error(&[("y", "lesson.toml", lesson), ("y", "en.toml", en)]);
    assert!(e.contains("differs from the folder"), "{e}");
    let e = error(&[("x", "en.toml", en)]);
    assert!(e.contains("lesson.toml: missing"), "{e}");
    let typo = lesson.replace("goal", "gaol");
    let e = error(&[("x", "lesson.toml", &typo), ("x", "en.toml", en)]);
    assert!(e.contains("gaol"), "{e}");
}

#[test]
fn a_goal_may_be_several_queries_that_must_all_hold() {
    let lesson = |goal: &str| {
        let text = format!(
            "id = \"x\"\norder = 1\n[[steps]]\nid = \"a\"\ngoal = {goal}\nsolution = \"echo\"\n"
        );
        let en = "title = \"X\"\nintro = \"i\"\n[[steps]]\nid = \"a\"\ntext = \"t\"\n";
        load(&[("x", "lesson.toml", &text), ("x", "en.toml", en)])
    };
    let session = Session::with_seed(1);
    let both = lesson("[\"SELECT 1\", \"SELECT 0\"]")
        .expect("loads")
        .remove(0);
    assert_eq!(both.steps[0].goal.len(), 2);
    assert_eq!(both.check_step(0, &session), Ok(false));
    let one = lesson("\"SELECT 1\"").expect("loads").remove(0);
    assert_eq!(one.check_step(0, &session), Ok(true));
    let none = lesson("[]").expect_err("refused").to_string();
    assert!(none.contains("at least one query"), "{none}");
}
