//! A careful CSV reader that turns a user's file into a [`Dataset`], naming the line (and
//! column) of any problem. Built on the `csv` crate's streaming RFC 4180 reader: the file is
//! read record by record, never whole, and the table it fills is bounded
//! ([`crate::limits::MAX_TABLE_CELLS`]), so neither a large file nor a device that never ends
//! can exhaust memory. Only regular files are read: a folder, a pipe or a device is refused
//! before it is opened.

use super::{Dataset, Target};
use crate::limits::{self, MAX_DATA_BYTES, MAX_TABLE_CELLS};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use thiserror::Error;

/// The largest CSV file [`read_path`] accepts, in bytes (200 MB).
pub const MAX_FILE_BYTES: u64 = MAX_DATA_BYTES;

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
    /// Not a regular file.
    #[error("'{0}' is not a regular file (a folder, pipe or device cannot be read as data)")]
    NotAFile(String),
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
    /// More columns than [`crate::limits::MAX_COLUMNS`].
    #[error(
        "line {line}: {got} columns (the limit is {})",
        crate::limits::MAX_COLUMNS
    )]
    TooManyColumns {
        /// 1-based line of the header.
        line: usize,
        /// Columns in it.
        got: usize,
    },
    /// The table would hold more numbers than [`MAX_TABLE_CELLS`].
    #[error("line {line}: the table holds more than {limit} numbers (the limit on a file's table)")]
    TooManyCells {
        /// 1-based line where the limit was passed.
        line: usize,
        /// The limit.
        limit: usize,
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
    /// A header column without a name.
    #[error("line {line}: header column {column} has no name")]
    UnnamedColumn {
        /// 1-based line of the header.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Two header columns with the same name.
    #[error("line {line}: two columns are named '{name}'")]
    DuplicateColumn {
        /// 1-based line of the header.
        line: usize,
        /// The name.
        name: String,
    },
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
    /// A quoted field that never ends (or runs over several lines, which a table's numbers
    /// and labels never do).
    #[error("line {line}: a quoted field is not closed (it runs over several lines)")]
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
        /// The offending text (shortened).
        value: String,
    },
    /// An empty or non-finite target.
    #[error("line {line}: the target '{column}' is {what}")]
    BadTarget {
        /// 1-based line.
        line: usize,
        /// Column name.
        column: String,
        /// "empty" or "not a finite number ('nan')".
        what: String,
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
    /// A regression target with a single value.
    #[error("the target column '{column}' has a single value ({value}); nothing to learn")]
    ConstantTarget {
        /// Column name.
        column: String,
        /// The value.
        value: f64,
    },
    /// Values too large to standardise in f64.
    #[error(
        "column '{0}' has values too large to standardise (their squares overflow f64); \
         rescale the column"
    )]
    Unscalable(String),
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

