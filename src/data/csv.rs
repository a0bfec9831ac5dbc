//! A small, careful CSV reader that turns text into a [`Dataset`], naming the line of any
//! problem.
//!
//! Hand-written rather than the `csv` crate: the files are small numeric tables, every error
//! must name its line, and the reader must never panic, so the ~100 lines below (RFC 4180
//! quoting included) are easier to audit than a dependency and its configuration.

use super::{Dataset, Target};
use std::collections::HashMap;
use std::path::Path;
use thiserror::Error;

/// The largest CSV file [`read_path`] accepts, in bytes (200 MB).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// A numeric target with at most this many distinct whole-number values is read as classes.
pub const MAX_INTEGER_CLASSES: usize = 20;

/// Why a table could not be read.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("cannot read '{path}': {reason}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("'{path}' is {mb} MB; the limit is {limit} MB")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size in MB.
        mb: u64,
        /// The limit in MB.
        limit: u64,
    },
    /// The bytes are not UTF-8 text.
    #[error("line {line}: not valid UTF-8 text")]
    InvalidUtf8 {
        /// 1-based line of the first bad byte.
        line: usize,
    },
    /// No header or no data rows.
    #[error("the file has no data rows (expected a header line and at least two rows)")]
    Empty,
    /// A row with a different number of fields than the header.
    #[error("line {line}: {got} fields, but the header has {want}")]
    Ragged {
        /// 1-based line.
        line: usize,
        /// Fields found.
        got: usize,
        /// Fields expected.
        want: usize,
    },
    /// A quoted field that never ends.
    #[error("line {line}: a quoted field is not closed")]
    Unterminated {
        /// 1-based line where the field starts.
        line: usize,
    },
    /// Text where a feature must be a number.
    #[error("line {line}: column '{column}' has '{value}', which is not a number")]
    NotNumeric {
        /// 1-based line.
        line: usize,
        /// Column name.
        column: String,
        /// The offending text.
        value: String,
    },
    /// The named target column does not exist.
    #[error("no column '{0}' (columns: {1})")]
    NoSuchColumn(String, String),
    /// A classification target with fewer than two classes.
    #[error("the target column '{column}' has a single class ('{class}'); nothing to learn")]
    SingleClass {
        /// Column name.
        column: String,
        /// The only value.
        class: String,
    },
    /// A table with a target and no feature columns.
    #[error("the file needs at least one feature column besides the target")]
    NoFeatures,
}

/// How to read the target column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TargetHint {
    /// Text → classes; whole numbers with few distinct values → classes; else values.
    #[default]
    Auto,
    /// Always numeric values (for regression models).
    Regression,
}

/// Reads a CSV file from disk, refusing files over [`MAX_FILE_BYTES`] before reading them.
pub fn read_path(
    path: &Path,
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| DataError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(DataError::TooLarge {
            path: shown,
            mb: size / (1024 * 1024),
            limit: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    parse_bytes(&name, &bytes, target, hint)
}

/// Parses CSV bytes (UTF-8) into a dataset named `name`.
pub fn parse_bytes(
    name: &str,
    bytes: &[u8],
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DataError::InvalidUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })?;
    parse(name, text, target, hint)
}

