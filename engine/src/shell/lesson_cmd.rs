//! `sim lesson …`: the lessons in the terminal, read-only. `list` names them, `show` prints one
//! step by step, `hint` and `solution` print a step's help, and `check` says which steps' goals
//! the world meets now. Running a step's setup is the session's job (a UI or a script), not
//! this command's: it never changes the world.

use super::args::Flags;
use super::{CommandError, Ctx, Reply, usage};
use crate::lessons::{self, Lesson};

const COMMAND: &str = "sim lesson";

pub fn run(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let flags = Flags::parse(rest, &["lang"], &[]).map_err(|m| usage(COMMAND, m))?;
    let language = flags.value("lang").unwrap_or(lessons::DEFAULT_LANGUAGE);
    let words: Vec<&str> = flags.positionals.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["list"] => Ok(Reply::text(list(language))),
        ["show", id] => Ok(Reply::text(show(find(id)?, language))),
        ["hint", id, step] => {
            let lesson = find(id)?;
            let index = step_index(lesson, step)?;
            let hints = &lesson.text(language).steps[index].hints;
            let text: String = hints
                .iter()
                .enumerate()
                .map(|(i, hint)| format!("hint {}: {hint}\n", i + 1))
                .collect();
            Ok(Reply::text(text))
        }
        ["solution", id, step] => {
            let lesson = find(id)?;
            let index = step_index(lesson, step)?;
            let solution = lesson.steps[index].solution.trim();
            Ok(Reply::text(format!("{solution}\n")))
        }
        ["check", id] => check(ctx, find(id)?),
        _ => Err(usage(
            COMMAND,
            "try `sim lesson list`, `sim lesson show ID`, `sim lesson hint ID STEP`, \
             `sim lesson solution ID STEP` or `sim lesson check ID` (add --lang ko for Korean)",
        )),
    }
}

fn find(id: &str) -> Result<&'static Lesson, CommandError> {
    lessons::get(id).ok_or_else(|| {
        let hint = super::closest(id, lessons::all().iter().map(|l| l.id.as_str()))
            .map(|name| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        usage(COMMAND, format!("no lesson `{id}`{hint}"))
    })
}

/// A step by its number (from 1, as `show` prints them) or its id.
fn step_index(lesson: &Lesson, step: &str) -> Result<usize, CommandError> {
    let by_number = step
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=lesson.steps.len()).contains(n))
        .map(|n| n - 1);
    by_number
        .or_else(|| lesson.steps.iter().position(|s| s.id == step))
        .ok_or_else(|| {
            usage(
                COMMAND,
                format!(
                    "lesson `{}` has steps 1 to {}, not `{step}`",
                    lesson.id,
                    lesson.steps.len()
                ),
            )
        })
}

fn list(language: &str) -> String {
    let lessons = lessons::list(language);
    let width = lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for lesson in lessons {
        text.push_str(&format!(
            "{:<width$}  {} steps  {}\n",
            lesson.id, lesson.steps, lesson.title
        ));
    }
    text
}

fn show(lesson: &Lesson, language: &str) -> String {
    let words = lesson.text(language);
    let mut text = format!("# {}\n\n{}\n", words.title, words.intro.trim());
    for (i, step) in words.steps.iter().enumerate() {
        text.push_str(&format!(
            "\n## {} · {}\n\n{}\n",
            i + 1,
            step.id,
            step.text.trim()
        ));
    }
    text
}

/// Each step's goal against the world now. Steps build on each other, so a later step can be
/// met while an earlier one is not; the list says so rather than guessing.
fn check(ctx: &Ctx, lesson: &Lesson) -> Result<Reply, CommandError> {
    let mut text = String::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let mut met = true;
        for goal in &step.goal {
            match lessons::check_goal(ctx.world, goal) {
                Ok(true) => {}
                Ok(false) => met = false,
                Err(error) => {
                    return Err(CommandError::Rendered(format!(
                        "{}/{}: {error}\n",
                        lesson.id, step.id
                    )));
                }
            }
        }
        let mark = if met { "done" } else { "not yet" };
        text.push_str(&format!("step {} {:<28} {mark}\n", i + 1, step.id));
    }
    Ok(Reply::text(text))
}

#[cfg(test)]
mod tests {
    //! Checked against the lesson data itself, so that adding or editing a lesson needs no
    //! change here.
    use crate::api::Session;
    use crate::lessons;

    fn run(session: &mut Session, line: &str) -> (bool, String) {
        let outcome = session.exec(line);
        (outcome.ok, outcome.output)
    }

    #[test]
    fn lists_and_shows_every_lesson_in_each_language() {
        let mut session = Session::with_seed(1);
        for language in ["en", "ko"] {
            let (ok, list) = run(&mut session, &format!("sim lesson list --lang {language}"));
            assert!(ok);
            let lines: Vec<&str> = list.lines().collect();
            assert_eq!(lines.len(), lessons::all().len());
            for (line, lesson) in lines.iter().zip(lessons::all()) {
                let words = lesson.text(language);
                assert!(
                    line.starts_with(&lesson.id) && line.ends_with(&words.title),
                    "{line}"
                );
                let (ok, shown) = run(
                    &mut session,
                    &format!("sim lesson show {} --lang {language}", lesson.id),
                );
                assert!(ok);
                assert!(words.steps.iter().all(|s| shown.contains(s.text.trim())));
                let (ok, hints) = run(
                    &mut session,
                    &format!("sim lesson hint {} 1 --lang {language}", lesson.id),
                );
                assert!(ok);
                assert_eq!(hints.lines().count(), words.steps[0].hints.len());
            }
        }
        assert!(
            session.world().trace().is_empty(),
            "reading lessons changed the world"
        );
    }

    #[test]
    fn checks_steps_against_the_world_and_prints_solutions() {
        for lesson in lessons::all() {
            let mut session = Session::with_seed(1);
            let first = &lesson.steps[0];
            session.exec(&first.setup);
            let (ok, before) = run(&mut session, &format!("sim lesson check {}", lesson.id));
            assert!(ok, "{before}");
            assert!(
                before.lines().next().unwrap().ends_with("not yet"),
                "{before}"
            );
            let (ok, solution) = run(
                &mut session,
                &format!("sim lesson solution {} {}", lesson.id, first.id),
            );
            assert!(ok);
            assert_eq!(solution.trim(), first.solution.trim());
            session.exec(&solution);
            let (_, after) = run(&mut session, &format!("sim lesson check {}", lesson.id));
            assert!(after.lines().next().unwrap().ends_with(" done"), "{after}");
        }
    }

    #[test]
    fn explains_what_it_cannot_find() {
        let mut session = Session::with_seed(1);
        let lesson = &lessons::all()[0];
        let typo = &lesson.id[..lesson.id.len() - 1];
        let (ok, out) = run(&mut session, &format!("sim lesson show {typo}"));
        assert!(!ok);
        assert!(
            out.contains(&format!("did you mean `{}`?", lesson.id)),
            "{out}"
        );
        let beyond = lesson.steps.len() + 1;
        let (ok, out) = run(
            &mut session,
            &format!("sim lesson hint {} {beyond}", lesson.id),
        );
        assert!(!ok);
        assert!(
            out.contains(&format!("has steps 1 to {}", lesson.steps.len())),
            "{out}"
        );
        let (ok, out) = run(&mut session, "sim lesson run x");
        assert!(!ok && out.contains("try `sim lesson list`"), "{out}");
    }
}
