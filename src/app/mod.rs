//! The desktop window: the 2D explorer. UI code only reads the [`Race`] and sends it
//! [`Command`]s; stepping happens in the race, never here.

pub mod axes;
pub mod background;
mod batch_overlay;
pub mod caption;
pub mod clouds;
pub mod colormap;
pub mod data_file;
pub mod data_plot;
pub mod deck;
pub mod export;
mod export_ui;
pub mod files;
pub mod fonts;
pub mod inspector;
mod keys;
pub mod overlay;
pub mod plots;
pub mod quiz;
pub mod scene_files;
pub mod screenshot;
pub mod scroll;
pub mod side_panel;
pub mod state;
mod step_overlay;
pub mod storage;
pub mod surface_panel;
mod timeline;
pub mod train;
mod transport;
mod tune_ui;
pub mod view2d;
pub mod view3d;
pub mod why;

use crate::field::Window;
use crate::optim::OptimizerKind;
use crate::presets::Preset;
use crate::race::{Command, Race};
pub use crate::scene::view::{SPEED_RANGE, ViewMode};
use crate::surfaces::{Surface, SurfaceKind};
use eframe::egui::{self, Key};

/// The initial window size, made for a projector.
pub const WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

/// How the app starts: an optional preset, steps to take first, a screenshot to save.
#[derive(Debug, Default)]
pub struct Launch {
    /// A preset to load instead of the default race.
    pub preset: Option<&'static Preset>,
    /// A scene to show instead of the restored or default one (from `app --surface` or
    /// `--function`).
    pub scene: Option<crate::scene::Scene>,
    /// A lecture deck to present, from slide [`Launch::slide`].
    pub deck: Option<crate::scene::deck::Deck>,
    /// The deck's slide to open on (0-based).
    pub slide: usize,
    /// Open the step inspector on this racer (0-based).
    pub inspect: Option<usize>,
    /// The file `scene` was read from (Save writes back to it).
    pub scene_file: Option<std::path::PathBuf>,
    /// Steps to take before the first frame; `None`: a preset's lesson step for a screenshot,
    /// none otherwise.
    pub steps: Option<u64>,
    /// Save a PNG of the window here, then close.
    pub screenshot: Option<std::path::PathBuf>,
    /// The view to show first (`None`: the scene's or slide's own).
    pub view: Option<ViewMode>,
    /// For the training view: a spec file or shipped spec name to train.
    pub model_spec: Option<String>,
    /// For the training view: epochs to train (overrides the spec's).
    pub epochs: Option<usize>,
    /// The window's inner size in points (default [`WINDOW_SIZE`]).
    pub size: Option<[f32; 2]>,
    /// Start in presentation mode.
    pub presenting: bool,
}

