//! Lessons: step-by-step exercises loaded from data, with goals checked against the world.
//!
//! Each lesson is a folder under `lessons/` at the repository root: `lesson.toml` holds what
//! does not depend on the language (id, order, tags, and per step a setup script, a goal query
//! and a solution script), and one `<lang>.toml` per language holds the words (title, intro,
//! per step an explanation and hints). `build.rs` embeds the files at compile time, so loading
//! does no I/O. A goal is a SQL query over the `sim.*` tables (`introspect`); it holds when the
//! first column of the first row is true or a non-zero number.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::api::Session;
use crate::introspect::{self, QueryError};
use crate::sim::World;

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// The language every lesson has, and the one a missing translation falls back to.
pub const DEFAULT_LANGUAGE: &str = "en";
const LESSON_FILE: &str = "lesson.toml";

/// What a lesson is, apart from its words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    id: String,
    order: u32,
    #[serde(default)]
    tags: Vec<String>,
    steps: Vec<Step>,
}

/// One step: the commands that prepare it, the check, and commands that reach the goal.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    /// Shell commands run when the step starts (the learner does not type them).
    #[serde(default)]
    pub setup: String,
    /// SQL queries over `sim.*` (one, or a list in TOML); the step is done when every one
    /// returns a truthy first value. A list stands in for joins, which the SQL engine lacks.
    #[serde(deserialize_with = "one_or_many")]
    pub goal: Vec<String>,
    /// Shell commands that reach the goal ("show solution").
    pub solution: String,
    /// Scripts of tempting wrong answers (the classic mistakes); a test checks that none of
    /// them reaches the goal, so the goal really tells the lesson's point apart.
    #[serde(default)]
    pub mistakes: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(query) => Ok(vec![query]),
        OneOrMany::Many(queries) if !queries.is_empty() => Ok(queries),
        OneOrMany::Many(_) => Err(serde::de::Error::custom("a goal needs at least one query")),
    }
}

/// A lesson's words in one language.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonText {
    pub title: String,
    pub intro: String,
    pub steps: Vec<StepText>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepText {
    pub id: String,
    /// What to do and why, in Markdown.
    pub text: String,
    #[serde(default)]
    pub hints: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub order: u32,
    pub tags: Vec<String>,
    pub steps: Vec<Step>,
    /// Words by language code (`en`, `ko`, …).
    pub texts: BTreeMap<String, LessonText>,
}

/// A lesson as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonSummary {
    pub id: String,
    pub order: u32,
    pub title: String,
    pub steps: usize,
}

/// Why the embedded lesson files do not make a set of lessons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// `lessons/<id>/<file>`.
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Why a goal could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoalError {
    /// The query did not run (bad SQL, an unknown table or column, not a SELECT).
    Query(QueryError),
    /// The first column is neither a boolean nor a number.
    NotATruthValue {
        column: String,
        type_name: String,
    },
    NoSuchStep {
        lesson: String,
        step: usize,
    },
}

impl std::fmt::Display for GoalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GoalError::Query(error) => write!(f, "the goal query failed: {error}"),
            GoalError::NotATruthValue { column, type_name } => write!(
                f,
                "a goal must return a boolean or a number in its first column; `{column}` is {type_name}"
            ),
            GoalError::NoSuchStep { lesson, step } => {
                write!(f, "lesson `{lesson}` has no step {step}")
            }
        }
    }
}