/// Parses CSV text into a dataset named `name`; the target is `target` or the last column.
pub fn parse(
    name: &str,
    text: &str,
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    let rows = records(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut rows = rows.into_iter();
    let (_, header) = rows.next().ok_or(DataError::Empty)?;
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
    let width = header.len();
    let target_col = match target {
        None => width - 1,
        Some(t) => header
            .iter()
            .position(|h| h == t.trim())
            .ok_or_else(|| DataError::NoSuchColumn(t.to_string(), header.join(", ")))?,
    };
    if width < 2 {
        return Err(DataError::NoFeatures);
    }
    let d = width - 1;
    let mut x = Vec::new();
    let mut raw_target: Vec<(usize, String)> = Vec::new();
    for (line, fields) in rows {
        if fields.len() != width {
            return Err(DataError::Ragged {
                line,
                got: fields.len(),
                want: width,
            });
        }
        for (col, field) in fields.iter().enumerate() {
            if col == target_col {
                continue;
            }
            let v = field.trim();
            let value = v
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| DataError::NotNumeric {
                    line,
                    column: header[col].clone(),
                    value: v.chars().take(40).collect(),
                })?;
            x.push(value);
        }
        raw_target.push((line, fields[target_col].trim().to_string()));
    }
    if raw_target.len() < 2 {
        return Err(DataError::Empty);
    }
    let target_name = header[target_col].clone();
    let target = read_target(&target_name, &raw_target, hint)?;
    let features = header
        .iter()
        .enumerate()
        .filter(|&(c, _)| c != target_col)
        .map(|(_, h)| h.clone())
        .collect();
    Ok(Dataset {
        name: name.to_string(),
        features,
        target_name,
        n: raw_target.len(),
        d,
        x,
        target,
    })
}