/// Opens the app window and blocks until it is closed.
pub fn run(launch: Launch) -> Result<(), String> {
    // A screenshot, or a window of a given size, is taken as asked: not at the last session's
    // window size and zoom, which eframe would restore from its storage. Such a launch keeps
    // its storage in a file of its own, removed afterwards.
    let throwaway = (launch.screenshot.is_some() || launch.size.is_some())
        .then(|| std::env::temp_dir().join(format!("downhill-launch-{}.ron", std::process::id())));
    // A plain launch's storage: checked before eframe reads it, eframe working on a live copy
    // that replaces it after the window closes (see `storage`).
    let storage = match &throwaway {
        None => eframe::storage_dir("downhill").map(|dir| storage::Storage::in_dir(&dir)),
        Some(_) => None,
    };
    let storage_notice = storage.as_ref().and_then(storage::Storage::prepare);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("downhill")
            .with_inner_size(launch.size.unwrap_or(WINDOW_SIZE))
            .with_min_inner_size([960.0, 600.0]),
        persist_window: throwaway.is_none(),
        persistence_path: throwaway
            .clone()
            .or_else(|| storage.as_ref().map(|s| s.live.clone())),
        ..Default::default()
    };
    let outcome: screenshot::Outcome = Default::default();
    let screenshot = launch.screenshot.clone();
    let job_outcome = outcome.clone();
    let result = eframe::run_native(
        "downhill",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            // A launch that names a scene (a preset, a screenshot) starts from it; a plain
            // launch picks up where the last session left off.
            let restored = (launch.preset.is_none()
                && launch.scene.is_none()
                && launch.deck.is_none()
                && screenshot.is_none())
            .then(|| cc.storage.and_then(|s| s.get_string(state::KEY)))
            .flatten();
            let mut explorer = match (launch.preset, restored) {
                // A screenshot shows the lesson's picture; a window plays the lesson to it.
                (Some(p), _) if screenshot.is_some() => Explorer::with_preset(p),
                (Some(p), _) => {
                    let mut explorer = Explorer::default();
                    explorer.load(p);
                    explorer
                }
                (None, Some(text)) => Explorer::restore(&text),
                (None, None) => Explorer::default(),
            };
            if let Some(text) = cc
                .storage
                .and_then(|s| s.get_string(scene_files::RECENT_KEY))
            {
                explorer.set_recent(&text);
            }
            if let Some(scene) = &launch.scene
                && let Err(e) = explorer.show_scene(scene)
            {
                explorer.notice = Some(format!("The scene could not be built: {e}"));
            }
            if let Some(path) = &launch.scene_file {
                explorer.scene_file = Some(path.clone());
            }
            if let Some(deck) = launch.deck.clone() {
                explorer.open_deck(deck, launch.slide, Some(&cc.egui_ctx));
                if screenshot.is_some() {
                    // The picture the slide settles on, not its first frame.
                    explorer.settle_slide();
                }
            }
            if let Some(steps) = launch.steps {
                explorer.playing = false;
                explorer.stop_at = None;
                explorer.race.apply(Command::Step(steps as i64));
            }
            if let Some(racer) = launch.inspect {
                explorer.inspector.open = true;
                explorer.inspector.racer = racer;
                explorer.inspector.zoom = true;
            }
            if let Some(view) = launch.view {
                explorer.shown.mode = view;
            }
            if launch.view == Some(ViewMode::Train) {
                explorer.trainer =
                    train::TrainView::launch(launch.model_spec.as_deref(), launch.epochs);
                explorer.trainer.play(&cc.egui_ctx);
            }
            explorer.presenting |= launch.presenting;
            if let Some(notice) = storage_notice {
                explorer.notice = Some(match explorer.notice.take() {
                    Some(other) => format!("{notice} {other}"),
                    None => notice,
                });
            }
            explorer.persist = screenshot.is_none();
            if let Some(path) = screenshot {
                explorer.screenshot = Some(screenshot::Job::new(path, job_outcome));
            }
            Ok(Box::new(explorer))
        }),
    )
    .map_err(|e| format!("could not open the window: {e}"));
    if let Some(file) = throwaway {
        let _ = std::fs::remove_file(file);
    }
    if let Some(s) = &storage {
        s.finish();
    }
    result?;
    match (
        launch.screenshot,
        outcome.lock().ok().and_then(|mut o| o.take()),
    ) {
        (None, _) => Ok(()),
        (Some(_), Some(result)) => result,
        (Some(_), None) => Err("the window closed before the screenshot was taken".into()),
    }
}

/// The presentation mode's zoom for a window of `size` points (unzoomed): 1.25 at
/// 1280×800, growing with the smaller of the window's width and height against 1024×640,
/// between 1 and 3.
pub fn presentation_zoom(size: egui::Vec2) -> f32 {
    (size.x / 1024.0).min(size.y / 640.0).clamp(1.0, 3.0)
}

/// The keys that load the presets, in order.
pub const PRESET_KEYS: [Key; 12] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
    Key::Num0,
    Key::Minus,
    Key::Equals,
];

/// Steps of the live preview drawn while something is dragged.
pub const PREVIEW_STEPS: u64 = 500;

