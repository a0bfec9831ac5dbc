//! A formula compiled to a flat list of stack instructions, with the parameters' values and
//! every constant part folded in, evaluated over any [`Real`] without walking a tree.

use super::{Expr, FormulaError, Func};
use crate::surfaces::jet::Real;

/// The most stack slots a program may need (a formula nested this deep on the right of its
/// operators is refused).
pub const MAX_SLOTS: usize = 64;

/// One instruction. Operands come from the top of the stack; `C` variants take a constant.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Op {
    X,
    Y,
    Const(f64),
    Add,
    Sub,
    Mul,
    Div,
    /// a^b for a > 0.
    Pow,
    Min,
    Max,
    /// a + c.
    AddC(f64),
    /// a · c.
    MulC(f64),
    /// a / c.
    DivC(f64),
    /// c − a.
    CSub(f64),
    /// c / a.
    CDiv(f64),
    /// c^a for c > 0.
    CPow(f64),
    /// a^n for a whole n.
    PowI(i32),
    /// a^p for a fractional p.
    PowF(f64),
    Square,
    Neg,
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Abs,
    Tanh,
    Sigmoid,
}

/// The instructions of one formula at fixed parameter values.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    slots: usize,
}

/// The tree with parameters replaced by their values and constant parts computed, unless
/// computing them leaves the reals (then the instruction stays, and says so at run time).
fn fold(e: &Expr, values: &[f64]) -> Expr {
    use Expr::*;
    let num = |v: f64, keep: Expr| if v.is_finite() { Num(v) } else { keep };
    let both = |a: &Expr,
                b: &Expr,
                f: &dyn Fn(f64, f64) -> f64,
                make: &dyn Fn(Box<Expr>, Box<Expr>) -> Expr| {
        let (a, b) = (fold(a, values), fold(b, values));
        match (&a, &b) {
            (Num(p), Num(q)) => {
                let v = f(*p, *q);
                num(v, make(Box::new(a.clone()), Box::new(b.clone())))
            }
            _ => make(Box::new(a), Box::new(b)),
        }
    };
    match e {
        Num(v) => Num(*v),
        X => X,
        Y => Y,
        Param(i) => Num(values.get(*i).copied().unwrap_or(1.0)),
        Neg(a) => match fold(a, values) {
            Num(v) => Num(-v),
            a => Neg(Box::new(a)),
        },
        Add(a, b) => both(a, b, &|p, q| p + q, &Add),
        Sub(a, b) => both(a, b, &|p, q| p - q, &Sub),
        Mul(a, b) => both(a, b, &|p, q| p * q, &Mul),
        Div(a, b) => both(a, b, &|p, q| p / q, &Div),
        Pow(a, b) => both(
            a,
            b,
            &|p, q| {
                if p < 0.0 && q.fract() != 0.0 {
                    f64::NAN
                } else {
                    p.powf(q)
                }
            },
            &Pow,
        ),
        Call(f, args) => {
            let args: Vec<Expr> = args.iter().map(|a| fold(a, values)).collect();
            let constants: Option<Vec<f64>> = args
                .iter()
                .map(|a| if let Num(v) = a { Some(*v) } else { None })
                .collect();
            let keep = Call(*f, args);
            match constants {
                Some(c) => num(call_f64(*f, &c), keep),
                None => keep,
            }
        }
    }
}

