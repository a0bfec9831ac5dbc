//! Predict, then reveal: a quiz for lectures. Q starts it (and ends it): playback stops and
//! the class guesses where one racer's next step will land — a click on the map marks the
//! guess — then Enter reveals the true step, the guess and the distance between them; Enter
//! again asks about the step after. A switches to the other question, which racer reaches a
//! minimum first: its number (1–9) is the answer, Enter runs the race to its end and tells.
//! Keyboard-driven, so it works from a lectern.

use super::Explorer;
use super::view2d::rgb;
use crate::race::{Command, Race};
use eframe::egui::{self, Color32, FontId, Painter, Pos2, Stroke, Vec2};

/// The quiz in progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quiz {
    /// The racer asked about.
    pub racer: usize,
    /// Where the guess is.
    pub guess: Option<[f64; 2]>,
    /// Once revealed: where the ball was and where its step landed.
    pub revealed: Option<([f64; 2], [f64; 2])>,
    /// Asking which racer converges first instead (A toggles).
    pub arrival: bool,
    /// The racer picked as the first to arrive (0-based).
    pub pick: Option<usize>,
    /// Once revealed: the first racer to converge and its step, or `None` in the pair when
    /// none converged.
    pub arrived: Option<Option<(usize, u64)>>,
}

impl Quiz {
    /// The distance from the guess to where the step landed, once revealed.
    pub fn distance(&self) -> Option<f64> {
        let (g, (_, truth)) = (self.guess?, self.revealed?);
        Some((g[0] - truth[0]).hypot(g[1] - truth[1]))
    }

    /// The question or the answer, in words.
    pub fn banner(&self, race: &Race) -> String {
        let labels = race.labels();
        let name = |i: usize| labels.get(i).cloned().unwrap_or_default();
        if self.arrival {
            let picked = self.pick.map_or("no answer yet".into(), |i| {
                format!("the answer is {}", name(i))
            });
            return match self.arrived {
                None => format!(
                    "Quiz: which racer reaches a minimum first? Press its number (1–{}), then Enter ({picked}) · A: the other question",
                    labels.len()
                ),
                Some(Some((w, step))) => format!(
                    "{} arrived first, at step {step}{}. Q: end the quiz",
                    name(w),
                    match self.pick {
                        Some(p) if p == w => " — right!".to_string(),
                        Some(p) => format!(" — not {}", name(p)),
                        None => String::new(),
                    }
                ),
                Some(None) => "No racer reached a minimum within the steps. Q: end the quiz".into(),
            };
        }
        let label = name(self.racer);
        match (self.guess, self.revealed) {
            (_, Some((from, to))) => {
                let step = (to[0] - from[0]).hypot(to[1] - from[1]);
                match self.distance() {
                    Some(d) => format!(
                        "{label}'s step landed {} from the guess ({:.0} % of the step's length). Enter: the next step · Q: end the quiz",
                        super::view2d::short(d),
                        100.0 * d / step.max(f64::MIN_POSITIVE)
                    ),
                    None => {
                        format!("{label}'s step, revealed. Enter: the next step · Q: end the quiz")
                    }
                }
            }
            (None, None) => format!(
                "Quiz: where will {label}'s next step land? Click the map to guess, then Enter"
            ),
            (Some(_), None) => "Guess marked. Enter: reveal the step".into(),
        }
    }

    /// The guess, and after the reveal the true step and the gap, on the map.
    pub fn paint(&self, painter: &Painter, race: &Race, to_screen: &impl Fn([f64; 2]) -> Pos2) {
        let colour = race
            .lanes()
            .get(self.racer)
            .map_or(Color32::WHITE, |l| rgb(l.spec.color));
        if let Some(g) = self.guess {
            let at = to_screen(g);
            for (d, w) in [(Vec2::new(7.0, 7.0), 5.0), (Vec2::new(7.0, -7.0), 5.0)] {
                painter.line_segment([at - d, at + d], Stroke::new(w, Color32::BLACK));
                painter.line_segment([at - d, at + d], Stroke::new(2.5, Color32::WHITE));
            }
        }
        if let Some((from, to)) = self.revealed {
            let (a, b) = (to_screen(from), to_screen(to));
            super::overlay::arrow(painter, a, b, Stroke::new(5.0, Color32::BLACK));
            super::overlay::arrow(painter, a, b, Stroke::new(3.0, colour));
            painter.circle_stroke(b, 9.0, Stroke::new(2.5, Color32::WHITE));
            if let (Some(g), Some(d)) = (self.guess, self.distance()) {
                let at = to_screen(g);
                painter.add(egui::Shape::dashed_line(
                    &[at, b],
                    Stroke::new(2.0, Color32::WHITE),
                    6.0,
                    4.0,
                ));
                painter.text(
                    at + (b - at) * 0.5 + Vec2::new(6.0, -6.0),
                    egui::Align2::LEFT_BOTTOM,
                    format!("off by {}", super::view2d::short(d)),
                    FontId::proportional(15.0),
                    Color32::WHITE,
                );
            }
        }
    }
}