/// The explorer: a race and how it is shown.
pub struct Explorer {
    /// The race being shown.
    pub race: Race,
    /// How it is shown: the view, the map's, plots' and 3D settings, the speed (saved with
    /// the scene: a new setting there is saved by adding a field).
    pub shown: crate::scene::SceneView,
    /// Whether time is running.
    pub playing: bool,
    /// Fractional steps carried between frames.
    carry: f64,
    /// Presentation mode, for a projector: the side panel hidden, text and marks scaled with
    /// the window (see [`Explorer::zoom`]).
    pub presenting: bool,
    /// Side and bottom panels hidden (Tab), leaving the map alone.
    pub panels_hidden: bool,
    /// The user's own zoom (Ctrl + plus, minus, 0), on top of the presentation's.
    pub text_scale: f32,
    /// Playback stops at this step: the lesson's step, where its caption holds.
    pub stop_at: Option<u64>,
    /// The window's size in points when the presentation zoom was last worked out, and that
    /// zoom.
    window_seen: Option<(egui::Vec2, f32)>,
    /// Light theme instead of dark.
    pub light: bool,
    /// The preset on show, if any.
    pub preset: Option<&'static Preset>,
    /// The title and caption drawn over the view (a preset's or a scene file's).
    pub caption: Option<scene_files::Caption>,
    /// The scene file on show, which Save writes.
    pub scene_file: Option<std::path::PathBuf>,
    /// Scene files opened or saved lately, newest first.
    pub recent: Vec<std::path::PathBuf>,
    /// The scene file dialog, while one is open.
    scene_dialog: Option<scene_files::SceneDialog>,
    /// Exporting pictures and recordings from the app.
    exports: export_ui::ExportUi,
    /// Drawing a picture for an export: no buttons on it.
    exporting: bool,
    /// An exported picture shows the status table and the loss chart under the view.
    pub export_plots: bool,
    /// Playback loops between these steps.
    pub loop_marks: timeline::LoopMarks,
    /// The lecture deck being presented, if any.
    pub deck: Option<deck::DeckState>,
    /// The step inspector.
    pub inspector: inspector::Inspector,
    /// Tuning each racer's learning rate.
    pub tuning: tune_ui::TuneUi,
    /// Predict, then reveal (Q).
    pub quiz: Option<quiz::Quiz>,
    /// Something the user should know, shown until dismissed (a saved state that could not
    /// be restored whole).
    pub notice: Option<String>,
    /// The 3D view's caches.
    pub view3d: view3d::View3d,
    /// The training workspace.
    pub trainer: train::TrainView,
    /// The basin map tool.
    pub basin: why::BasinUi,
    /// Racers run under many seeds, drawn as clouds.
    clouds: clouds::Clouds,
    /// The hyperparameter sweep window.
    pub sweep: why::SweepUi,
    /// The surface section's formula box and searches.
    pub surface_panel: surface_panel::SurfacePanel,
    view_state: view2d::ViewState,
    heat: view2d::HeatCache,
    screenshot: Option<screenshot::Job>,
    /// Whether to save the session on exit (not for screenshots).
    persist: bool,
    /// Tab was pressed: take back the focus egui's own Tab navigation gives a widget.
    drop_focus: bool,
}

/// The race a first launch shows: GD, momentum, RMSprop and Adam on Rosenbrock, with learning
/// rates that make it interesting there.
pub fn default_race() -> Race {
    use OptimizerKind as K;
    let mut race = Race::new(
        Surface::new(SurfaceKind::Rosenbrock),
        &[K::GD, K::MOMENTUM, K::RMSPROP, K::ADAM],
    );
    for (i, lr) in [(0, 1e-3), (1, 1e-3), (2, 1e-2), (3, 5e-2)] {
        race.apply(Command::SetHyper(i, "lr", lr));
    }
    race
}

