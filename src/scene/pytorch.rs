//! "Copy as PyTorch": a short, runnable Python script that builds the scene's surface (a
//! built-in through its formula, or a typed function) with `torch`, the same optimizers with
//! `torch.optim` and the same hyperparameters, schedules and clipping, runs each for the steps
//! downhill ran, and prints the trajectories as JSON in the shape of
//! `downhill run --format json`. Racers torch cannot reproduce (Lion and Newton, which it does
//! not have; gradient noise, drawn from downhill's own generator) are listed as skipped.

use super::Scene;
use crate::engine::{Clip, Schedule};
use crate::formula::{Expr, Formula, Func};
use crate::race::Command;

/// The optimizers torch.optim has, by downhill's names.
pub const IN_TORCH: [&str; 12] = [
    "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad",
    "nadam", "radam", "lbfgs",
];

/// The script for `scene` run to `steps` steps (each racer as far as downhill's run of it
/// goes: a converged run stops there).
pub fn script(scene: &Scene, steps: u64) -> Result<String, String> {
    let mut race = scene.build().map_err(|e| e.to_string())?;
    let surface = race.surface().clone();
    if surface.data_model().is_some() {
        return Err(
            "a model on data cannot be written for PyTorch yet (only built-in surfaces and \
             typed functions)"
                .into(),
        );
    }
    let text = match (surface.typed_function(), surface.kind()) {
        (Some(t), _) => t.text().to_string(),
        (None, Some(kind)) => kind.info().typed.to_string(),
        (None, None) => return Err("this surface has no formula".into()),
    };
    let formula = Formula::parse(&text).map_err(|e| e.to_string())?;
    let values = surface.params();
    let params: Vec<f64> = formula
        .params()
        .iter()
        .map(|name| {
            values
                .iter()
                .find(|(n, _)| n == name)
                .map_or(1.0, |(_, v)| *v)
        })
        .collect();
    let body = python(formula.expr(), &params);
    race.apply(Command::Step(steps as i64));
    let labels = race.labels();
    let mut racers = Vec::new();
    let mut skipped = Vec::new();
    for (i, (lane, label)) in race.lanes().iter().zip(&labels).enumerate() {
        if !lane.spec.enabled {
            continue;
        }
        let setup = lane.spec.setup(race.shared());
        let name = lane.spec.kind.name();
        let why = if !IN_TORCH.contains(&name) {
            Some(format!("torch.optim has no {}", lane.spec.kind.title()))
        } else if setup.noise > 0.0 {
            Some("its gradient noise comes from downhill's own random numbers".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            skipped.push(format!(
                "    {{\"label\": {}, \"why\": {}}},",
                py_str(label),
                py_str(&why)
            ));
            continue;
        }
        let hp: Vec<String> = setup
            .hp
            .iter()
            .map(|(k, v)| format!("{}: {}", py_str(k), py_num(v)))
            .collect();
        let clip = match setup.clip {
            Clip::None => "None".to_string(),
            Clip::Norm(c) => format!("(\"norm\", {})", py_num(c)),
            Clip::Value(c) => format!("(\"value\", {})", py_num(c)),
        };
        racers.push(format!(
            "    {{\"label\": {}, \"optimizer\": {}, \"hp\": {{{}}}, \"start\": [{}, {}], \
             \"steps\": {}, \"schedule\": {}, \"clip\": {}}},",
            py_str(label),
            py_str(name),
            hp.join(", "),
            py_num(race.racer_start(i)[0]),
            py_num(race.racer_start(i)[1]),
            lane.track.points.len() - 1,
            schedule(&setup.schedule),
            clip
        ));
    }
    let title = if scene.title.is_empty() {
        surface.title()
    } else {
        scene.title.clone()
    };
    Ok(format!(
        "#!/usr/bin/env python3\n\
         \"\"\"{title}: downhill's race in PyTorch (written by downhill, \"Copy as PyTorch\").\n\n\
         f(x, y) = {text}\n\
         Run it with torch installed: python3 this.py > trajectories.json\n\
         The output has the shape of `downhill run --format json`.\n\"\"\"\n\n\
         import json\nimport math\n\nimport torch\n\ntorch.set_default_dtype(torch.float64)\n\n\n\
         def f(x, y):\n    return {body}\n\n\nRACERS = [\n{racers}\n]\n\nSKIPPED = [\n{skipped}\n]\n\n{PROGRAM}",
        title = docstring_text(&title),
        text = docstring_text(&text),
        racers = racers.join("\n"),
        skipped = skipped.join("\n"),
        PROGRAM = PROGRAM.replace("SURFACE_NAME", &py_str(surface.name())),
    ))
}

/// A number as Python reads it back exactly.
fn py_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else if v.is_nan() {
        "math.nan".into()
    } else if v > 0.0 {
        "math.inf".into()
    } else {
        "-math.inf".into()
    }
}