impl Explorer {
    /// Q: starts or ends the quiz; A: the other question; 1–9: the racer picked; Enter:
    /// reveals, or asks about the next step.
    pub(super) fn quiz_keys(&mut self, ctx: &egui::Context) {
        let (q, enter) =
            ctx.input(|i| (i.key_pressed(egui::Key::Q), i.key_pressed(egui::Key::Enter)));
        if let Some(quiz) = &mut self.quiz {
            if ctx.input(|i| i.key_pressed(egui::Key::A)) {
                *quiz = Quiz {
                    racer: quiz.racer,
                    arrival: !quiz.arrival,
                    ..Quiz::default()
                };
                return;
            }
            if quiz.arrival {
                // Digits answer the question here (and load no preset).
                let n = self.race.lanes().len().min(9);
                for (k, key) in super::PRESET_KEYS.iter().take(n).enumerate() {
                    if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, *key)) {
                        quiz.pick = Some(k);
                    }
                }
            }
        }
        if q {
            self.quiz = match self.quiz {
                Some(_) => None,
                None => {
                    self.playing = false;
                    Some(Quiz {
                        racer: self
                            .inspector
                            .racer
                            .min(self.race.lanes().len().saturating_sub(1)),
                        ..Quiz::default()
                    })
                }
            };
            self.zoom_to_question();
            return;
        }
        if !enter {
            return;
        }
        let Some(quiz) = &mut self.quiz else {
            return;
        };
        if quiz.arrival {
            if quiz.arrived.is_none() {
                self.apply(vec![Command::RunToEnd(crate::race::MAX_STEPS)]);
                let first = self
                    .race
                    .lanes()
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.spec.enabled)
                    .filter_map(|(i, l)| match l.track.status {
                        crate::engine::Status::Converged { step, .. } => Some((i, step)),
                        _ => None,
                    })
                    .min_by_key(|&(i, step)| (step, i));
                if let Some(quiz) = &mut self.quiz {
                    quiz.arrived = Some(first);
                }
            }
            return;
        }
        if quiz.revealed.is_some() {
            quiz.guess = None;
            quiz.revealed = None;
            self.zoom_to_question();
            return;
        }
        let Some(lane) = self.race.lanes().get(quiz.racer) else {
            return;
        };
        let from = lane.track.points[self.race.index_at_cursor(&lane.track)];
        let racer = quiz.racer;
        self.apply(vec![Command::Step(1)]);
        let lane = &self.race.lanes()[racer];
        let to = lane.track.points[self.race.index_at_cursor(&lane.track)];
        if let Some(quiz) = &mut self.quiz {
            quiz.revealed = Some((from, to));
        }
    }

    /// Frames the map around the ball asked about, wide enough that its next step is plain
    /// to see whatever its direction (three step lengths each way): on Rosenbrock's map GD's
    /// step was a fraction of a pixel, its error "20526 % of the step's length".
    fn zoom_to_question(&mut self) {
        let Some(quiz) = &self.quiz else {
            return;
        };
        if quiz.arrival {
            return;
        }
        let Ok(e) = crate::explain::explain(&self.race, quiz.racer, self.race.cursor() + 1) else {
            return;
        };
        let v = self.race.surface().view();
        let floor = 0.002 * (v.x.1 - v.x.0).min(v.y.1 - v.y.0);
        let half = (3.0 * e.delta[0].hypot(e.delta[1])).max(floor);
        if !half.is_finite() {
            return;
        }
        let c = e.theta;
        self.view_state.zoom_to = Some(crate::surfaces::View {
            x: (c[0] - half, c[0] + half),
            y: (c[1] - half, c[1] + half),
        });
    }

    /// In a quiz a click on the map marks the guess instead of moving the start.
    pub(super) fn quiz_clicks(&mut self, commands: Vec<Command>) -> Vec<Command> {
        let Some(quiz) = &mut self.quiz else {
            return commands;
        };
        commands
            .into_iter()
            .filter(|c| match c {
                Command::SetStart(p) => {
                    if quiz.revealed.is_none() {
                        quiz.guess = Some(*p);
                    }
                    false
                }
                _ => true,
            })
            .collect()
    }
}
