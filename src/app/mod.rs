//! The desktop window: the 2D explorer. UI code only reads the [`Race`] and sends it
//! [`Command`]s; stepping happens in the race, never here.

pub mod colormap;
pub mod fonts;
pub mod plots;
pub mod side_panel;
pub mod view2d;

use crate::optim::OptimizerKind;
use crate::race::{Command, Race};
use crate::surfaces::{Surface, SurfaceKind};
use eframe::egui::{self, Key, RichText};

/// The initial window size, made for a projector.
pub const WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

/// Opens the app window and blocks until it is closed.
pub fn run() -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("downhill")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size([960.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        "downhill",
        options,
        Box::new(|cc| {
            fonts::install(&cc.egui_ctx);
            Ok(Box::new(Explorer::default()))
        }),
    )
    .map_err(|e| format!("could not open the window: {e}"))
}

/// The slowest and fastest playback, in steps per second.
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 1.0..=10_000.0;

/// The explorer: a race and how it is shown.
pub struct Explorer {
    /// The race being shown.
    pub race: Race,
    /// How the 2D view is drawn.
    pub view: view2d::ViewSettings,
    /// Options of the plots.
    pub plots: plots::PlotSettings,
    /// Whether time is running.
    pub playing: bool,
    /// Playback speed in steps per second.
    pub speed: f64,
    /// Fractional steps carried between frames.
    carry: f64,
    view_state: view2d::ViewState,
    heat: view2d::HeatCache,
}

impl Default for Explorer {
    fn default() -> Self {
        use OptimizerKind as K;
        let mut race = Race::new(
            Surface::new(SurfaceKind::Rosenbrock),
            &[K::Gd, K::Momentum, K::Rmsprop, K::Adam],
        );
        // Learning rates that make the default race interesting on Rosenbrock.
        for (i, lr) in [(0, 1e-3), (1, 1e-3), (2, 1e-2), (3, 5e-2)] {
            race.apply(Command::SetHyper(i, "lr", lr));
        }
        Self {
            race,
            view: Default::default(),
            plots: Default::default(),
            playing: false,
            speed: 60.0,
            carry: 0.0,
            view_state: view2d::ViewState::default(),
            heat: Default::default(),
        }
    }
}

impl Explorer {
    /// Applies commands, keeping the view in step with surface changes.
    pub fn apply(&mut self, commands: Vec<Command>) {
        for c in commands {
            if let Command::SetSurface(s) = &c
                && s.kind() != self.race.surface().kind()
            {
                self.view_state.reset_bounds = true;
            }
            if matches!(c, Command::SetStart(_) | Command::SetSurface(_)) {
                self.carry = 0.0;
            }
            self.race.apply(c);
        }
    }

    /// Keyboard shortcuts.
    fn keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let mut commands = Vec::new();
        ctx.input(|i| {
            if i.key_pressed(Key::Space) {
                self.playing = !self.playing;
            }
            if i.key_pressed(Key::ArrowRight) {
                self.playing = false;
                commands.push(Command::Step(1));
            }
            if i.key_pressed(Key::ArrowLeft) {
                self.playing = false;
                commands.push(Command::Step(-1));
            }
            if i.key_pressed(Key::R) {
                self.playing = false;
                commands.push(Command::Reset);
            }
        });
        self.apply(commands);
    }

    /// Advances time while playing.
    fn tick(&mut self, ctx: &egui::Context) {
        if !self.playing {
            self.carry = 0.0;
            return;
        }
        let dt = ctx.input(|i| i.stable_dt).min(0.1) as f64;
        self.carry += self.speed * dt;
        let n = self.carry.floor();
        self.carry -= n;
        if n >= 1.0 {
            self.race.apply(Command::Step(n as i64));
        }
        if self.race.finished() {
            self.playing = false;
        }
        ctx.request_repaint();
    }

    fn transport(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            ui.heading(RichText::new("downhill").strong());
            ui.separator();
            let label = if self.playing {
                "❚❚ Pause"
            } else {
                "▶ Play"
            };
            if ui
                .button(label)
                .on_hover_text("Play / pause (Space)")
                .clicked()
            {
                self.playing = !self.playing;
            }
            if ui.button("◀ Back").on_hover_text("Step back (←)").clicked() {
                self.playing = false;
                commands.push(Command::Step(-1));
            }
            if ui
                .button("Step ▶")
                .on_hover_text("Step forward (→)")
                .clicked()
            {
                self.playing = false;
                commands.push(Command::Step(1));
            }
            if ui
                .button("⟲ Reset")
                .on_hover_text("Back to step 0 (R)")
                .clicked()
            {
                self.playing = false;
                commands.push(Command::Reset);
            }
            if ui
                .button("→| Run to end")
                .on_hover_text(
                    "Step until every optimizer converges or diverges (at most 20,000 steps)",
                )
                .clicked()
            {
                self.playing = false;
                commands.push(Command::RunToEnd(20_000));
            }
            ui.separator();
            ui.add(
                egui::Slider::new(&mut self.speed, SPEED_RANGE)
                    .logarithmic(true)
                    .suffix(" steps/s")
                    .text("speed"),
            );
            ui.separator();
            ui.label(
                RichText::new(format!("step {}", self.race.cursor()))
                    .monospace()
                    .size(16.0),
            );
        });
        commands
    }
}

impl eframe::App for Explorer {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.keys(ctx);
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        egui::Panel::top("transport").show(ui, |ui| {
            commands.extend(self.transport(ui));
        });
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| {
                commands.extend(side_panel::show(ui, &self.race, &mut self.view));
            });
        egui::Panel::bottom("plots")
            .resizable(true)
            .default_size(250.0)
            .show(ui, |ui| {
                plots::show(ui, &self.race, &mut self.plots);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let preview = self
                .view_state
                .dragging_start
                .then(|| self.race.preview(500));
            commands.extend(view2d::show(
                ui,
                &self.race,
                &self.view,
                &mut self.view_state,
                &mut self.heat,
                preview.as_deref(),
            ));
        });
        self.apply(commands);
    }
}