/// Text safe inside the script's `"""` docstring: a backslash doubled (`C:\\Users` would be an
/// escape), `"` as `'` (three in a row would end it), control characters (a NUL among them,
/// which Python refuses in source) as spaces.
fn docstring_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\\' => "\\\\".to_string(),
            '"' => "'".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A Python string literal.
fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The schedule as a Python dict the program's `lr_at` reads.
fn schedule(s: &Schedule) -> String {
    let values: Vec<String> = s
        .def()
        .params
        .iter()
        .zip(s.values())
        .map(|(p, v)| format!("{}: {}", py_str(p.name), py_num(v)))
        .collect();
    format!("{{\"kind\": {}, {}}}", py_str(s.name()), values.join(", "))
}

/// The expression in Python over torch tensors `x` and `y`, fully parenthesised.
fn python(e: &Expr, params: &[f64]) -> String {
    let p = |e: &Expr| python(e, params);
    match e {
        Expr::Num(v) => py_num(*v),
        Expr::X => "x".into(),
        Expr::Y => "y".into(),
        Expr::Param(i) => py_num(params.get(*i).copied().unwrap_or(1.0)),
        Expr::Neg(a) => format!("(-{})", p(a)),
        Expr::Add(a, b) => format!("({} + {})", p(a), p(b)),
        Expr::Sub(a, b) => format!("({} - {})", p(a), p(b)),
        Expr::Mul(a, b) => format!("({} * {})", p(a), p(b)),
        // On tensors, never Python floats: 1/0 would raise ZeroDivisionError and (−8)^(1/3)
        // be a complex number; torch gives inf and NaN, which end the run as downhill's
        // domain check does.
        Expr::Div(a, b) => format!("(torch.as_tensor({}) / {})", p(a), p(b)),
        Expr::Pow(a, b) => match **b {
            // A whole exponent as an int, as downhill raises to whole powers by multiplying.
            Expr::Num(n) if n.fract() == 0.0 && n.abs() < 1e6 => {
                format!("(torch.as_tensor({}) ** {})", p(a), n as i64)
            }
            _ => format!("(torch.as_tensor({}) ** {})", p(a), p(b)),
        },
        Expr::Call(func, args) => {
            // As tensors, so a function of a constant works too.
            let a: Vec<String> = args
                .iter()
                .map(|e| format!("torch.as_tensor({})", p(e)))
                .collect();
            // torch.minimum and torch.maximum take two: min(a, b, c) is min(min(a, b), c).
            if matches!(func, Func::Min | Func::Max) {
                let name = if *func == Func::Min {
                    "torch.minimum"
                } else {
                    "torch.maximum"
                };
                return a
                    .into_iter()
                    .reduce(|acc, next| format!("{name}({acc}, {next})"))
                    .unwrap_or_default();
            }
            let name = match func {
                Func::Sin => "torch.sin",
                Func::Cos => "torch.cos",
                Func::Tan => "torch.tan",
                Func::Exp => "torch.exp",
                Func::Log => "torch.log",
                Func::Sqrt => "torch.sqrt",
                Func::Abs => "torch.abs",
                Func::Tanh => "torch.tanh",
                Func::Sigmoid => "torch.sigmoid",
                Func::Min => "torch.minimum",
                Func::Max => "torch.maximum",
            };
            format!("{name}({})", a.join(", "))
        }
    }
}

