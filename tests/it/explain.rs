//! Explaining one step: `downhill explain` shows, for every case of the torch.optim golden
//! file (tests/it/golden/torch_steps.json, made by tools/torch_golden.py with torch itself in
//! float64), the state torch has after that step and the θ it lands on; the rule's numbers
//! recompute the step; the arrows add up to it.

use crate::common::{ok, usage_error};
use downhill::explain::explain;
use downhill::presets::find;
use serde_json::Value;

const TOL: f64 = 1e-12;

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= TOL * want.abs().max(1.0)
}

/// torch's name for the state vector downhill calls `name`.
fn torch_name(name: &str) -> &str {
    if name == "direction" { "d" } else { name }
}

#[test]
fn explain_shows_torchs_state_after_each_step() {
    let golden: Value =
        serde_json::from_str(include_str!("golden/torch_steps.json")).expect("golden JSON");
    let mut checked = 0;
    for case in golden["cases"].as_array().unwrap() {
        let name = case["optimizer"].as_str().unwrap();
        let hp: Vec<String> = case["hp"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let start = case["start"].as_array().unwrap();
        let start = format!("--start={},{}", start[0], start[1]);
        let surface = case["surface"].as_str().unwrap();
        for step in [1usize, 2, 7, 30] {
            let mut args = vec![
                "explain",
                "--surface",
                surface,
                "--optimizer",
                name,
                &start,
                "--step",
            ];
            let step_text = step.to_string();
            args.push(&step_text);
            args.extend(["--format", "json"]);
            let hp_text = hp.join(",");
            if !hp.is_empty() {
                args.extend(["--hp", &hp_text]);
            }
            let e: Value = serde_json::from_str(&ok(&args)).unwrap();
            let want = &case["steps"][step - 1];
            let label = format!("{name} {:?} on {surface} step {step}", case["hp"]);
            for (k, w) in want["theta"].as_array().unwrap().iter().enumerate() {
                let got = e["theta_after"][k].as_f64().unwrap();
                assert!(
                    close(got, w.as_f64().unwrap()),
                    "{label}: θ[{k}] {got} vs {w}"
                );
            }
            let torch_state = want["state"].as_object().unwrap();
            for (ours, value) in e["state_after"].as_object().unwrap() {
                let Some(w) = torch_state.get(torch_name(ours)) else {
                    continue;
                };
                for (k, w) in w.as_array().unwrap().iter().enumerate() {
                    let got = value[k].as_f64().unwrap();
                    assert!(
                        close(got, w.as_f64().unwrap()),
                        "{label}: state['{ours}'][{k}] {got} vs torch {w}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked > 100,
        "state vectors compared with torch: {checked}"
    );
}

#[test]
fn the_rule_recomputes_the_step_and_the_arrows_add_up() {
    let race = find("momentum-ravine").unwrap().build();
    for (i, lane) in race.lanes().iter().enumerate() {
        for step in [1, 2, 50] {
            let e = explain(&race, i, step).unwrap();
            // Where it lands is where the race's own run is after that step.
            let mut replay = find("momentum-ravine").unwrap().build();
            replay.apply(downhill::race::Command::Step(step as i64));
            assert_eq!(e.theta_after, replay.lanes()[i].track.points[step as usize]);
            let sum = e
                .parts
                .iter()
                .fold([0.0, 0.0], |a, (_, p)| [a[0] + p[0], a[1] + p[1]]);
            for k in 0..2 {
                assert!(
                    (sum[k] - e.delta[k]).abs() <= 1e-12 * e.delta[k].abs().max(1e-12),
                    "{} step {step}: arrows {sum:?} vs Δθ {:?}",
                    lane.spec.kind.name(),
                    e.delta
                );
                assert_eq!(e.theta[k] + e.delta[k], e.theta_after[k]);
            }
        }
    }
    // Adam: −γ/(√v_hat + ε)·m_hat, from the shown numbers, is the step taken.
    let mut adam = find("beale").unwrap().build();
    adam.apply(downhill::race::Command::Step(0));
    let e = explain(&adam, 2, 12).unwrap();
    let value = |s: &str| e.rule.iter().find(|l| l.symbol == s).unwrap().value.clone();
    let (m_hat, per) = (value("m_hat"), value("γ/(√v_hat + ε)"));
    for k in 0..2 {
        let step = -per[k] * m_hat[k];
        assert!(
            (step - e.delta[k]).abs() <= 1e-14 * e.delta[k].abs(),
            "{step} vs {}",
            e.delta[k]
        );
    }
    assert_eq!(e.coordinate_lr.unwrap().to_vec(), per);
}

#[test]
fn explain_refuses_what_it_cannot_show() {
    usage_error(
        &[
            "explain", "--preset", "newton", "--racer", "9", "--step", "1",
        ],
        &["--racer 9", "1 to 2"],
    );
    usage_error(
        &[
            "explain", "--preset", "newton", "--racer", "1", "--step", "5000",
        ],
        &[
            "converged to a minimum at step 1",
            "no step 5000 to explain",
        ],
    );
    usage_error(&["explain", "--step", "1"], &["--preset"]);
    let text = ok(&["explain", "--preset", "newton", "--step", "1"]);
    assert!(text.contains("λ(H)") && text.contains("Δθ"), "{text}");
}

#[test]
fn the_inspector_follows_the_step_on_show() {
    use egui_kittest::kittest::Queryable;
    let mut h = crate::ui::harness();
    h.get_by_label("Explain a step…").click();
    h.run_steps(2);
    assert!(h.state().inspector.open);
    assert!(
        h.query_all_by_label_contains("Step 1 of gd")
            .next()
            .is_some()
    );
    h.key_press(eframe::egui::Key::ArrowRight);
    h.run_steps(2);
    h.key_press(eframe::egui::Key::ArrowRight);
    h.run_steps(2);
    assert!(
        h.query_all_by_label_contains("Step 3 of gd")
            .next()
            .is_some()
    );
    // What the map draws is the race's own next step.
    let race = &h.state().race;
    let (e, _) = h
        .state()
        .inspector
        .shown(race)
        .expect("an explanation on the map");
    let lane = &race.lanes()[0];
    assert_eq!(e.theta, lane.track.points[2]);
    assert_eq!(e.step, 3);
}

#[test]
fn tune_races_each_at_its_best() {
    use downhill::insight::tune::{TuneObjective, tune};
    use egui_kittest::kittest::Queryable;
    let csv = ok(&[
        "tune",
        "--surface",
        "rosenbrock",
        "--optimizer",
        "gd,adam",
        "--start=-1.2,1",
        "--steps",
        "500",
    ]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "run,optimizer,lr_before,lr,also,loss,worst_loss,steps"
    );
    assert_eq!(rows.len(), 3);
    let json: Value = serde_json::from_str(&ok(&[
        "tune",
        "--preset",
        "ill-conditioning",
        "--objective",
        "steps",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["tuned"], "lr");
    assert_eq!(json["racers"].as_array().unwrap().len(), 4);
    // In the app: Tune, then race each at its best.
    let mut h = crate::ui::harness();
    h.get_by_label("Tune… (a fair race)").click();
    h.run_steps(2);
    h.get_by_label("Tune").click();
    for _ in 0..400 {
        h.run_steps(1);
        if h.state().tuning.result.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(h.state().tuning.result.is_some(), "tuning finished");
    h.get_by_label("Race each at its best").click();
    h.run_steps(2);
    let never = std::sync::atomic::AtomicBool::new(false);
    let fresh = downhill::app::default_race();
    let window = fresh.surface().view();
    let want = tune(
        &fresh,
        window,
        TuneObjective::Loss,
        1000,
        false,
        &never,
        |_, _| {},
    )
    .unwrap();
    for (lane, t) in h.state().race.lanes().iter().zip(&want) {
        assert_eq!(lane.spec.hp.get("lr"), Some(t.lr), "{}", t.label);
    }
}

#[test]
fn a_quiz_marks_the_guess_then_reveals_the_step_and_the_gap() {
    use eframe::egui::Key;
    let mut h = crate::ui::harness();
    let start = h.state().race.start();
    h.key_press(Key::Q);
    h.run_steps(2);
    assert!(h.state().quiz.is_some());
    // A click marks a guess and leaves the start where it was.
    let guess = [-1.0, 1.2];
    let at = h.state().screen_pos(guess).unwrap();
    crate::ui::click_at(&mut h, at);
    let marked = h.state().quiz.as_ref().unwrap().guess.unwrap();
    assert!((marked[0] - guess[0]).abs() < 0.05 && (marked[1] - guess[1]).abs() < 0.05);
    assert_eq!(h.state().race.start(), start);
    // Enter: the step happens and the gap is measured to where it landed.
    h.key_press(Key::Enter);
    h.run_steps(2);
    let app = h.state();
    let quiz = app.quiz.as_ref().unwrap();
    let (from, to) = quiz.revealed.unwrap();
    let lane = &app.race.lanes()[quiz.racer];
    assert_eq!(app.race.cursor(), 1);
    assert_eq!((from, to), (lane.track.points[0], lane.track.points[1]));
    let d = quiz.distance().unwrap();
    assert!((d - (marked[0] - to[0]).hypot(marked[1] - to[1])).abs() < 1e-12);
    // Enter again: the next question; Q ends the quiz.
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().quiz.as_ref().unwrap().revealed, None);
    h.key_press(Key::Q);
    h.run_steps(2);
    assert!(h.state().quiz.is_none());
}

#[test]
fn newtons_model_minimum_is_where_its_step_lands() {
    let race = find("newton").unwrap().build();
    let newton = race
        .lanes()
        .iter()
        .position(|l| l.spec.kind.name() == "newton")
        .unwrap();
    let e = explain(&race, newton, 1).unwrap();
    let model = e.quadratic_model().expect("a positive definite quadratic");
    for k in 0..2 {
        assert!(
            (model.minimum[k] - e.theta_after[k]).abs() < 1e-12,
            "{model:?} vs {e:?}"
        );
    }
    // The contour through θ is at the model's depth: q(θ) − q* = ½gᵀH⁻¹g = f(θ) − f* here.
    assert!((model.depth - (e.loss - e.loss_after)).abs() < 1e-9 * e.loss);
    // An indefinite Hessian (the saddle) has no model minimum.
    let saddle = find("saddle").unwrap().build();
    let mut s = saddle;
    s.apply(downhill::race::Command::AddSpec(
        downhill::race::RacerSpec::new(downhill::optim::OptimizerKind::NEWTON, [255, 255, 255]),
    ));
    let last = s.lanes().len() - 1;
    let e = explain(&s, last, 1).unwrap();
    assert!(e.hessian.is_some() && e.quadratic_model().is_none());
}

#[test]
fn every_accepted_lbfgs_step_meets_the_strong_wolfe_conditions() {
    let race = {
        let mut r = downhill::race::Race::new(
            downhill::surfaces::Surface::new(downhill::surfaces::SurfaceKind::Rosenbrock),
            &[downhill::optim::OptimizerKind::LBFGS],
        );
        r.apply(downhill::race::Command::SetStart([-1.2, 1.0]));
        r
    };
    let mut checked = 0;
    for step in 1..=25 {
        let Ok(e) = explain(&race, 0, step) else {
            break;
        };
        let trace = e.line_search.clone().expect("L-BFGS searches");
        let d = e.state("direction", true).unwrap();
        let alpha = (e.delta[0] * d[0] + e.delta[1] * d[1]) / (d[0] * d[0] + d[1] * d[1]);
        let accepted = trace
            .probes
            .iter()
            .find(|p| (p[0] - alpha).abs() <= 1e-12 * alpha.abs().max(1.0))
            .unwrap_or_else(|| panic!("step {step}: α = {alpha} is one of the probes {trace:?}"));
        assert!(
            accepted[1] <= trace.f0 + trace.c1 * accepted[0] * trace.df0,
            "step {step}: sufficient decrease"
        );
        assert!(
            accepted[2].abs() <= trace.c2 * trace.df0.abs(),
            "step {step}: curvature"
        );
        assert!((accepted[1] - e.loss_after).abs() <= 1e-12 * e.loss_after.max(1.0));
        checked += 1;
    }
    assert!(checked >= 15, "{checked} steps checked");
}

#[test]
fn the_quiz_asks_which_racer_arrives_first() {
    use eframe::egui::Key;
    let mut h = crate::ui::harness();
    h.key_press(Key::Q);
    h.run_steps(1);
    h.key_press(Key::A);
    h.run_steps(1);
    assert!(h.state().quiz.as_ref().unwrap().arrival);
    // 2 answers "the second racer", and loads no preset.
    h.key_press(Key::Num2);
    h.run_steps(1);
    assert_eq!(h.state().quiz.as_ref().unwrap().pick, Some(1));
    assert!(h.state().preset.is_none());
    h.key_press(Key::Enter);
    h.run_steps(2);
    let app = h.state();
    let arrived = app.quiz.as_ref().unwrap().arrived.expect("revealed");
    let first = app
        .race
        .lanes()
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l.track.status {
            downhill::engine::Status::Converged { step, .. } => Some((i, step)),
            _ => None,
        })
        .min_by_key(|&(i, s)| (s, i));
    assert_eq!(arrived, first);
    assert!(first.is_some(), "someone converges on the default race");
    let banner = app.quiz.as_ref().unwrap().banner(&app.race);
    assert!(banner.contains("arrived first"), "{banner}");
}
