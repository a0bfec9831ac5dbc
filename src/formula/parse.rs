//! The formula grammar, by recursive descent with a depth limit:
//!
//! ```text
//! sum     = term { ("+" | "-") term }
//! term    = unary { ("*" | "/") unary | power }      (a power right after: implicit ×)
//! unary   = ("-" | "+") unary | power
//! power   = postfix [ "^" unary ]                    (right-associative: 2^3^2 = 2^9)
//! postfix = primary { superscript }
//! primary = number | name | name "(" sum { "," sum } ")" | "(" sum ")" | "√" postfix
//! ```
//!
//! `-x^2` is −(x²) and `2x^2` is 2·(x²), as on paper.

use super::lex::{Spanned, Token};
use super::{Expr, FormulaError, Func, MAX_DEPTH, MAX_RECURSION};

/// The parser's position in the token list.
pub struct Parser<'a> {
    tokens: &'a [Spanned],
    at: usize,
    depth: usize,
    /// Parentheses open at this point.
    parens: usize,
    /// The column just past the end of the text, for errors at the end.
    end: usize,
    /// Parameter names in order of first appearance.
    pub params: Vec<String>,
}

/// What a name means.
enum Meaning {
    X,
    Y,
    Constant(f64),
    Func(Func),
    /// A run of x's and y's such as `xy`: their product.
    Product(Vec<Expr>),
    Param,
}

/// How a name is read: a variable, a constant, a function, a product of variables (`xy`) or
/// else a parameter.
fn meaning(name: &str) -> Meaning {
    match name {
        "x" => return Meaning::X,
        "y" => return Meaning::Y,
        "pi" => return Meaning::Constant(std::f64::consts::PI),
        "e" => return Meaning::Constant(std::f64::consts::E),
        _ => {}
    }
    if let Some(f) = Func::from_name(name) {
        return Meaning::Func(f);
    }
    if name.len() > 1 && name.chars().all(|c| c == 'x' || c == 'y') {
        let factors = name
            .chars()
            .map(|c| if c == 'x' { Expr::X } else { Expr::Y })
            .collect();
        return Meaning::Product(factors);
    }
    Meaning::Param
}

impl<'a> Parser<'a> {
    /// A parser over `tokens` of a text `chars` characters long.
    pub fn new(tokens: &'a [Spanned], chars: usize) -> Self {
        Self {
            tokens,
            at: 0,
            depth: 0,
            parens: 0,
            end: chars + 1,
            params: Vec::new(),
        }
    }