impl Default for Explorer {
    fn default() -> Self {
        Self {
            race: default_race(),
            shown: Default::default(),
            playing: false,
            carry: 0.0,
            presenting: false,
            panels_hidden: false,
            text_scale: 1.0,
            stop_at: None,
            window_seen: None,
            light: false,
            preset: None,
            caption: None,
            scene_file: None,
            recent: Vec::new(),
            scene_dialog: None,
            exports: Default::default(),
            exporting: false,
            export_plots: false,
            loop_marks: Default::default(),
            deck: None,
            inspector: Default::default(),
            tuning: Default::default(),
            quiz: None,
            notice: None,
            view3d: Default::default(),
            trainer: Default::default(),
            basin: Default::default(),
            clouds: Default::default(),
            sweep: Default::default(),
            surface_panel: Default::default(),
            view_state: view2d::ViewState::default(),
            heat: Default::default(),
            screenshot: None,
            persist: false,
            drop_focus: false,
        }
    }
}

impl Explorer {
    /// The explorer showing a preset at its lesson step, paused: the picture its caption
    /// describes (screenshots, exports, tests).
    pub fn with_preset(preset: &'static Preset) -> Self {
        let mut explorer = Self::default();
        explorer.load(preset);
        explorer.go_to(preset.scene.view.step);
        explorer.playing = false;
        explorer.stop_at = None;
        explorer
    }

    /// Back to the default race and settings (the window stays as it is).
    pub fn reset_to_defaults(&mut self) {
        let persist = self.persist;
        *self = Self {
            persist,
            ..Self::default()
        };
    }

    /// Shows `race` (its typed function, if any, goes into the formula box too).
    pub fn show_race(&mut self, race: Race) {
        if let Some(t) = race.surface().typed_function() {
            self.surface_panel.text = t.text().to_string();
        }
        self.race = race;
        self.preset = None;
        self.caption = None;
        self.scene_file = None;
        self.basin.clear();
        self.sweep.forget();
        self.view_state.reset_bounds = true;
    }

    /// Replaces the race with a preset's and plays its lesson from step 0 to its lesson step,
    /// where it stops.
    pub fn load(&mut self, preset: &'static Preset) {
        if let Err(e) = self.show_scene(&preset.scene) {
            // Every shipped preset builds (a test checks it); this is for a broken build.
            self.notice = Some(format!("The preset could not be shown: {e}"));
            return;
        }
        self.preset = Some(preset);
        self.play_lesson();
    }

    /// From step 0, plays to the scene's lesson step (the step it is saved at) and stops
    /// there; a scene saved at step 0 plays on.
    pub fn play_lesson(&mut self) {
        let lesson = self.shown.step;
        self.apply(vec![Command::Reset]);
        self.playing = true;
        self.stop_at = (lesson > 0).then_some(lesson);
    }

    /// The scene's lesson step (the step it was saved at), or, for a scene saved at step 0,
    /// the step where every run has stopped (at most `cap` steps).
    pub fn lesson_end(&mut self, cap: u64) -> u64 {
        match self.shown.step {
            0 => {
                self.apply(vec![Command::RunToEnd(cap)]);
                self.race.cursor()
            }
            lesson => lesson,
        }
    }

    /// Applies commands, keeping the view in step with surface changes.
    pub fn apply(&mut self, commands: Vec<Command>) {
        for c in commands {
            if let Command::SetSurface(s) = &c
                && (!s.same_function(self.race.surface()) || s.view() != self.race.surface().view())
            {
                self.view_state.reset_bounds = true;
            }
            if let Command::SetSurface(s) = &c {
                self.basin.clear();
                // A lesson's frame belongs to its function.
                if !s.same_function(self.race.surface()) {
                    self.shown.map.window = None;
                }
            }
            if matches!(c, Command::SetStart(_) | Command::SetSurface(_)) {
                self.carry = 0.0;
            }
            self.race.apply(c);
        }
    }