/// Classes or values from the target column's text.
fn read_target(
    column: &str,
    raw: &[(usize, String)],
    hint: TargetHint,
) -> Result<Target, DataError> {
    let numbers: Option<Vec<f64>> = raw
        .iter()
        .map(|(_, s)| s.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    if let Some(values) = &numbers {
        let whole = values.iter().all(|v| v.fract() == 0.0 && v.abs() < 1e9);
        let mut distinct: Vec<f64> = values.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let few = whole && distinct.len() <= MAX_INTEGER_CLASSES;
        if hint == TargetHint::Regression || !few {
            return Ok(Target::Values(values.clone()));
        }
        let names: Vec<String> = distinct.iter().map(|v| format!("{v}")).collect();
        let labels = values
            .iter()
            .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
            .collect();
        return classes(column, names, labels);
    }
    if hint == TargetHint::Regression {
        let (line, value) = raw
            .iter()
            .find(|(_, s)| s.parse::<f64>().ok().filter(|v| v.is_finite()).is_none())
            .cloned()
            .unwrap_or((0, String::new()));
        return Err(DataError::NotNumeric {
            line,
            column: column.to_string(),
            value,
        });
    }
    // Text classes, numbered in order of first appearance.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::new();
    let mut labels = Vec::with_capacity(raw.len());
    for (_, s) in raw {
        let next = names.len();
        let k = *index.entry(s.as_str()).or_insert_with(|| {
            names.push(s.clone());
            next
        });
        labels.push(k);
    }
    classes(column, names, labels)
}

/// A class target, refusing a single class.
fn classes(column: &str, names: Vec<String>, labels: Vec<usize>) -> Result<Target, DataError> {
    if names.len() < 2 {
        return Err(DataError::SingleClass {
            column: column.to_string(),
            class: names.into_iter().next().unwrap_or_default(),
        });
    }
    Ok(Target::Classes { names, labels })
}

/// Splits text into records of fields with the 1-based line each starts on; blank lines are
/// skipped. Fields may be quoted ("a, b" and "" for a quote), as RFC 4180.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, DataError> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut start_line = 1;
    let mut in_quotes = false;
    let mut quote_line = 0;
    let mut any = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                in_quotes = true;
                quote_line = line;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.trim().is_empty() {
                    fields.push(std::mem::take(&mut field));
                    out.push((start_line, std::mem::take(&mut fields)));
                }
                field.clear();
                any = false;
                line += 1;
                start_line = line;
            }
            _ => {
                field.push(c);
                if !c.is_whitespace() {
                    any = true;
                }
            }
        }
    }
    if in_quotes {
        return Err(DataError::Unterminated { line: quote_line });
    }
    if any || !field.trim().is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Dataset, DataError> {
        parse("t", text, None, TargetHint::Auto)
    }

    #[test]
    fn reads_text_classes_and_numbers() {
        let d = read("a,b,label\n1,2,cat\n3,4.5,dog\n\n5,6,cat\n").unwrap();
        assert_eq!((d.n, d.d), (3, 2));
        assert_eq!(d.x, vec![1.0, 2.0, 3.0, 4.5, 5.0, 6.0]);
        match d.target {
            Target::Classes { names, labels } => {
                assert_eq!(names, vec!["cat", "dog"]);
                assert_eq!(labels, vec![0, 1, 0]);
            }
            Target::Values(_) => panic!("expected classes"),
        }
    }

    #[test]
    fn integer_targets_are_classes_unless_regression() {
        let text = "a,y\n1,0\n2,1\n3,2\n4,1\n";
        assert!(matches!(read(text).unwrap().target, Target::Classes { .. }));
        let d = parse("t", text, None, TargetHint::Regression).unwrap();
        assert_eq!(d.target, Target::Values(vec![0.0, 1.0, 2.0, 1.0]));
        let real = read("a,y\n1,0.5\n2,1\n").unwrap();
        assert!(matches!(real.target, Target::Values(_)));
    }

    #[test]
    fn chosen_target_column_and_quotes() {
        let d = parse(
            "t",
            "\"y\",a,b\r\n\"x, y\",1,2\r\nz,3,4\r\n",
            Some("y"),
            TargetHint::Auto,
        )
        .unwrap();
        assert_eq!(d.features, vec!["a", "b"]);
        assert_eq!(d.x, vec![1.0, 2.0, 3.0, 4.0]);
        assert!(
            matches!(parse("t", "a,b\n1,2\n3,4\n", Some("c"), TargetHint::Auto),
            Err(DataError::NoSuchColumn(c, _)) if c == "c")
        );
    }

    #[test]
    fn each_bad_file_names_its_problem_and_line() {
        let ragged = read("a,b,y\n1,2,x\n3,y\n").unwrap_err();
        assert_eq!(
            ragged,
            DataError::Ragged {
                line: 3,
                got: 2,
                want: 3
            }
        );
        assert!(ragged.to_string().starts_with("line 3:"));
        let text = read("a,b,y\n1,2,x\n3,oops,y\n1,1,x\n").unwrap_err();
        assert!(
            matches!(&text, DataError::NotNumeric { line: 3, column, value }
            if column == "b" && value == "oops")
        );
        assert!(text.to_string().contains("line 3"), "{text}");
        assert_eq!(read("").unwrap_err(), DataError::Empty);
        assert_eq!(read("a,b,y\n").unwrap_err(), DataError::Empty);
        let single = read("a,y\n1,x\n2,x\n").unwrap_err();
        assert!(matches!(single, DataError::SingleClass { .. }));
        assert!(single.to_string().contains("single class"));
        let bad = parse_bytes("t", b"a,y\n1,x\n2,\xff\xfe\n", None, TargetHint::Auto);
        assert_eq!(bad.unwrap_err(), DataError::InvalidUtf8 { line: 3 });
        let open = read("a,y\n1,\"x\n2,y\n").unwrap_err();
        assert_eq!(open, DataError::Unterminated { line: 2 });
        assert_eq!(read("y\n1\n2\n").unwrap_err(), DataError::NoFeatures);
        let nan = read("a,y\n1,x\nNaN,y\n").unwrap_err();
        assert!(matches!(nan, DataError::NotNumeric { line: 3, .. }));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_reading() {
        let dir = std::env::temp_dir().join(format!("downhill-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.csv");
        let f = std::fs::File::create(&path).unwrap();
        // A sparse file: the size is set without writing 200 MB.
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        let err = read_path(&path, None, TargetHint::Auto).unwrap_err();
        assert!(matches!(err, DataError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("limit is 200 MB"));
        std::fs::remove_dir_all(&dir).unwrap();
        let missing = read_path(&dir.join("none.csv"), None, TargetHint::Auto).unwrap_err();
        assert!(matches!(missing, DataError::Io { .. }));
    }
}
