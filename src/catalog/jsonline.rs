//! Load stage (`catalog`): the line of a JSON value named by a finding's field path
//! (`resources[0].schema`, `hromadata.spatial`), so that findings about a descriptor point at
//! the line to edit, not only at the file. serde_json keeps no positions, so the text is walked
//! again: a small scanner that skips values without building them. It never fails loudly: on
//! text it does not understand (the descriptor parsed, so this is rare) it gives no line.

/// The 1-based line where the value at `path` starts in `text`; when the path goes beyond what
/// the text has (a property that is missing), the line of the last value on the way, where the
/// property belongs. `None` when `path` is not a path or the text is not an object (the root
/// excepted: it is wherever the text begins).
pub fn line_of(text: &str, path: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    let steps = if path == "(root)" {
        Vec::new()
    } else {
        (bytes.get(at) == Some(&b'{')).then_some(())?;
        steps(path)?
    };
    for step in steps {
        let next = match step {
            Step::Key(key) => member(bytes, at, key),
            Step::Index(i) => element(bytes, at, i),
        };
        let Some(next) = next else { break };
        at = next;
    }
    Some(1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64)
}

enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `a.b[2][0].c` as steps; `None` when it is not such a path.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            out.push(Step::Index(inner[..end].parse().ok()?));
            rest = &inner[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// Where the value of `key` starts in the object at `at`.
fn member(b: &[u8], at: usize, key: &str) -> Option<usize> {
    let mut i = open(b, at, b'{')?;
    while b.get(i) == Some(&b'"') {
        let end = skip_string(b, i)?;
        let found = serde_json::from_slice::<String>(&b[i..end]).ok()?;
        i = skip_space(b, end);
        (b.get(i) == Some(&b':')).then_some(())?;
        i = skip_space(b, i + 1);
        if found == key {
            return Some(i);
        }
        i = next(b, skip_value(b, i)?)?;
    }
    None
}

/// Where element `index` starts in the array at `at`.
fn element(b: &[u8], at: usize, index: usize) -> Option<usize> {
    let mut i = open(b, at, b'[')?;
    for _ in 0..index {
        (!matches!(b.get(i), Some(b']') | None)).then_some(())?;
        i = next(b, skip_value(b, i)?)?;
    }
    (!matches!(b.get(i), Some(b']') | None)).then_some(i)
}

/// Past the opening `bracket` at `at` and the spaces after it.
fn open(b: &[u8], at: usize, bracket: u8) -> Option<usize> {
    (b.get(at) == Some(&bracket)).then(|| skip_space(b, at + 1))
}

/// Past the comma after a value (and the spaces around it) to the next member or element.
fn next(b: &[u8], at: usize) -> Option<usize> {
    let i = skip_space(b, at);
    match b.get(i) {
        Some(b',') => Some(skip_space(b, i + 1)),
        _ => None,
    }
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Past the string that starts at `at` (its closing quote included).
fn skip_string(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Past the value that starts at `at`: strings whole, brackets counted (those inside strings
/// skipped), scalars to the next delimiter. Iterative, so deep nesting costs no stack.
fn skip_value(b: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match b.get(i)? {
            b'"' => i = skip_string(b, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b',' | b'}' | b']' if depth == 0 => return Some(i),
            _ => i += 1,
        }
        if depth == 0
            && !matches!(b.get(i), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.'))
        {
            return Some(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{
  "name": "a",
  "keywords": ["x", "y]"],
  "resources": [
    {"name": "r", "path": "t.csv"},
    {
      "name": "s",
      "bytes": 12,
      "schema": {"fields": [{"name": "a\"b"}]}
    }
  ],
  "hromadata": {"spatial": "UA"}
}"#;

    #[test]
    fn lines_of_values_named_by_paths() {
        let cases = [
            ("(root)", Some(1)),
            ("name", Some(2)),
            ("keywords[1]", Some(3)),
            ("resources", Some(4)),
            ("resources[0]", Some(5)),
            ("resources[0].path", Some(5)),
            ("resources[1].bytes", Some(8)),
            ("resources[1].schema", Some(9)),
            ("resources[1].schema.fields[0].name", Some(9)),
            ("hromadata.spatial", Some(12)),
            ("resources[2]", Some(4)),
            ("resources[1].title", Some(6)),
            ("title", Some(1)),
            ("name[0]", Some(2)),
            ("resources[x]", None),
        ];
        for (path, line) in cases {
            assert_eq!(line_of(TEXT, path), line, "{path}");
        }
    }

    #[test]
    fn never_fails_on_text_it_does_not_understand() {
        for text in ["", "[1, 2", "\"a\""] {
            assert_eq!(line_of(text, "a[3].b"), None, "{text}");
        }
        assert_eq!(line_of("\n [1]", "(root)"), Some(2));
        for text in ["{", "{\"a\": \"unterminated", "{\"a\" 1}", "{\"a\": [[[["] {
            assert_eq!(line_of(text, "a[3].b"), Some(1), "{text}");
        }
        let deep = format!(
            "{{\"a\": {}1{}, \"b\": 2}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(line_of(&deep, "b"), Some(1));
    }
}