    /// Advances time while playing.
    fn tick(&mut self, ctx: &egui::Context) {
        if !self.playing {
            self.carry = 0.0;
            return;
        }
        let dt = ctx.input(|i| i.stable_dt).min(0.25) as f64;
        self.carry += self.shown.speed * dt;
        let mut n = self.carry.floor();
        self.carry -= n;
        if let Some(stop) = self.stop_at {
            // The lesson's step: stop there, whatever the speed.
            let left = stop.saturating_sub(self.race.cursor()) as f64;
            if n >= left {
                n = left;
                self.playing = false;
                self.stop_at = None;
            }
        }
        if n >= 1.0 {
            self.race.apply(Command::Step(n as i64));
        }
        self.wrap_loop();
        if self.race.finished() && self.loop_marks.span().is_none() {
            self.playing = false;
        }
        ctx.request_repaint();
    }
}

impl Explorer {
    /// The zoom factor: the user's own (Ctrl + plus, minus, 0) times, in presentation mode,
    /// one that grows with the window, so that a 1920×1080 projector shows larger text than a
    /// 1280×800 one (1.25 there, 1.69 at 1920×1080).
    pub fn zoom(&mut self, ctx: &egui::Context) -> f32 {
        // Worked out again only when the window's size in points changes: a real window
        // shrinks in points as the zoom grows (and gives the same answer again), a test's
        // fixed screen does not (and would feed the zoom back into itself).
        let content = ctx.content_rect().size();
        if self
            .window_seen
            .is_none_or(|(seen, _)| (seen - content).length() > 0.5)
        {
            let size = content * ctx.zoom_factor();
            self.window_seen = Some((content, presentation_zoom(size)));
        }
        let base = match (self.presenting, self.window_seen) {
            (true, Some((_, z))) => z,
            _ => 1.0,
        };
        base * self.text_scale
    }

    /// Whether a screenshot may be taken: the training view waits for its runs to finish.
    pub fn ready_for_screenshot(&self) -> bool {
        self.shown.mode != ViewMode::Train
            || self.trainer.finished
            || self.trainer.error.is_some()
            || self.trainer.problem.is_none()
    }

