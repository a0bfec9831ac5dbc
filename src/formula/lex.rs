//! Splits a typed formula into tokens, each with the column it starts at. Accepts what people
//! type from slides: `·` and `×` for multiplication, `−` for minus, `π`, `√`, `½` and
//! superscript powers such as `x²`.

use super::FormulaError;

/// One token of a formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// A number.
    Number(f64),
    /// A name: a variable, a constant, a function or a parameter.
    Name(String),
    /// `+`.
    Plus,
    /// `-` or `−`.
    Minus,
    /// `*`, `·` or `×`.
    Times,
    /// `/` or `÷`.
    Divide,
    /// `^` or `**`.
    Power,
    /// A superscript power such as `²` (its value).
    Superscript(i32),
    /// `√`.
    Root,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
}

impl Token {
    /// How the token reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Token::Number(v) => format!("the number {v}"),
            Token::Name(n) => format!("'{n}'"),
            Token::Plus => "'+'".into(),
            Token::Minus => "'-'".into(),
            Token::Times => "'*'".into(),
            Token::Divide => "'/'".into(),
            Token::Power => "'^'".into(),
            Token::Superscript(p) => format!("the power {p}"),
            Token::Root => "'√'".into(),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::Comma => "','".into(),
        }
    }
}

/// A token and the 1-based column (in characters) where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// The token.
    pub token: Token,
    /// Its first character's column, from 1.
    pub column: usize,
}

/// The value of a superscript digit.
fn superscript_digit(c: char) -> Option<i32> {
    Some(match c {
        '⁰' => 0,
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '⁴' => 4,
        '⁵' => 5,
        '⁶' => 6,
        '⁷' => 7,
        '⁸' => 8,
        '⁹' => 9,
        _ => return None,
    })
}

/// Whether `c` may start a name.
fn name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// A character that looks like one a formula uses but is another (a Cyrillic `х` for x, a
/// full-width `ｘ`): what it looks like and what it is. Typed by mistake, it would silently be
/// a parameter equal to 1.
fn lookalike(c: char) -> Option<(char, &'static str)> {
    let cyrillic = match c {
        'а' => Some('a'),
        'с' => Some('c'),
        'е' => Some('e'),
        'і' => Some('i'),
        'ј' => Some('j'),
        'о' => Some('o'),
        'р' => Some('p'),
        'ѕ' => Some('s'),
        'х' => Some('x'),
        'у' => Some('y'),
        'А' => Some('A'),
        'В' => Some('B'),
        'Е' => Some('E'),
        'К' => Some('K'),
        'М' => Some('M'),
        'Н' => Some('H'),
        'О' => Some('O'),
        'Р' => Some('P'),
        'С' => Some('C'),
        'Т' => Some('T'),
        'Х' => Some('X'),
        'У' => Some('Y'),
        _ => None,
    };
    if let Some(ascii) = cyrillic {
        return Some((ascii, "a Cyrillic letter"));
    }
    match c {
        // Full-width forms of ASCII, as East Asian keyboards type them.
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).map(|a| (a, "a full-width character"))
        }
        'ⅹ' => Some(('x', "the Roman numeral ten")),
        _ => None,
    }
}

/// The error for look-alike `c` at `column`.
fn lookalike_error(c: char, column: usize) -> Option<FormulaError> {
    let (ascii, what) = lookalike(c)?;
    Some(FormulaError::new(
        column,
        format!("'{c}' is {what} that looks like '{ascii}': type '{ascii}'"),
    ))
}

/// A name split where letters and digits meet: `x3y` → `x`, `3`, `y`.
fn split_digits(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in name.chars() {
        match parts.last_mut() {
            Some(last)
                if last.chars().last().is_some_and(|l| l.is_ascii_digit())
                    == c.is_ascii_digit() =>
            {
                last.push(c)
            }
            _ => parts.push(c.to_string()),
        }
    }
    parts
}

