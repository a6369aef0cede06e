//! `new dataset`: asking for metadata on a terminal. The questions are in Ukrainian with the
//! option's name and English help beside them, show the default and the allowed values, and ask
//! again after an invalid answer. Generic over input and output, so it is tested without a
//! terminal.

use std::io::{BufRead, Write};

use super::metadata::{Invalid, Item};

/// What the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A value (the default when the user pressed Enter).
    Value(String),
    /// Skipped: optional, no default, nothing typed.
    Skipped,
    /// The input ended (Ctrl-D) before a required item was answered.
    Ended,
}

/// Asks for `item` until the answer passes `check`.
pub fn ask(
    input: &mut impl BufRead,
    output: &mut impl Write,
    item: &Item,
    default: Option<&str>,
    allowed: Option<&str>,
    check: &dyn Fn(&str) -> Result<(), Invalid>,
) -> std::io::Result<Answer> {
    writeln!(output, "{} ({}: {})", item.question, item.flag, item.help)?;
    if let Some(allowed) = allowed {
        writeln!(output, "  можливі значення: {allowed}")?;
    }
    loop {
        match (default, item.required) {
            (Some(d), _) => write!(output, "  [{d}] > ")?,
            (None, false) => write!(output, "  (необов’язково, Enter — пропустити) > ")?,
            (None, true) => write!(output, "  > ")?,
        }
        output.flush()?;
        let mut line = String::new();
        // A last line without its newline is followed by the end of the input.
        let ended = input.read_line(&mut line)? == 0 || !line.ends_with('\n');
        let typed = line.trim();
        let value = match (typed.is_empty(), default) {
            (false, _) => typed,
            (true, Some(d)) => d,
            (true, None) if !item.required => return Ok(Answer::Skipped),
            (true, None) if ended => return Ok(Answer::Ended),
            (true, None) => {
                writeln!(output, "  це обов’язкове поле")?;
                continue;
            }
        };
        match check(value) {
            Ok(()) => return Ok(Answer::Value(value.to_owned())),
            Err(_) if ended => return Ok(Answer::Ended),
            Err(why) => writeln!(output, "  {}", why.uk)?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIRED: Item = Item {
        flag: "--frequency",
        question: "Періодичність оновлення",
        help: "update frequency",
        required: true,
    };
    const OPTIONAL: Item = Item {
        required: false,
        ..REQUIRED
    };

    fn digits(value: &str) -> Result<(), Invalid> {
        if value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(Invalid {
                uk: "лише цифри".into(),
                en: "digits".into(),
            })
        }
    }

    fn run(item: &Item, default: Option<&str>, typed: &str) -> (Answer, String) {
        let mut input = typed.as_bytes();
        let mut output = Vec::new();
        let answer = ask(
            &mut input,
            &mut output,
            item,
            default,
            Some("1, 2"),
            &digits,
        )
        .unwrap();
        (answer, String::from_utf8(output).unwrap())
    }

    #[test]
    fn asks_until_valid_and_takes_defaults() {
        let value = |v: &str| Answer::Value(v.to_owned());
        let cases: &[(&Item, Option<&str>, &str, Answer, usize)] = &[
            (&REQUIRED, None, "12\n", value("12"), 1),
            (&REQUIRED, None, "abc\n\n  7 \n", value("7"), 3),
            (&REQUIRED, Some("5"), "\n", value("5"), 1),
            (&REQUIRED, Some("5"), "x\n9\n", value("9"), 2),
            (&REQUIRED, None, "", Answer::Ended, 1),
            (&REQUIRED, None, "abc", Answer::Ended, 1),
            (&OPTIONAL, None, "\n", Answer::Skipped, 1),
            (&OPTIONAL, None, "", Answer::Skipped, 1),
        ];
        for (item, default, typed, want, prompts) in cases {
            let (answer, shown) = run(item, *default, typed);
            assert_eq!(&answer, want, "{typed:?}");
            assert_eq!(shown.matches("> ").count(), *prompts, "{typed:?}: {shown}");
            assert!(shown.starts_with("Періодичність оновлення (--frequency: update frequency)\n  можливі значення: 1, 2\n"));
        }
        let (_, shown) = run(&REQUIRED, None, "abc\n1\n");
        assert!(shown.contains("  лише цифри\n"), "{shown}");
        let (_, shown) = run(&REQUIRED, Some("5"), "\n");
        assert!(shown.contains("[5] > "), "{shown}");
    }
}
