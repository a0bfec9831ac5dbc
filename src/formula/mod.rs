//! Typed functions f(x, y): a small language (`+ - * / ^`, parentheses, `x`, `y`, `pi`, `e`,
//! `sin cos tan exp log sqrt abs tanh sigmoid min max`, and named parameters), parsed with
//! the column of every error, and compiled to a flat list of instructions that evaluates over
//! the same number types as the built-in surfaces: `f64` for values, jets for exact
//! gradients and Hessians.

mod lex;
mod parse;
mod program;

pub use program::{Op, Program};

use thiserror::Error;

/// The longest formula accepted, in characters.
pub const MAX_LEN: usize = 2000;

/// The deepest nesting of parentheses accepted (a function's own included).
pub const MAX_DEPTH: usize = 200;

/// The deepest recursion of the parser (signs and powers in a row add to it too): enough for
/// [`MAX_DEPTH`] parentheses, each a few levels of the grammar deep, and a guard for the
/// stack against a chain of thousands of signs.
pub const MAX_RECURSION: usize = 8 * MAX_DEPTH;

/// The most named parameters a formula may have.
pub const MAX_PARAMS: usize = 8;

/// What is wrong with a formula, and where.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("at column {column}: {message}")]
pub struct FormulaError {
    /// The 1-based column (in characters) of the problem.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl FormulaError {
    /// An error at `column`.
    pub fn new(column: usize, message: String) -> Self {
        Self { column, message }
    }
}

/// A function a formula can call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Abs,
    Tanh,
    Sigmoid,
    Min,
    Max,
}

impl Func {
    /// Every function, as typed.
    const ALL: [(Func, &'static str); 11] = [
        (Func::Sin, "sin"),
        (Func::Cos, "cos"),
        (Func::Tan, "tan"),
        (Func::Exp, "exp"),
        (Func::Log, "log"),
        (Func::Sqrt, "sqrt"),
        (Func::Abs, "abs"),
        (Func::Tanh, "tanh"),
        (Func::Sigmoid, "sigmoid"),
        (Func::Min, "min"),
        (Func::Max, "max"),
    ];

    /// The function called `name` (`ln` is `log`, the natural logarithm).
    pub fn from_name(name: &str) -> Option<Func> {
        if name == "ln" {
            return Some(Func::Log);
        }
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("?", |(_, n)| n)
    }

    /// Every function's name.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|(_, n)| *n).collect()
    }

    /// The fewest and most arguments it takes.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::Min | Func::Max => (2, usize::MAX),
            _ => (1, 1),
        }
    }
}

/// A parsed formula as a tree.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Expr {
    Num(f64),
    X,
    Y,
    /// The parameter with this index in [`Formula::params`].
    Param(usize),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// A formula as the user typed it, parsed: its tree and its parameters' names.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    text: String,
    expr: Expr,
    params: Vec<String>,
}

impl Formula {
    /// Parses `text`. Every error says at which column.
    pub fn parse(text: &str) -> Result<Self, FormulaError> {
        let chars = text.chars().count();
        if chars > MAX_LEN {
            return Err(FormulaError::new(
                MAX_LEN + 1,
                format!("the formula is too long (at most {MAX_LEN} characters)"),
            ));
        }
        let tokens = lex::tokens(text)?;
        let mut parser = parse::Parser::new(&tokens, chars);
        let expr = parser.formula()?;
        Ok(Self {
            text: text.trim().to_string(),
            expr,
            params: parser.params,
        })
    }

    /// The text it was parsed from (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its parameters' names, in order of first appearance.
    pub fn params(&self) -> &[String] {
        &self.params
    }

    /// Parameters that look like a function written without its parentheses (`sinx`,
    /// `expy`, `logx`: a function's name then a variable; or `sin` alone), each with what was
    /// probably meant (`sin(x)`): typed by mistake they are silently a constant 1.
    pub fn lookalikes(&self) -> Vec<(String, String)> {
        self.params
            .iter()
            .filter_map(|name| {
                let n = name.as_str();
                if Func::from_name(n).is_some() {
                    return Some((name.clone(), format!("{n}(x)")));
                }
                Func::ALL
                    .iter()
                    .map(|(_, f)| *f)
                    .chain(["ln"])
                    .find_map(|f| {
                        let rest = n.strip_prefix(f)?;
                        ["x", "y"]
                            .contains(&rest)
                            .then(|| (name.clone(), format!("{f}({rest})")))
                    })
            })
            .collect()
    }

    /// The parsed tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The instructions that evaluate it with the parameters set to `values` (one per
    /// [`Formula::params`]; missing ones are 1).
    pub fn compile(&self, values: &[f64]) -> Result<Program, FormulaError> {
        Program::compile(&self.expr, values)
    }
}

#[cfg(test)]
mod tests;