/// Reads a CSV file from disk: regular files only, refusing files over [`MAX_FILE_BYTES`]
/// before reading them, and reading at most that many bytes whatever the metadata said.
pub fn read_path(
    path: &Path,
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    let shown = limits::echo(&path.display().to_string());
    let io = |e: std::io::Error| DataError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(DataError::NotAFile(shown));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(DataError::TooLarge {
            path: shown,
            mb: meta.len() / (1024 * 1024),
            limit: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    read(&name, file.take(MAX_FILE_BYTES + 1), target, hint)
}

/// Parses CSV bytes (UTF-8) into a dataset named `name`.
pub fn parse_bytes(
    name: &str,
    bytes: &[u8],
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    read(name, bytes, target, hint)
}

/// Parses CSV text into a dataset named `name`; the target is `target` or the last column.
pub fn parse(
    name: &str,
    text: &str,
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    read(name, text.as_bytes(), target, hint)
}

/// A field as text, or the line it is not UTF-8 on.
fn text(field: &[u8], line: usize) -> Result<&str, DataError> {
    std::str::from_utf8(field).map_err(|_| DataError::InvalidUtf8 { line })
}

/// The line a record starts on.
fn line_of(record: &csv::ByteRecord) -> usize {
    record.position().map_or(0, |p| p.line() as usize)
}

/// Streams records from `source` into a dataset named `name`.
fn read(
    name: &str,
    source: impl Read,
    target: Option<&str>,
    hint: TargetHint,
) -> Result<Dataset, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    let mut record = csv::ByteRecord::new();
    let mut next = |record: &mut csv::ByteRecord| -> Result<bool, DataError> {
        loop {
            let more = reader
                .read_byte_record(record)
                .map_err(|e| match e.kind() {
                    csv::ErrorKind::Io(err) => DataError::Io {
                        path: name.to_string(),
                        reason: err.to_string(),
                    },
                    _ => DataError::Unterminated {
                        line: e.position().map_or(0, |p| p.line() as usize),
                    },
                })?;
            // Blank lines (and lines of blanks) carry no record.
            let blank = record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
            if !more || !blank {
                return Ok(more);
            }
        }
    };
    if !next(&mut record)? {
        return Err(DataError::Empty);
    }
    let header_line = line_of(&record);
    if record.len() > crate::limits::MAX_COLUMNS {
        return Err(DataError::TooManyColumns {
            line: header_line,
            got: record.len(),
        });
    }
    let mut header = Vec::with_capacity(record.len());
    // Names seen, for the duplicate check in one pass (a list's search made a wide header's
    // reading quadratic).
    let mut seen = std::collections::HashSet::with_capacity(record.len());
    for (k, field) in record.iter().enumerate() {
        let mut h = text(field, header_line)?.trim();
        if k == 0 {
            h = h.trim_start_matches('\u{feff}').trim();
        }
        if h.is_empty() {
            return Err(DataError::UnnamedColumn {
                line: header_line,
                column: k + 1,
            });
        }
        if !seen.insert(h.to_string()) {
            return Err(DataError::DuplicateColumn {
                line: header_line,
                name: limits::echo(h),
            });
        }
        header.push(h.to_string());
    }
    let width = header.len();
    let target_col = match target {
        None => width - 1,
        Some(t) => header.iter().position(|h| h == t.trim()).ok_or_else(|| {
            DataError::NoSuchColumn(limits::echo(t), limits::echo(&header.join(", ")))
        })?,
    };
    if width < 2 {
        return Err(DataError::NoFeatures);
    }
    let d = width - 1;
    let mut x = Vec::new();
    let mut targets = Targets::new(&header[target_col]);
    while next(&mut record)? {
        let line = line_of(&record);
        // A field with a line break in it is a quote left open (the reader takes the rest of
        // the file into it).
        if record
            .iter()
            .any(|f| f.contains(&b'\n') || f.contains(&b'\r'))
        {
            return Err(DataError::Unterminated { line });
        }
        if record.len() != width {
            return Err(DataError::Ragged {
                line,
                got: record.len(),
                want: width,
            });
        }
        if x.len() + width > MAX_TABLE_CELLS {
            return Err(DataError::TooManyCells {
                line,
                limit: MAX_TABLE_CELLS,
            });
        }
        for (col, field) in record.iter().enumerate() {
            let v = text(field, line)?.trim();
            if col == target_col {
                targets.push(line, v)?;
                continue;
            }
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
    }
    let n = targets.len();
    if n < 2 {
        return Err(DataError::Empty);
    }
    let target_name = header[target_col].clone();
    let target = targets.finish(hint)?;
    let features: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(c, _)| c != target_col)
        .map(|(_, h)| h.clone())
        .collect();
    // Standardising squares each column's deviations: refuse what would overflow f64.
    for (col, feature) in features.iter().enumerate() {
        if !scalable(x.iter().skip(col).step_by(d).copied()) {
            return Err(DataError::Unscalable(feature.clone()));
        }
    }
    if let Target::Values(values) = &target
        && !scalable(values.iter().copied())
    {
        return Err(DataError::Unscalable(target_name));
    }
    Ok(Dataset {
        name: name.to_string(),
        features,
        target_name,
        n,
        d,
        x,
        target,
    })
}

/// Whether the mean and variance of `values` are finite in f64.
fn scalable(values: impl Iterator<Item = f64> + Clone) -> bool {
    let (mut n, mut sum) = (0.0, 0.0);
    for v in values.clone() {
        n += 1.0;
        sum += v;
    }
    let mean = sum / n;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    mean.is_finite() && var.is_finite()
}

/// The most classes a text target may have.
pub const MAX_CLASSES: usize = 1000;

/// The target column as it streams in: numbers while every value is one, then the distinct
/// texts with an index per row (never a string per row).
struct Targets {
    column: String,
    /// Every value so far parsed as a number.
    numbers: Option<Vec<f64>>,
    /// The first number that is not finite ('nan', 'inf'), with its line.
    non_finite: Option<(usize, String)>,
    /// The first value that is not a number, with its line.
    first_text: Option<(usize, String)>,
    /// Distinct texts in order of first appearance, and each row's index into them.
    names: Vec<String>,
    index: HashMap<String, u32>,
    ids: Vec<u32>,
}

impl Targets {
    fn new(column: &str) -> Self {
        Self {
            column: column.to_string(),
            numbers: Some(Vec::new()),
            non_finite: None,
            first_text: None,
            names: Vec::new(),
            index: HashMap::new(),
            ids: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    /// Takes the target of the row on `line`; an empty one is refused at once.
    fn push(&mut self, line: usize, value: &str) -> Result<(), DataError> {
        if value.is_empty() {
            return Err(DataError::BadTarget {
                line,
                column: self.column.clone(),
                what: "empty".into(),
            });
        }
        match value.parse::<f64>() {
            Ok(v) => {
                if !v.is_finite() && self.non_finite.is_none() {
                    self.non_finite = Some((line, value.to_string()));
                }
                if let Some(numbers) = &mut self.numbers {
                    numbers.push(v);
                }
            }
            Err(_) => {
                self.numbers = None;
                if self.first_text.is_none() {
                    self.first_text = Some((line, value.to_string()));
                }
            }
        }
        let next = self.names.len() as u32;
        let id = match self.index.get(value) {
            Some(&id) => id,
            None => {
                if self.names.len() >= MAX_CLASSES && self.numbers.is_none() {
                    return Err(DataError::BadTarget {
                        line,
                        column: self.column.clone(),
                        what: format!(
                            "one of more than {MAX_CLASSES} different texts (too many classes)"
                        ),
                    });
                }
                // Numbers keep no text index: a regression target may have a value per row.
                if self.numbers.is_none() || self.names.len() < MAX_CLASSES {
                    self.index.insert(value.to_string(), next);
                    self.names.push(value.to_string());
                }
                next
            }
        };
        self.ids.push(id);
        Ok(())
    }

    /// Classes or values. An infinity or NaN among numbers is refused, as is a numeric target
    /// with one value; whole numbers with few distinct values are classes unless `hint` says
    /// regression.
    fn finish(self, hint: TargetHint) -> Result<Target, DataError> {
        let column = self.column;
        let numeric = self.numbers.is_some();
        if (numeric || hint == TargetHint::Regression)
            && let Some((line, text)) = self.non_finite
        {
            return Err(DataError::BadTarget {
                line,
                column,
                what: format!("not a finite number ('{}')", limits::echo(&text)),
            });
        }
        if let Some(values) = self.numbers {
            let whole = values.iter().all(|v| v.fract() == 0.0 && v.abs() < 1e9);
            let mut distinct: Vec<f64> = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let few = whole && distinct.len() <= MAX_INTEGER_CLASSES;
            if hint == TargetHint::Regression || !few {
                if distinct.len() < 2 {
                    return Err(DataError::ConstantTarget {
                        column,
                        value: distinct[0],
                    });
                }
                return Ok(Target::Values(values));
            }
            let names: Vec<String> = distinct.iter().map(|v| format!("{v}")).collect();
            let labels = values
                .iter()
                .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
                .collect();
            return classes(&column, names, labels);
        }
        if hint == TargetHint::Regression {
            let (line, text) = self.first_text.unwrap_or_default();
            return Err(DataError::NotNumeric {
                line,
                column,
                value: text.chars().take(40).collect(),
            });
        }
        let labels = self.ids.into_iter().map(|id| id as usize).collect();
        classes(&column, self.names, labels)
    }
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
    fn bad_targets_headers_and_huge_values_are_refused_by_line_and_column() {
        // A NaN among numeric targets, an empty target, a constant regression target.
        let nan = parse("t", "a,y\n1,0.5\n2,NaN\n3,1.5\n", None, TargetHint::Auto).unwrap_err();
        assert!(
            matches!(&nan, DataError::BadTarget { line: 3, .. }),
            "{nan}"
        );
        assert!(nan.to_string().contains("not a finite number"), "{nan}");
        let empty = read("a,y\n1,x\n2,\n3,z\n").unwrap_err();
        assert!(
            empty
                .to_string()
                .starts_with("line 3: the target 'y' is empty"),
            "{empty}"
        );
        let constant = parse("t", "a,y\n1,5\n2,5\n", None, TargetHint::Regression).unwrap_err();
        assert!(matches!(constant, DataError::ConstantTarget { .. }));
        // A header ending in a comma has an unnamed column.
        let unnamed = read("a,b,\n1,2,3\n4,5,6\n").unwrap_err();
        assert_eq!(unnamed, DataError::UnnamedColumn { line: 1, column: 3 });
        assert!(matches!(
            read("a,a,y\n1,2,x\n3,4,z\n").unwrap_err(),
            DataError::DuplicateColumn { .. }
        ));
        // Old Mac line endings (CR only) read as lines.
        let cr = read("a,y\r1,x\r2,z\r").unwrap();
        assert_eq!((cr.n, cr.d), (2, 1));
        // Values whose squares overflow are named with their column.
        let huge = read("big,y\n1e308,x\n-1e308,z\n5,x\n").unwrap_err();
        assert_eq!(huge, DataError::Unscalable("big".into()));
    }

    #[test]
    fn special_files_are_refused_before_they_are_opened() {
        let err = read_path(Path::new("/dev/zero"), None, TargetHint::Auto).unwrap_err();
        assert!(matches!(err, DataError::NotAFile(_)), "{err}");
        let err = read_path(Path::new("/tmp"), None, TargetHint::Auto).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
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