/// `f` applied to constants.
fn call_f64(f: Func, args: &[f64]) -> f64 {
    let a = args.first().copied().unwrap_or(f64::NAN);
    match f {
        Func::Sin => a.sin(),
        Func::Cos => a.cos(),
        Func::Tan => a.tan(),
        Func::Exp => a.exp(),
        Func::Log => a.ln(),
        Func::Sqrt => a.sqrt(),
        Func::Abs => a.abs(),
        Func::Tanh => a.tanh(),
        Func::Sigmoid => Real::sigmoid(a),
        Func::Min => args.iter().copied().fold(f64::INFINITY, f64::min),
        Func::Max => args.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// Emits instructions, tracking the stack's depth.
struct Emitter {
    ops: Vec<Op>,
    depth: usize,
    most: usize,
}

impl Emitter {
    fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.depth += 1;
        self.most = self.most.max(self.depth);
    }

    /// An instruction that takes two operands and leaves one.
    fn binary(&mut self, op: Op) {
        self.ops.push(op);
        self.depth -= 1;
    }

    /// An instruction that replaces the top operand.
    fn unary(&mut self, op: Op) {
        self.ops.push(op);
    }

    fn emit(&mut self, e: &Expr) {
        use Expr::*;
        match e {
            Num(v) => self.push(Op::Const(*v)),
            X => self.push(Op::X),
            Y => self.push(Op::Y),
            Param(_) => self.push(Op::Const(f64::NAN)), // folded away before emitting
            Neg(a) => {
                self.emit(a);
                self.unary(Op::Neg);
            }
            Add(a, b) => match (&**a, &**b) {
                (a, Num(c)) | (Num(c), a) => {
                    self.emit(a);
                    self.unary(Op::AddC(*c));
                }
                (a, b) => self.pair(a, b, Op::Add),
            },
            Sub(a, b) => match (&**a, &**b) {
                (a, Num(c)) => {
                    self.emit(a);
                    self.unary(Op::AddC(-c));
                }
                (Num(c), b) => {
                    self.emit(b);
                    self.unary(Op::CSub(*c));
                }
                (a, b) => self.pair(a, b, Op::Sub),
            },
            Mul(a, b) => match (&**a, &**b) {
                (a, Num(c)) | (Num(c), a) => {
                    self.emit(a);
                    self.unary(Op::MulC(*c));
                }
                (a, b) => self.pair(a, b, Op::Mul),
            },
            Div(a, b) => match (&**a, &**b) {
                (a, Num(c)) => {
                    self.emit(a);
                    self.unary(Op::DivC(*c));
                }
                (Num(c), b) => {
                    self.emit(b);
                    self.unary(Op::CDiv(*c));
                }
                (a, b) => self.pair(a, b, Op::Div),
            },
            Pow(a, b) => match (&**a, &**b) {
                (a, Num(p)) => {
                    self.emit(a);
                    let op = if *p == 2.0 {
                        Op::Square
                    } else if *p == 0.5 {
                        Op::Sqrt
                    } else if p.fract() == 0.0 && p.abs() <= 1024.0 {
                        Op::PowI(*p as i32)
                    } else {
                        Op::PowF(*p)
                    };
                    self.unary(op);
                }
                (Num(c), b) => {
                    self.emit(b);
                    self.unary(Op::CPow(*c));
                }
                (a, b) => self.pair(a, b, Op::Pow),
            },
            Call(f, args) => {
                let Some((first, rest)) = args.split_first() else {
                    return self.push(Op::Const(f64::NAN));
                };
                self.emit(first);
                let op = match f {
                    Func::Sin => Op::Sin,
                    Func::Cos => Op::Cos,
                    Func::Tan => Op::Tan,
                    Func::Exp => Op::Exp,
                    Func::Log => Op::Log,
                    Func::Sqrt => Op::Sqrt,
                    Func::Abs => Op::Abs,
                    Func::Tanh => Op::Tanh,
                    Func::Sigmoid => Op::Sigmoid,
                    Func::Min | Func::Max => {
                        let op = if *f == Func::Min { Op::Min } else { Op::Max };
                        for a in rest {
                            self.emit(a);
                            self.binary(op);
                        }
                        return;
                    }
                };
                self.unary(op);
            }
        }
    }

    fn pair(&mut self, a: &Expr, b: &Expr, op: Op) {
        self.emit(a);
        self.emit(b);
        self.binary(op);
    }
}

/// a^p for a constant fractional p; at a = 0 the derivatives that would be infinite are
/// taken as zero (a subgradient, as for the square root).
#[inline]
fn powf<R: Real>(a: R, p: f64) -> R {
    let v = a.value();
    let f = v.powf(p);
    if v == 0.0 {
        let d = if p >= 1.0 { p * v.powf(p - 1.0) } else { 0.0 };
        let d2 = if p >= 2.0 {
            p * (p - 1.0) * v.powf(p - 2.0)
        } else {
            0.0
        };
        return a.chain(f, d, d2);
    }
    a.chain(f, p * f / v, p * (p - 1.0) * f / (v * v))
}

/// The smaller of two values by value (the chosen branch's derivatives).
#[inline]
fn pick<R: Real>(a: R, b: R, smaller: bool) -> R {
    if (a.value() <= b.value()) == smaller || b.value().is_nan() {
        a
    } else {
        b
    }
}

impl Program {
    /// Compiles `expr` with its parameters set to `values`.
    pub fn compile(expr: &Expr, values: &[f64]) -> Result<Self, FormulaError> {
        let folded = fold(expr, values);
        let mut e = Emitter {
            ops: Vec::new(),
            depth: 0,
            most: 0,
        };
        e.emit(&folded);
        if e.most > MAX_SLOTS {
            return Err(FormulaError::new(
                1,
                format!(
                    "the formula needs {} values at once to compute (at most {MAX_SLOTS}); \
                     write long nested parts more flatly",
                    e.most
                ),
            ));
        }
        Ok(Self {
            ops: e.ops,
            slots: e.most,
        })
    }

    /// The instructions.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// f(x, y) over any scalar type.
    #[inline(always)]
    pub fn eval<R: Real>(&self, x: R, y: R) -> R {
        match self.slots {
            0..=4 => self.run::<R, 4>(x, y),
            5..=8 => self.run::<R, 8>(x, y),
            9..=16 => self.run::<R, 16>(x, y),
            _ => self.run::<R, MAX_SLOTS>(x, y),
        }
    }

    /// Runs the instructions on a stack of `N` slots (at least [`Program::slots`], checked
    /// when compiling). The top of the stack lives in a local of its own, so most
    /// instructions touch no memory, and no path can panic: 18 M Adam steps/s on typed
    /// Rosenbrock against 12 M with the top in the array and checked indexing.
    #[inline(always)]
    fn run<R: Real, const N: usize>(&self, x: R, y: R) -> R {
        let mut s = [R::constant(0.0); N];
        let mut n = 0usize;
        let mut top = x;
        for &op in &self.ops {
            match op {
                Op::X | Op::Y | Op::Const(_) => {
                    if let Some(slot) = s.get_mut(n) {
                        *slot = top;
                    }
                    n = n.wrapping_add(1);
                    top = match op {
                        Op::X => x,
                        Op::Y => y,
                        Op::Const(c) => R::constant(c),
                        _ => top,
                    };
                }
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Min | Op::Max => {
                    n = n.wrapping_sub(1);
                    let below = s.get(n).copied().unwrap_or(top);
                    top = binary(op, below, top);
                }
                _ => top = unary(op, top),
            }
        }
        top
    }

    /// Whether (x, y) is inside the function's domain: no logarithm of a number ≤ 0, square
    /// root or fractional power of a negative number, division by zero, or power with a
    /// base ≤ 0 and a variable exponent on the way to f(x, y).
    pub fn in_domain(&self, x: f64, y: f64) -> bool {
        let mut s = [0.0; MAX_SLOTS];
        let mut n = 0;
        for &op in &self.ops {
            match op {
                Op::X => push(&mut s, &mut n, x),
                Op::Y => push(&mut s, &mut n, y),
                Op::Const(c) => push(&mut s, &mut n, c),
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Min | Op::Max => {
                    let (a, b) = (s[n - 2], s[n - 1]);
                    let ok = match op {
                        Op::Div => b != 0.0,
                        Op::Pow => a > 0.0,
                        _ => true,
                    };
                    if !ok {
                        return false;
                    }
                    n -= 1;
                    s[n - 1] = binary(op, a, b);
                }
                _ => {
                    let a = s[n - 1];
                    let ok = match op {
                        Op::CDiv(_) => a != 0.0,
                        Op::DivC(c) => c != 0.0,
                        Op::CPow(c) => c > 0.0,
                        Op::Log => a > 0.0,
                        Op::Sqrt => a >= 0.0,
                        Op::PowF(p) => a > 0.0 || (a == 0.0 && p > 0.0),
                        Op::PowI(k) => k >= 0 || a != 0.0,
                        Op::Tan => a.cos() != 0.0,
                        _ => true,
                    };
                    if !ok {
                        return false;
                    }
                    s[n - 1] = unary(op, a);
                }
            }
        }
        true
    }
}

/// Pushes `v` onto the stack of `n` values.
#[inline(always)]
fn push<R: Copy, const N: usize>(s: &mut [R; N], n: &mut usize, v: R) {
    s[*n] = v;
    *n += 1;
}

/// A two-operand instruction on `a` (below) and `b` (on top).
#[inline(always)]
fn binary<R: Real>(op: Op, a: R, b: R) -> R {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => (b * a.ln()).exp(),
        Op::Min => pick(a, b, true),
        _ => pick(a, b, false),
    }
}

/// A one-operand instruction (and the identity for the others).
#[inline(always)]
fn unary<R: Real>(op: Op, a: R) -> R {
    match op {
        Op::AddC(c) => a + c,
        Op::MulC(c) => a * c,
        Op::DivC(c) => a / c,
        Op::CSub(c) => -a + c,
        Op::CDiv(c) => {
            let v = a.value();
            a.chain(c / v, -c / (v * v), 2.0 * c / (v * v * v))
        }
        Op::CPow(c) => (a * c.ln()).exp(),
        Op::PowI(k) => a.powi(k),
        Op::PowF(p) => powf(a, p),
        Op::Square => a.sqr(),
        Op::Neg => -a,
        Op::Sin => a.sin(),
        Op::Cos => a.cos(),
        Op::Tan => a.tan(),
        Op::Exp => a.exp(),
        Op::Log => a.ln(),
        Op::Sqrt => a.sqrt(),
        Op::Abs => a.abs(),
        Op::Tanh => a.tanh(),
        Op::Sigmoid => a.sigmoid(),
        _ => a,
    }
}