    /// The whole formula.
    pub fn formula(&mut self) -> Result<Expr, FormulaError> {
        if self.tokens.is_empty() {
            return Err(FormulaError::new(1, "the formula is empty".into()));
        }
        let e = self.sum()?;
        match self.peek() {
            None => Ok(e),
            Some(Token::Close) => Err(self.error_here("')' without a matching '('".into())),
            Some(t) => {
                let t = t.describe();
                Err(self.error_here(format!("unexpected {t}: expected an operator")))
            }
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|s| &s.token)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |s| s.column)
    }

    fn error_here(&self, message: String) -> FormulaError {
        FormulaError::new(self.column(), message)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).map(|s| s.token.clone());
        self.at += 1;
        t
    }

    /// Runs `f` one level deeper, refusing a chain of signs and powers too long for the
    /// stack ([`MAX_RECURSION`]).
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, FormulaError>,
    ) -> Result<T, FormulaError> {
        if self.depth >= MAX_RECURSION {
            return Err(
                self.error_here("the formula chains too many signs or powers in a row".into())
            );
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Runs `f` inside one more pair of parentheses, refusing more than [`MAX_DEPTH`].
    fn in_parens<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, FormulaError>,
    ) -> Result<T, FormulaError> {
        if self.parens >= MAX_DEPTH {
            return Err(self.error_here(format!(
                "the formula nests parentheses too deeply (at most {MAX_DEPTH} levels)"
            )));
        }
        self.parens += 1;
        let r = f(self);
        self.parens -= 1;
        r
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        self.nested(|p| {
            let mut e = p.term()?;
            loop {
                match p.peek() {
                    Some(Token::Plus) => {
                        p.bump();
                        e = Expr::Add(Box::new(e), Box::new(p.term_after("'+'")?));
                    }
                    Some(Token::Minus) => {
                        p.bump();
                        e = Expr::Sub(Box::new(e), Box::new(p.term_after("'-'")?));
                    }
                    _ => return Ok(e),
                }
            }
        })
    }

    /// A term after an operator, with the operator named if the term is missing.
    fn term_after(&mut self, op: &str) -> Result<Expr, FormulaError> {
        self.expect_operand(op)?;
        self.term()
    }

    /// An error unless the next token can start an operand.
    fn expect_operand(&self, after: &str) -> Result<(), FormulaError> {
        match self.peek() {
            Some(
                Token::Number(_)
                | Token::Name(_)
                | Token::Open
                | Token::Root
                | Token::Minus
                | Token::Plus,
            ) => Ok(()),
            _ => Err(self.error_here(format!(
                "expected a number, a variable or '(' after {after}"
            ))),
        }
    }

    fn term(&mut self) -> Result<Expr, FormulaError> {
        self.nested(|p| {
            let mut e = p.unary()?;
            loop {
                match p.peek() {
                    Some(Token::Times) => {
                        p.bump();
                        p.expect_operand("'*'")?;
                        e = Expr::Mul(Box::new(e), Box::new(p.unary()?));
                    }
                    Some(Token::Divide) => {
                        p.bump();
                        p.expect_operand("'/'")?;
                        e = Expr::Div(Box::new(e), Box::new(p.unary()?));
                    }
                    // Implicit multiplication: 2x, 3(x + 1), (x + 1)(x − 1), 2 sin(x).
                    Some(Token::Number(_) | Token::Name(_) | Token::Open | Token::Root) => {
                        e = Expr::Mul(Box::new(e), Box::new(p.power()?));
                    }
                    _ => return Ok(e),
                }
            }
        })
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        self.nested(|p| match p.peek() {
            Some(Token::Minus) => {
                p.bump();
                p.expect_operand("'-'")?;
                Ok(Expr::Neg(Box::new(p.unary()?)))
            }
            Some(Token::Plus) => {
                p.bump();
                p.expect_operand("'+'")?;
                p.unary()
            }
            _ => p.power(),
        })
    }

    fn power(&mut self) -> Result<Expr, FormulaError> {
        self.nested(|p| {
            let base = p.postfix()?;
            if p.peek() == Some(&Token::Power) {
                p.bump();
                p.expect_operand("'^'")?;
                let exponent = p.unary()?;
                return Ok(Expr::Pow(Box::new(base), Box::new(exponent)));
            }
            Ok(base)
        })
    }

    fn postfix(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.primary()?;
        while let Some(Token::Superscript(n)) = self.peek() {
            let n = *n;
            self.bump();
            e = Expr::Pow(Box::new(e), Box::new(Expr::Num(f64::from(n))));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, FormulaError> {
        self.nested(|p| {
            let column = p.column();
            match p.bump() {
                Some(Token::Number(v)) => Ok(Expr::Num(v)),
                Some(Token::Open) => p.in_parens(|p| {
                    p.expect_operand("'('")?;
                    let e = p.sum()?;
                    p.close(column)?;
                    Ok(e)
                }),
                Some(Token::Root) => {
                    p.expect_operand("'√'")?;
                    Ok(Expr::Call(Func::Sqrt, vec![p.postfix()?]))
                }
                Some(Token::Name(name)) => p.name(name, column),
                Some(t) => {
                    p.at -= 1;
                    Err(p.error_here(format!(
                        "unexpected {}: expected a number, a variable or '('",
                        t.describe()
                    )))
                }
                None => Err(p.error_here(
                    "the formula ends too early: expected a number, a variable or '('".into(),
                )),
            }
        })
    }

    /// The `)` closing a `(` opened at `column`.
    fn close(&mut self, column: usize) -> Result<(), FormulaError> {
        match self.peek() {
            Some(Token::Close) => {
                self.bump();
                Ok(())
            }
            None => Err(FormulaError::new(column, "this '(' is never closed".into())),
            Some(t) => {
                let t = t.describe();
                Err(self.error_here(format!("unexpected {t}: expected ')' or an operator")))
            }
        }
    }

    fn name(&mut self, name: String, column: usize) -> Result<Expr, FormulaError> {
        match meaning(&name) {
            Meaning::X => Ok(Expr::X),
            Meaning::Y => Ok(Expr::Y),
            Meaning::Constant(c) => Ok(Expr::Num(c)),
            Meaning::Product(factors) => Ok(factors
                .into_iter()
                .reduce(|a, b| Expr::Mul(Box::new(a), Box::new(b)))
                .unwrap_or(Expr::Num(1.0))),
            Meaning::Param => {
                if self.peek() == Some(&Token::Open) {
                    return Err(FormulaError::new(
                        column,
                        format!(
                            "unknown function '{name}' (functions: {})",
                            Func::names().join(", ")
                        ),
                    ));
                }
                let index = match self.params.iter().position(|p| *p == name) {
                    Some(i) => i,
                    None => {
                        if self.params.len() >= super::MAX_PARAMS {
                            return Err(FormulaError::new(
                                column,
                                format!(
                                    "too many parameters (at most {}): '{name}' would be one more",
                                    super::MAX_PARAMS
                                ),
                            ));
                        }
                        self.params.push(name);
                        self.params.len() - 1
                    }
                };
                Ok(Expr::Param(index))
            }
            Meaning::Func(f) => {
                if self.peek() != Some(&Token::Open) {
                    return Err(self.error_here(format!("expected '(' after {}", f.name())));
                }
                let open = self.column();
                self.bump();
                let args = self.in_parens(|p| {
                    let mut args = Vec::new();
                    loop {
                        p.expect_operand(if args.is_empty() { "'('" } else { "','" })?;
                        args.push(p.sum()?);
                        if p.peek() == Some(&Token::Comma) {
                            p.bump();
                            continue;
                        }
                        p.close(open)?;
                        return Ok(args);
                    }
                })?;
                let (min, max) = f.arity();
                if args.len() < min || args.len() > max {
                    let wanted = if min == max {
                        format!("{min}")
                    } else {
                        format!("at least {min}")
                    };
                    return Err(FormulaError::new(
                        column,
                        format!(
                            "{} takes {wanted} argument{}, not {}",
                            f.name(),
                            if min == 1 && max == 1 { "" } else { "s" },
                            args.len()
                        ),
                    ));
                }
                Ok(Expr::Call(f, args))
            }
        }
    }
}
