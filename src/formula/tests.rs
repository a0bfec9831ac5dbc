use super::*;
use crate::surfaces::jet::{Jet, Jet2};

fn value(text: &str, x: f64, y: f64) -> f64 {
    Formula::parse(text)
        .unwrap()
        .compile(&[])
        .unwrap()
        .eval(x, y)
}

#[test]
fn precedence_and_notation_follow_paper() {
    assert_eq!(value("-x^2", 3.0, 0.0), -9.0);
    assert_eq!(value("2^3^2", 0.0, 0.0), 512.0);
    assert_eq!(value("2x^2 + 3xy", 2.0, 5.0), 38.0);
    assert_eq!(value("(x + 1)(x - 1)", 3.0, 0.0), 8.0);
    assert_eq!(value("x² + y³ − 2·x", 3.0, 2.0), 11.0);
    assert_eq!(value("2 ** 10", 0.0, 0.0), 1024.0);
    assert_eq!(value("1e-3 * x", 2.0, 0.0), 2e-3);
    assert_eq!(value("½x", 4.0, 0.0), 2.0);
    assert_eq!(value("√(x)·√x", 9.0, 0.0), 9.0);
    assert_eq!(value("min(x, y, 3) + max(x, y)", 5.0, 4.0), 8.0);
    assert!((value("sin(pi/2) + cos(π) + log(e) + exp(0)", 0.0, 0.0) - 2.0).abs() < 1e-15);
    assert_eq!(value("2 - -x", 1.0, 0.0), 3.0);
    assert_eq!(value("x / 2 / 2", 8.0, 0.0), 2.0);
    assert_eq!(value("sigmoid(0) + tanh(0) + abs(-2)", 0.0, 0.0), 2.5);
}

#[test]
fn other_names_are_parameters_in_order() {
    let f = Formula::parse("a*x^2 + b*y^2 + a + alpha").unwrap();
    assert_eq!(f.params(), ["a", "b", "alpha"]);
    let p = f.compile(&[2.0, 3.0, 0.5]).unwrap();
    assert_eq!(p.eval(1.0, 1.0), 2.0 + 3.0 + 2.0 + 0.5);
    // Missing values are 1.
    assert_eq!(f.compile(&[]).unwrap().eval(1.0, 1.0), 4.0);
    // Parameters are folded away.
    assert!(
        p.ops()
            .iter()
            .all(|op| !matches!(op, Op::Const(c) if c.is_nan()))
    );
}

#[test]
fn every_error_says_where() {
    let cases = [
        ("x^", 3, "after '^'"),
        ("", 1, "empty"),
        ("(x + 1", 1, "never closed"),
        ("x + 1)", 6, "')'"),
        ("sinx + 1", 0, ""),
        ("sin x", 5, "expected '(' after sin"),
        ("foo(x)", 1, "unknown function 'foo'"),
        ("x * * y", 5, "after '*'"),
        ("x $ y", 3, "'$'"),
        ("max(x)", 1, "max takes at least 2 arguments, not 1"),
        ("sin(x, y)", 1, "sin takes 1 argument, not 2"),
        ("x +", 4, "after '+'"),
        ("x, y", 2, "unexpected ','"),
    ];
    for (text, column, needle) in cases {
        match Formula::parse(text) {
            Ok(f) if column == 0 => assert_eq!(f.params(), ["sinx"], "{text}"),
            Ok(_) => panic!("{text} parsed"),
            Err(e) => {
                assert_eq!(e.column, column, "{text}: {e}");
                assert!(e.message.contains(needle), "{text}: {e}");
            }
        }
    }
    let e = Formula::parse("x^").unwrap_err();
    assert_eq!(
        e.to_string(),
        "at column 3: expected a number, a variable or '(' after '^'"
    );
}

