//! "A fair race": the Tune window. Each racer's learning rate is searched for the scene on a
//! thread of its own (progress and cancel), the results shown in a table, and one button races
//! each at its best. It says what was tuned (the learning rate) and what was not.

use super::Explorer;
use crate::insight::tune::{TuneObjective, Tuned, tune};
use crate::race::Command;
use eframe::egui::{self, RichText};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;

/// A search under way.
struct Job {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Option<Vec<Tuned>>>,
}

/// The Tune window's settings and results.
pub struct TuneUi {
    /// The window is open.
    pub open: bool,
    /// What "best" means.
    pub objective: TuneObjective,
    /// Steps of each trial.
    pub steps: u64,
    /// Tune the momentum (or β₁) too.
    pub also_momentum: bool,
    /// The last results.
    pub result: Option<Vec<Tuned>>,
    job: Option<Job>,
}

impl Default for TuneUi {
    fn default() -> Self {
        Self {
            open: false,
            objective: TuneObjective::Loss,
            steps: 1000,
            also_momentum: false,
            result: None,
            job: None,
        }
    }
}

impl Explorer {
    /// Starts tuning the scene on show in the background.
    pub fn start_tuning(&mut self) {
        let scene = self.scene_now();
        let (objective, steps, also) = (
            self.tuning.objective,
            self.tuning.steps,
            self.tuning.also_momentum,
        );
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(1));
        let cancel = Arc::new(AtomicBool::new(false));
        let (send, result) = std::sync::mpsc::channel();
        let (d, t, c) = (done.clone(), total.clone(), cancel.clone());
        std::thread::spawn(move || {
            let out = scene.build().ok().and_then(|race| {
                let window = scene.view.map.frame(race.surface().view());
                tune(&race, window, objective, steps, also, &c, |k, n| {
                    d.store(k, Ordering::Relaxed);
                    t.store(n, Ordering::Relaxed);
                })
            });
            let _ = send.send(out);
        });
        self.tuning.job = Some(Job {
            done,
            total,
            cancel,
            result,
        });
    }

    /// The Tune window.
    pub(super) fn tune_window(&mut self, ctx: &egui::Context) {
        if !self.tuning.open {
            return;
        }
        if let Some(job) = &self.tuning.job
            && let Ok(out) = job.result.try_recv()
        {
            self.tuning.result = out;
            self.tuning.job = None;
        }
        let mut open = true;
        let mut commands = Vec::new();
        egui::Window::new("A fair race: tune each learning rate")
            .open(&mut open)
            .default_width(460.0)
            .show(ctx, |ui| {
                ui.label(
                    RichText::new(
                        "The learning rate is tuned (19 rates from 1e-5 to 10, then 9 around \
                         the best), and with the box ticked the momentum or β₁ too (0.5, 0.8, \
                         0.9, 0.95, 0.99); every other hyperparameter keeps its value. A run \
                         that leaves the map's window grown by its size on every side, or whose \
                         loss climbs more than ten times its start's size above it, is wild and \
                         never chosen.",
                    )
                    .weak(),
                );
                ui.horizontal(|ui| {
                    ui.selectable_value(
                        &mut self.tuning.objective,
                        TuneObjective::Loss,
                        "lowest loss",
                    )
                    .on_hover_text("The lowest loss after the steps");
                    ui.selectable_value(
                        &mut self.tuning.objective,
                        TuneObjective::Steps,
                        "fewest steps",
                    )
                    .on_hover_text("The fewest steps to converge within the steps");
                    ui.checkbox(&mut self.tuning.also_momentum, "momentum / β₁ too");
                    ui.add(
                        egui::DragValue::new(&mut self.tuning.steps)
                            .range(10..=100_000)
                            .suffix(" steps"),
                    );
                });
                match &self.tuning.job {
                    Some(job) => {
                        let f = job.done.load(Ordering::Relaxed) as f32
                            / job.total.load(Ordering::Relaxed).max(1) as f32;
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::ProgressBar::new(f)
                                    .show_percentage()
                                    .desired_width(300.0),
                            );
                            if ui.button("Cancel").clicked() {
                                job.cancel.store(true, Ordering::Relaxed);
                            }
                        });
                        ctx.request_repaint_after(std::time::Duration::from_millis(50));
                    }
                    None => {
                        if ui.button("Tune").clicked() {
                            self.tuning.result = None;
                            self.start_tuning();
                        }
                    }
                }
                let Some(result) = &self.tuning.result else {
                    return;
                };
                egui::Grid::new("tuned").striped(true).show(ui, |ui| {
                    for h in ["racer", "γ now", "best γ", "and", "loss", "worst", "steps"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for t in result {
                        ui.label(&t.label);
                        ui.label(super::view2d::short(t.lr_before));
                        ui.label(RichText::new(super::view2d::short(t.lr)).strong());
                        ui.label(
                            t.other
                                .map(|(n, v)| format!("{n} = {v}"))
                                .unwrap_or_default(),
                        );
                        ui.label(super::view2d::short(t.loss));
                        ui.label(super::view2d::short(t.worst))
                            .on_hover_text("The highest loss the tuned run reached on the way");
                        ui.label(t.steps.map_or("—".into(), |s| s.to_string()));
                        ui.end_row();
                    }
                });
                if ui
                    .button("Race each at its best")
                    .on_hover_text("Set every racer's learning rate to its tuned value")
                    .clicked()
                {
                    for (i, lane) in self.race.lanes().iter().enumerate() {
                        let label = &self.race.labels()[i];
                        if let Some(t) = result.iter().find(|t| &t.label == label)
                            && lane.spec.enabled
                        {
                            commands.push(Command::SetHyper(i, "lr", t.lr));
                            if let Some((name, v)) = t.other {
                                commands.push(Command::SetHyper(i, name, v));
                            }
                        }
                    }
                }
            });
        if !commands.is_empty() {
            self.apply(commands);
            self.tuning.result = None;
            self.notice = Some("Each racer now runs at its tuned settings".into());
        }
        if !open {
            self.tuning.open = false;
            if let Some(job) = &self.tuning.job {
                job.cancel.store(true, Ordering::Relaxed);
            }
        }
    }
}