/// The fixed part of every script: torch's counterpart of each optimizer, the schedules, the
/// clipping, the loop and the JSON.
const PROGRAM: &str = r#"def optimizer(name, h, params):
    """torch.optim's counterpart of downhill's optimizer `name` with hyperparameters `h`."""
    one = {"foreach": False}
    if name in ("gd", "momentum", "nesterov"):
        return torch.optim.SGD(params, lr=h["lr"], momentum=0.0 if name == "gd" else h["momentum"],
                               dampening=h.get("dampening", 0.0), weight_decay=h["weight_decay"],
                               nesterov=name == "nesterov" or bool(h.get("nesterov", 0)), **one)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=h["lr"], lr_decay=h["lr_decay"],
                                   weight_decay=h["weight_decay"],
                                   initial_accumulator_value=h["initial_accumulator_value"],
                                   eps=h["eps"], **one)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["lr"], alpha=h["alpha"], eps=h["eps"],
                                   weight_decay=h["weight_decay"], momentum=h["momentum"],
                                   centered=bool(h["centered"]), **one)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=h["lr"], rho=h["rho"], eps=h["eps"],
                                    weight_decay=h["weight_decay"], **one)
    if name in ("adam", "adamw", "amsgrad"):
        cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
        return cls(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                   weight_decay=h["weight_decay"],
                   amsgrad=name == "amsgrad" or bool(h.get("amsgrad", 0)), **one)
    if name == "nadam":
        return torch.optim.NAdam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                 weight_decay=h["weight_decay"], momentum_decay=h["momentum_decay"],
                                 decoupled_weight_decay=bool(h["decoupled_weight_decay"]), **one)
    if name == "radam":
        return torch.optim.RAdam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                 weight_decay=h["weight_decay"],
                                 decoupled_weight_decay=bool(h["decoupled_weight_decay"]), **one)
    if name == "lbfgs":
        return torch.optim.LBFGS(params, lr=h["lr"], max_iter=1, max_eval=26, tolerance_grad=0.0,
                                 tolerance_change=0.0, history_size=int(h["history_size"]),
                                 line_search_fn="strong_wolfe" if h["line_search"] else None)
    raise ValueError(name)


def lr_at(base, s, t):
    """The learning rate of step t + 1 under schedule s, as downhill's schedules set it."""
    kind = s["kind"]
    if kind == "step":
        return base * s["gamma"] ** (t // max(int(s["step_size"]), 1))
    if kind == "exponential":
        return base * s["gamma"] ** t
    if kind == "cosine":
        t_max = max(int(s["t_max"]), 1)
        frac = min(t, t_max) / t_max
        return s["eta_min"] + (base - s["eta_min"]) * 0.5 * (1.0 + math.cos(math.pi * frac))
    if kind == "warmup":
        return base * min((t + 1) / max(int(s["steps"]), 1), 1.0)
    if kind == "inverse-time":
        return base / (1.0 + s["decay"] * t)
    return base


def clip(grad, how):
    if how is None:
        return
    kind, c = how
    if kind == "norm":
        norm = grad.norm()
        if norm > c:
            grad.mul_(c / norm)
    else:
        grad.clamp_(-c, c)


def run(r):
    p = torch.tensor(r["start"], requires_grad=True)
    opt = optimizer(r["optimizer"], r["hp"], [p])

    def closure():
        opt.zero_grad()
        loss = f(p[0], p[1])
        loss.backward()
        clip(p.grad, r["clip"])
        return loss

    points = [[p[0].item(), p[1].item(), f(p[0], p[1]).item()]]
    for t in range(r["steps"]):
        for group in opt.param_groups:
            group["lr"] = lr_at(r["hp"]["lr"], r["schedule"], t)
        if r["optimizer"] == "lbfgs":
            opt.step(closure)
        else:
            closure()
            opt.step()
        with torch.no_grad():
            points.append([p[0].item(), p[1].item(), f(p[0], p[1]).item()])
    return {"label": r["label"], "optimizer": r["optimizer"], "hp": r["hp"], "start": r["start"],
            "points": points}


if __name__ == "__main__":
    print(json.dumps({"surface": SURFACE_NAME, "runs": [run(r) for r in RACERS],
                      "skipped": SKIPPED}))
"#;