    /// One frame: keyboard, time, then every panel. Called by eframe, and by the UI tests.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.keys(&ctx);
        self.tick(&ctx);
        ctx.set_theme(if self.light {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
        let zoom = self.zoom(&ctx);
        if (ctx.zoom_factor() - zoom).abs() > 1e-4 {
            ctx.set_zoom_factor(zoom);
        }
        self.dropped_files(&ctx);
        self.scene_dialogs(&ctx);
        self.export_windows(&ctx);
        self.notes_window(&ctx);
        if self.trainer.poll() {
            ctx.request_repaint();
        }
        let mut commands = Vec::new();
        egui::Panel::top("transport").show(ui, |ui| {
            commands.extend(self.transport(ui));
        });
        self.caption_strip(ui);
        if self.shown.mode == ViewMode::Train {
            train::show(ui, &mut self.trainer, self.panels_hidden || self.presenting);
        } else {
            self.clouds.update(&self.race);
            self.inspector.update(&self.race);
            if !self.panels_hidden {
                self.side_and_bottom(ui, &mut commands);
            }
            self.central(ui, &mut commands);
            commands.extend(self.sweep.window(&ctx, &self.race));
            self.inspector.window(&ctx, &self.race, self.presenting);
            self.tune_window(&ctx);
        }
        if std::mem::take(&mut self.drop_focus) {
            ctx.memory_mut(|m| {
                if let Some(id) = m.focused() {
                    m.surrender_focus(id);
                }
            });
        }
        self.apply(commands);
    }

    /// The controls on the left and the plots at the bottom. In presentation mode the
    /// controls are hidden and the plots are the status table and the loss alone, in a strip a
    /// quarter of the window high: the map gets the space.
    fn side_and_bottom(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if !self.presenting {
            egui::Panel::left("controls")
                .resizable(true)
                .default_size(340.0)
                .show(ui, |ui| {
                    // Taller than a projector's 800 pixels: it scrolls.
                    let area = egui::ScrollArea::vertical().id_salt("controls-scroll");
                    scroll::show(ui, area, |ui| {
                        commands.extend(side_panel::show(
                            ui,
                            &self.race,
                            &mut self.shown.map,
                            &mut self.surface_panel,
                        ));
                        ui.separator();
                        self.why_section(ui);
                    });
                });
        }
        let compact = self.presenting;
        let (bottom_id, bottom_size) = if compact {
            ("plots-presenting", 0.26 * ui.ctx().content_rect().height())
        } else {
            ("plots", 250.0)
        };
        let panel = egui::Panel::bottom(bottom_id);
        let panel = if compact {
            panel.exact_size(bottom_size)
        } else {
            panel.resizable(true).default_size(bottom_size)
        };
        panel.show(ui, |ui| {
            if !compact {
                self.timeline(ui);
            }
            plots::show(ui, &self.race, &self.clouds, &mut self.shown.plots, compact);
        });
    }

    /// The "Why" tools: curvature, basin map, sweep.
    fn why_section(&mut self, ui: &mut egui::Ui) {
        ui.heading("Why");
        ui.checkbox(&mut self.shown.map.show_curvature, "Curvature")
            .on_hover_text(
                "At the pointer (or the first ball): the Hessian's principal axes (dashed red where \
                 the surface curves down), its eigenvalues, the condition number κ and the largest \
                 stable GD step 2/λ_max of the local quadratic",
            );
        if ui
            .button("Explain a step…")
            .on_hover_text(
                "One racer's next step from its ball: the update rule with this step's numbers, \
                 its parts as arrows on the map, and the loss along it",
            )
            .clicked()
        {
            self.inspector.open = true;
        }
        if ui
            .button("Tune… (a fair race)")
            .on_hover_text(
                "Search each racer's learning rate for this scene, then race each at its best",
            )
            .clicked()
        {
            self.tuning.open = true;
        }
        self.basin.controls(ui, &self.race);
        if ui
            .button("Hyperparameter sweep…")
            .on_hover_text("Final loss over a grid of two hyperparameters of one optimizer")
            .clicked()
        {
            self.sweep.open = true;
        }
    }

    /// The view: the map, the surface or both (with the data beside a model's map).
    fn central(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::CentralPanel::default().show(ui, |ui| {
            // Live preview: while the start or a hyperparameter is dragged, the next 500
            // steps of every racer are recomputed and drawn each frame.
            let dragging_hyper = side_panel::dragging(ui.ctx());
            let preview = (self.view_state.dragging_start || dragging_hyper)
                .then(|| self.race.preview(PREVIEW_STEPS));
            let preview = preview.as_deref();
            let full = ui.available_rect_before_wrap();
            match self.shown.mode {
                ViewMode::Flat | ViewMode::Train => {
                    // A model on data: its data and the racers' fits beside the map.
                    let surface = self.race.surface().clone();
                    if let Some(data) = surface.data_model() {
                        let (left, right) = full.split_left_right_at_fraction(0.62);
                        let builder =
                            |r: egui::Rect| egui::UiBuilder::new().max_rect(r.shrink(3.0));
                        ui.scope_builder(builder(left), |ui| {
                            commands.extend(self.flat(ui, preview, None));
                        });
                        ui.scope_builder(builder(right), |ui| {
                            data_plot::show(ui, &self.race, data);
                        });
                        ui.advance_cursor_after_rect(full);
                    } else {
                        commands.extend(self.flat(ui, preview, None));
                    }
                }
                ViewMode::Surface => commands.extend(self.surface(ui, preview, None)),
                ViewMode::Split => {
                    let (left, right) = full.split_left_right_at_fraction(0.5);
                    let from3d = self.view3d.hover;
                    let from2d = self.view_state.hover;
                    let builder = |r: egui::Rect| egui::UiBuilder::new().max_rect(r.shrink(3.0));
                    ui.scope_builder(builder(left), |ui| {
                        commands.extend(self.flat(ui, preview, from3d));
                    });
                    ui.scope_builder(builder(right), |ui| {
                        commands.extend(self.surface(ui, preview, from2d));
                    });
                }
            }
        });
    }

    /// The 2D view, marking `highlight` (the point hovered in the 3D view).
    fn flat(
        &mut self,
        ui: &mut egui::Ui,
        preview: Option<&[Vec<[f64; 2]>]>,
        highlight: Option<[f64; 2]>,
    ) -> Vec<Command> {
        let extras = view2d::Extras {
            highlight,
            basin: self.basin.overlay(ui.ctx(), self.race.surface()),
        };
        if std::mem::take(&mut self.inspector.zoom)
            && let Some((e, _)) = self.inspector.shown(&self.race)
        {
            // The ball, its step and a margin of a step and a half around it (at least a
            // five-hundredth of the surface's window).
            let v = self.race.surface().view();
            let floor = 0.002 * (v.x.1 - v.x.0).min(v.y.1 - v.y.0);
            let half = (2.0 * e.delta[0].hypot(e.delta[1])).max(floor);
            let c = [
                (e.theta[0] + e.theta_after[0]) / 2.0,
                (e.theta[1] + e.theta_after[1]) / 2.0,
            ];
            self.view_state.zoom_to = Some(crate::surfaces::View {
                x: (c[0] - half, c[0] + half),
                y: (c[1] - half, c[1] + half),
            });
        }
        let commands = view2d::show(
            ui,
            view2d::View2d {
                race: &self.race,
                settings: &self.shown.map,
                state: &mut self.view_state,
                cache: &mut self.heat,
                preview,
                clouds: &self.clouds,
                explained: self.inspector.shown(&self.race),
                quiz: self.quiz.as_ref(),
                extras,
                readout: self.screenshot.is_none(),
            },
        );
        if let Some(w) = self.heat.window_for(self.race.surface()) {
            self.basin.set_window(w);
        }
        self.quiz_clicks(commands)
    }

    /// The 3D view over the 2D view's window, marking `highlight` (hovered in the 2D view).
    fn surface(
        &mut self,
        ui: &mut egui::Ui,
        preview: Option<&[Vec<[f64; 2]>]>,
        highlight: Option<[f64; 2]>,
    ) -> Vec<Command> {
        let window = self.window3d();
        self.view3d.show(
            ui,
            view3d::Shown3d {
                race: &self.race,
                map: &self.shown.map,
                settings: &mut self.shown.surface,
                window,
                highlight,
                preview,
                readout: self.screenshot.is_none(),
                controls: !self.exporting,
                legend: self.exporting && self.shown.mode == ViewMode::Surface,
            },
        )
    }

    /// The window the 3D view covers: the surface's default view, or the 2D view's window
    /// once the user has panned or zoomed it (the letterboxed margins of a fitted map would
    /// only flatten the surface).
    fn window3d(&self) -> Window {
        let default = || {
            let v = self.shown.map.frame(self.race.surface().view());
            Window { x: v.x, y: v.y }
        };
        if self.view_state.fitted {
            return default();
        }
        self.heat
            .window_for(self.race.surface())
            .unwrap_or_else(default)
    }

    /// The plane point under the pointer in the 2D view in the last frame.
    pub fn hover_2d(&self) -> Option<[f64; 2]> {
        self.view_state.hover
    }

    /// Where the plane point `p` is on screen in the last frame of the 2D view.
    pub fn screen_pos(&self, p: [f64; 2]) -> Option<egui::Pos2> {
        self.view_state.screen_pos(p)
    }

    /// The map's frame on screen in the last frame of the 2D view.
    pub fn map_rect(&self) -> Option<egui::Rect> {
        self.view_state.frame()
    }

    /// The part of the plane the 2D view showed in the last frame, `[x0, x1, y0, y1]`.
    pub fn map_window(&self) -> Option<[f64; 4]> {
        self.view_state.plane_window()
    }

    /// Where the map's legend was drawn in the last frame.
    pub fn legend_rect(&self) -> Option<egui::Rect> {
        self.view_state.legend
    }
}

impl eframe::App for Explorer {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let ready = self.ready_for_screenshot();
        if let Some(job) = &mut self.screenshot {
            job.tick(ctx, ready);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            storage.set_string(state::KEY, self.saved());
            storage.set_string(scene_files::RECENT_KEY, self.recent_text());
        }
    }
}