/// The tokens of `text`.
pub fn tokens(text: &str) -> Result<Vec<Spanned>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let push = |out: &mut Vec<Spanned>, token| out.push(Spanned { token, column });
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if chars.get(i) == Some(&'.') {
                i += 1;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            let malformed = |end: usize, why: &str| {
                let literal: String = chars[start..end].iter().collect();
                FormulaError::new(
                    column,
                    format!("'{}' is not a number: {why}", crate::limits::echo(&literal)),
                )
            };
            // 1.2.3: a second decimal point.
            if chars.get(i) == Some(&'.') {
                let mut end = i + 1;
                while chars
                    .get(end)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                {
                    end += 1;
                }
                return Err(malformed(end, "it has more than one decimal point"));
            }
            // An exponent needs digits: 1e3, 2.5e-4; `1e*x` is refused, not read as e·x.
            if matches!(chars.get(i), Some('e' | 'E'))
                && !chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphabetic() || *c == '_')
            {
                let mut j = i + 1;
                if matches!(chars.get(j), Some('+' | '-' | '−')) {
                    j += 1;
                }
                if chars.get(j).is_some_and(char::is_ascii_digit) {
                    i = j;
                    while chars.get(i).is_some_and(char::is_ascii_digit) {
                        i += 1;
                    }
                } else {
                    return Err(malformed(
                        i + 1,
                        "an exponent needs digits (1e3); for a number times Euler's e write 1*e",
                    ));
                }
            }
            // 0x10, 2x3y: a number run into a name with digits reads as a product with a
            // parameter ("x10", "x3y"), never what was meant.
            if chars.get(i).is_some_and(|&c| name_start(c)) {
                let mut end = i;
                while chars
                    .get(end)
                    .is_some_and(|&c| name_start(c) || c.is_ascii_digit())
                {
                    end += 1;
                }
                let name: String = chars[i..end].iter().collect();
                if name.chars().any(|c| c.is_ascii_digit()) {
                    let number: String = chars[start..i].iter().collect();
                    let spelled: Vec<String> = split_digits(&name);
                    return Err(FormulaError::new(
                        column,
                        format!(
                            "'{}' would read as {number} times a parameter '{}': write the \
                             product you mean, e.g. {number}*{}",
                            crate::limits::echo(&format!("{number}{name}")),
                            crate::limits::echo(&name),
                            crate::limits::echo(&spelled.join("*"))
                        ),
                    ));
                }
            }
            let literal: String = chars[start..i]
                .iter()
                .map(|&c| if c == '−' { '-' } else { c })
                .collect();
            let value: f64 = literal
                .parse()
                .map_err(|_| FormulaError::new(column, format!("'{literal}' is not a number")))?;
            if !value.is_finite() {
                return Err(FormulaError::new(
                    column,
                    format!("the number '{literal}' is too large"),
                ));
            }
            push(&mut out, Token::Number(value));
            continue;
        }
        if let Some(e) = lookalike_error(c, column) {
            return Err(e);
        }
        if name_start(c) {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|&c| name_start(c) || c.is_ascii_digit())
            {
                if let Some(e) = lookalike_error(chars[i], i + 1) {
                    return Err(e);
                }
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            let token = if name == "π" {
                Token::Name("pi".into())
            } else {
                Token::Name(name)
            };
            push(&mut out, token);
            continue;
        }
        if let Some(d) = superscript_digit(c) {
            let mut power = d;
            i += 1;
            while let Some(d) = chars.get(i).copied().and_then(superscript_digit) {
                power = power.saturating_mul(10).saturating_add(d);
                i += 1;
            }
            push(&mut out, Token::Superscript(power));
            continue;
        }
        let token = match c {
            '+' => Token::Plus,
            '-' | '−' | '–' => Token::Minus,
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                Token::Power
            }
            '*' | '·' | '×' | '⋅' => Token::Times,
            '/' | '÷' => Token::Divide,
            '^' => Token::Power,
            '√' => Token::Root,
            '½' => Token::Number(0.5),
            '(' | '[' => Token::Open,
            ')' | ']' => Token::Close,
            ',' => Token::Comma,
            _ => {
                return Err(FormulaError::new(
                    column,
                    format!("'{c}' is not something a formula can use"),
                ));
            }
        };
        push(&mut out, token);
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token> {
        tokens(text).unwrap().into_iter().map(|s| s.token).collect()
    }

    #[test]
    fn numbers_names_and_slide_symbols() {
        use Token::*;
        assert_eq!(
            kinds("2.5e-3x ** 2 − π·y²"),
            vec![
                Number(2.5e-3),
                Name("x".into()),
                Power,
                Number(2.0),
                Minus,
                Name("pi".into()),
                Times,
                Name("y".into()),
                Superscript(2),
            ]
        );
        assert_eq!(kinds("2e3"), vec![Number(2000.0)]);
        assert_eq!(kinds("2 e"), vec![Number(2.0), Name("e".into())]);
        assert_eq!(kinds(".5"), vec![Number(0.5)]);
        assert_eq!(kinds("x¹⁰"), vec![Name("x".into()), Superscript(10)]);
    }

    #[test]
    fn a_stray_character_is_named_with_its_column() {
        let e = tokens("x + y $ 2").unwrap_err();
        assert_eq!(e.column, 7);
        assert!(e.message.contains('$'), "{e}");
        assert_eq!(tokens("1e999").unwrap_err().column, 1);
    }

    #[test]
    fn a_malformed_number_is_refused_not_read_as_something_else() {
        for (text, column, words) in [
            ("1.2.3", 1, "'1.2.3' is not a number"),
            ("2e", 1, "exponent"),
            ("1e*x", 1, "exponent"),
            ("0x10", 1, "0*x*10"),
            ("2x3y", 1, "2*x"),
        ] {
            let e = tokens(text).unwrap_err();
            assert_eq!(e.column, column, "{text}: {e}");
            assert!(e.message.contains(words), "{text}: {e:?}");
        }
        // Juxtaposition without digits after a name still reads as a product.
        assert_eq!(
            kinds("2x"),
            vec![Token::Number(2.0), Token::Name("x".into())]
        );
    }

    #[test]
    fn a_look_alike_character_is_named_with_the_letter_to_type() {
        for (text, column, ascii) in [("х + y", 1, 'x'), ("x + ｙ", 5, 'y'), ("2ⅹ", 2, 'x')] {
            let e = tokens(text).unwrap_err();
            assert_eq!(e.column, column, "{text}: {e}");
            assert!(
                e.message.contains(&format!("type '{ascii}'")),
                "{text}: {e}"
            );
        }
    }
}
