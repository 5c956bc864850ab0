//! UI strings by language. Each language is one TOML file of `key = "text"` under `locales/`,
//! embedded at compile time; adding a language is adding a file here and to `LOCALES`. Lesson
//! texts are not here: they live with the lessons (`lessons/<id>/<lang>.toml`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Language code, its file. English is the fallback for a missing key.
const LOCALES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.toml")),
    ("ko", include_str!("../locales/ko.toml")),
];
pub const FALLBACK: &str = "en";

type Table = BTreeMap<String, String>;

fn tables() -> &'static BTreeMap<&'static str, Table> {
    static TABLES: OnceLock<BTreeMap<&'static str, Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        LOCALES
            .iter()
            .map(|(code, text)| {
                let table: Table = toml::from_str(text)
                    .unwrap_or_else(|err| panic!("locales/{code}.toml does not parse: {err}"));
                (*code, table)
            })
            .collect()
    })
}

/// The languages the UI speaks: (code, name in that language).
pub fn languages() -> Vec<(&'static str, String)> {
    tables()
        .iter()
        .map(|(code, table)| {
            (
                *code,
                table.get("language.name").cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// A known language code, or the fallback.
pub fn language(code: &str) -> &'static str {
    tables()
        .keys()
        .copied()
        .find(|known| *known == code)
        .unwrap_or(FALLBACK)
}

/// The text for `key` in `lang` (English if missing there, the key itself if missing in both).
pub fn t(lang: &str, key: &str) -> String {
    let tables = tables();
    tables
        .get(lang)
        .and_then(|table| table.get(key))
        .or_else(|| tables[FALLBACK].get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// `t` with `{name}` placeholders filled.
pub fn tf(lang: &str, key: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(t(lang, key), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_english_key() {
        let english = &tables()[FALLBACK];
        for (code, table) in tables() {
            for key in english.keys() {
                assert!(table.contains_key(key), "locales/{code}.toml lacks {key}");
            }
            for key in table.keys() {
                assert!(
                    english.contains_key(key),
                    "locales/{code}.toml has an unknown key {key}"
                );
            }
        }
    }

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn every_translation_fills_the_same_placeholders() {
        let english = &tables()[FALLBACK];
        for (code, table) in tables() {
            for (key, text) in table {
                assert_eq!(
                    placeholders(text),
                    placeholders(&english[key]),
                    "locales/{code}.toml: {key} has other placeholders than English"
                );
            }
        }
    }

    /// The browser tests (`e2e/tests`) find these English texts; a change here breaks them.
    #[test]
    fn english_texts_the_browser_tests_look_for() {
        let id = [("id", "3".to_string())];
        assert_eq!(tf("en", "kafka.broker.crash_label", &id), "Crash broker 3");
        assert_eq!(
            tf(
                "en",
                "kafka.broker.line",
                &[("id", "3".into()), ("state", "crashed".into())]
            ),
            "broker 3 crashed"
        );
        let group = tf(
            "en",
            "kafka.group.line",
            &[
                ("group", "web".into()),
                ("state", "Stable".into()),
                ("generation", "1".into()),
                ("protocol", "range".into()),
            ],
        ) + &tf("en", "kafka.group.lag", &[("lag", "0".into())]);
        assert_eq!(group, "group web — Stable, generation 1, range — lag 0");
        assert_eq!(t("en", "kafka.member.kill"), "kill");
        assert_eq!(
            tf("en", "kafka.group.add_label", &[("group", "web".into())]),
            "Add a consumer to group web"
        );
        assert_eq!(
            tf("en", "lambda.runs.other", &[("n", "62".into())]),
            "62 runs"
        );
        assert_eq!(
            tf("en", "lambda.errors.one", &[("n", "1".into())]),
            "1 error"
        );
        assert!(t("en", "timeline.too_long").contains("too long for a link"));
    }

    #[test]
    fn lookups_fall_back_and_fill_placeholders() {
        assert_eq!(language("ko"), "ko");
        assert_eq!(language("xx"), "en");
        assert_eq!(
            tf(
                "en",
                "lessons.step",
                &[("n", "2".into()), ("total", "5".into())]
            ),
            "Step 2 of 5"
        );
        assert_eq!(
            tf(
                "ko",
                "lessons.step",
                &[("n", "2".into()), ("total", "5".into())]
            ),
            "5단계 중 2단계"
        );
        assert_eq!(t("ko", "no.such.key"), "no.such.key");
    }
}