impl Lesson {
    /// The words in `language`, or in English when there is no such translation.
    pub fn text(&self, language: &str) -> &LessonText {
        self.texts
            .get(language)
            .unwrap_or_else(|| &self.texts[DEFAULT_LANGUAGE])
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// Whether step `step` (from 0) is done in the session's world.
    pub fn check_step(&self, step: usize, session: &Session) -> Result<bool, GoalError> {
        let goals = &self
            .steps
            .get(step)
            .ok_or_else(|| GoalError::NoSuchStep {
                lesson: self.id.clone(),
                step,
            })?
            .goal;
        for goal in goals {
            if !check_goal(session.world(), goal)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Runs a goal query: it holds when the first column of the first row is `true` or a non-zero
/// number. No rows, or NULL, do not hold; any other type is an error, so a goal never passes
/// by accident on a string.
pub fn check_goal(world: &World, goal: &str) -> Result<bool, GoalError> {
    let result = introspect::query(world, goal).map_err(GoalError::Query)?;
    let column = &result.columns[0];
    let type_name = column.type_name.as_str();
    let numeric = matches!(
        type_name,
        "bigint" | "integer" | "smallint" | "tinyint" | "double" | "real"
    ) || type_name.starts_with("decimal");
    if type_name != "boolean" && !numeric {
        return Err(GoalError::NotATruthValue {
            column: column.name.clone(),
            type_name: type_name.to_string(),
        });
    }
    let Some(Some(value)) = result.rows.first().map(|row| row[0].as_deref()) else {
        return Ok(false);
    };
    Ok(if numeric {
        value.parse::<f64>().is_ok_and(|n| n != 0.0)
    } else {
        value == "true"
    })
}

/// Every lesson, in order. The files are part of the build and a test loads them, so a broken
/// file is a broken build, not a runtime error.
pub fn all() -> &'static [Lesson] {
    static LESSONS: OnceLock<Vec<Lesson>> = OnceLock::new();
    LESSONS.get_or_init(|| load(LESSON_FILES).unwrap_or_else(|error| panic!("{error}")))
}

pub fn get(id: &str) -> Option<&'static Lesson> {
    all().iter().find(|lesson| lesson.id == id)
}

/// Every lesson's id and title in `language` (English where it is missing), in order.
pub fn list(language: &str) -> Vec<LessonSummary> {
    all()
        .iter()
        .map(|lesson| LessonSummary {
            id: lesson.id.clone(),
            order: lesson.order,
            title: lesson.text(language).title.clone(),
            steps: lesson.steps.len(),
        })
        .collect()
}

/// Builds lessons from `(lesson id, file name, contents)` triples, checking that each lesson
/// has its `lesson.toml` and an English text, and that every language has the same steps.
pub fn load(files: &[(&str, &str, &str)]) -> Result<Vec<Lesson>, LessonError> {
    let mut by_lesson: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (id, name, text) in files {
        by_lesson.entry(id).or_default().push((name, text));
    }
    let mut lessons = Vec::new();
    for (id, files) in by_lesson {
        lessons.push(load_one(id, &files)?);
    }
    lessons.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    Ok(lessons)
}

fn load_one(id: &str, files: &[(&str, &str)]) -> Result<Lesson, LessonError> {
    let error = |file: &str, message: String| LessonError {
        file: format!("lessons/{id}/{file}"),
        message,
    };
    let (_, lesson_text) = files
        .iter()
        .find(|(name, _)| *name == LESSON_FILE)
        .ok_or_else(|| error(LESSON_FILE, "missing".into()))?;
    let lesson: LessonFile =
        toml::from_str(lesson_text).map_err(|e| error(LESSON_FILE, e.to_string()))?;
    if lesson.id != id {
        return Err(error(
            LESSON_FILE,
            format!("id `{}` differs from the folder's name", lesson.id),
        ));
    }
    if lesson.steps.is_empty() {
        return Err(error(
            LESSON_FILE,
            "a lesson needs at least one step".into(),
        ));
    }
    let step_ids: Vec<&str> = lesson.steps.iter().map(|s| s.id.as_str()).collect();
    let mut texts = BTreeMap::new();
    for (name, text) in files.iter().filter(|(name, _)| *name != LESSON_FILE) {
        let language = name.trim_end_matches(".toml");
        let words: LessonText = toml::from_str(text).map_err(|e| error(name, e.to_string()))?;
        let ids: Vec<&str> = words.steps.iter().map(|s| s.id.as_str()).collect();
        if ids != step_ids {
            return Err(error(
                name,
                format!("steps {ids:?} differ from lesson.toml's {step_ids:?}"),
            ));
        }
        texts.insert(language.to_string(), words);
    }
    if !texts.contains_key(DEFAULT_LANGUAGE) {
        return Err(error("en.toml", "missing: every lesson has English".into()));
    }
    Ok(Lesson {
        id: lesson.id,
        order: lesson.order,
        tags: lesson.tags,
        steps: lesson.steps,
        texts,
    })
}