#[test]
fn deep_and_long_input_is_refused_without_overflowing_the_stack() {
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(
        Formula::parse(&deep)
            .unwrap_err()
            .message
            .contains("too long")
    );
    let nested = format!("{}x{}", "(".repeat(500), ")".repeat(500));
    assert!(
        Formula::parse(&nested)
            .unwrap_err()
            .message
            .contains("parentheses too deeply (at most 200 levels)")
    );
    // The limit counts parentheses, not grammar levels: 200 pairs parse, 201 do not.
    let at_limit = format!("{}x{}", "(".repeat(200), ")".repeat(200));
    assert!(Formula::parse(&at_limit).is_ok());
    let over = format!("{}x{}", "(".repeat(201), ")".repeat(201));
    assert!(Formula::parse(&over).is_err());
    // Just under the guard, a chain of signs parses, differentiates and evaluates on a test
    // thread's small stack.
    let signs = "-".repeat(1590) + "x";
    assert_eq!(value(&signs, 2.0, 0.0), 2.0);
    let minus = "-".repeat(1700) + "x";
    assert!(
        Formula::parse(&minus)
            .unwrap_err()
            .message
            .contains("too many signs or powers")
    );
    // A tower of powers (right-associative) needs many values at once: refused with a message.
    let right = vec!["x"; 80].join("^");
    let f = Formula::parse(&right).unwrap();
    assert!(f.compile(&[]).unwrap_err().message.contains("at once"));
    // Long flat sums are fine.
    let flat = vec!["x"; 600].join("+");
    assert_eq!(value(&flat, 1.0, 0.0), 600.0);
}

#[test]
fn domain_is_checked_where_it_matters() {
    let p = |t: &str| Formula::parse(t).unwrap().compile(&[]).unwrap();
    assert!(!p("log(x)").in_domain(-1.0, 0.0));
    assert!(p("log(x)").in_domain(1.0, 0.0));
    assert!(!p("sqrt(x - y)").in_domain(0.0, 1.0));
    assert!(!p("1 / x").in_domain(0.0, 1.0));
    assert!(!p("x / y").in_domain(1.0, 0.0));
    assert!(!p("x^0.5").in_domain(-1.0, 0.0));
    assert!(!p("x^y").in_domain(-2.0, 0.5));
    assert!(p("x^3").in_domain(-2.0, 0.0));
    assert!(
        p("exp(x)").in_domain(1000.0, 0.0),
        "overflow is not the domain"
    );
    assert!(p("abs(x)").in_domain(0.0, 0.0));
}

/// f, ∇f and H by central differences of the f64 evaluation.
fn differences(p: &Program, x: f64, y: f64) -> ([f64; 2], [f64; 3]) {
    let h = 1e-4 * (1.0 + x.abs().max(y.abs()));
    let f = |a: f64, b: f64| p.eval(a, b);
    let g = [
        (f(x + h, y) - f(x - h, y)) / (2.0 * h),
        (f(x, y + h) - f(x, y - h)) / (2.0 * h),
    ];
    let hh = 1e-3 * (1.0 + x.abs().max(y.abs()));
    let c = f(x, y);
    let hess = [
        (f(x + hh, y) - 2.0 * c + f(x - hh, y)) / (hh * hh),
        (f(x + hh, y + hh) - f(x + hh, y - hh) - f(x - hh, y + hh) + f(x - hh, y - hh))
            / (4.0 * hh * hh),
        (f(x, y + hh) - 2.0 * c + f(x, y - hh)) / (hh * hh),
    ];
    (g, hess)
}

#[test]
fn jets_agree_with_the_plain_value_and_with_differences() {
    let formulas = [
        "x^4 - 2*x^2 + y^2 + 0.3*x",
        "sin(x)*cos(y) + exp(-x^2 - y^2)",
        "log(1 + x^2) + sqrt(2 + y^2) + tanh(x*y)",
        "sigmoid(3x - y) / (1 + y^2) + 2^x + x^1.5",
        "abs(x - 0.3) + min(x, y)^2 + max(x^2, 1)",
        "a*x^2 + b*y^2",
    ];
    for text in formulas {
        let f = Formula::parse(text).unwrap();
        let p = f.compile(&[2.0, 0.5]).unwrap();
        for (x, y) in [(0.7, -0.4), (1.3, 0.9), (2.1, 1.7)] {
            let j: Jet = p.eval(Jet::var(x, 0), Jet::var(y, 1));
            let j2: Jet2 = p.eval(Jet2::var(x, 0), Jet2::var(y, 1));
            let v = p.eval(x, y);
            assert_eq!(j.v, v, "{text}");
            assert_eq!(j2.v, v, "{text}");
            assert_eq!(j.d, j2.d, "{text}");
            let (g, h) = differences(&p, x, y);
            for (k, (exact, fd)) in j.d.iter().zip(g).enumerate() {
                assert!(
                    (exact - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "{text} ∂{k}: {exact} vs {fd}"
                );
            }
            for (k, (exact, fd)) in j2.h.iter().zip(h).enumerate() {
                assert!(
                    (exact - fd).abs() <= 1e-3 * (1.0 + fd.abs()),
                    "{text} H{k}: {exact} vs {fd}"
                );
            }
        }
    }
}
