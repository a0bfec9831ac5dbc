//! The top bar: presets, transport, speed, step, view buttons, presentation and theme.

use super::{Explorer, SPEED_RANGE, ViewMode, train};
use crate::presets::presets;
use crate::race::Command;
use eframe::egui::{self, RichText};

impl Explorer {
    /// The top bar's contents; returns the commands its buttons ask for.
    pub(super) fn transport(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        if self.shown.mode == ViewMode::Train {
            ui.horizontal_wrapped(|ui| {
                if !self.presenting {
                    ui.heading(RichText::new("downhill").strong());
                    ui.separator();
                }
                self.deck_counter(ui);
                self.mode_buttons(ui);
                ui.separator();
                train::transport(ui, &mut self.trainer, self.presenting);
                ui.separator();
                self.look_buttons(ui);
            });
            return Vec::new();
        }
        let mut commands = Vec::new();
        let mut reset = false;
        // In presentation mode the buttons keep their symbols only (their names stay in the
        // tooltips), the name and Defaults go: one row at any projector size.
        let compact = self.presenting;
        let name = |full: &'static str, short: &'static str| if compact { short } else { full };
        ui.horizontal_wrapped(|ui| {
            if !compact {
                ui.heading(RichText::new("downhill").strong());
                ui.separator();
            }
            ui.menu_button("Presets", |ui| {
                for (k, preset) in presets().iter().enumerate() {
                    let key = crate::presets::key_label(k);
                    if ui
                        .button(format!("{key}  {}", preset.title()))
                        .on_hover_text(preset.caption())
                        .clicked()
                    {
                        self.load(preset);
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text("Lecture scenes, one idea each (keys 1–9, 0, - and =)");
            self.scene_menu(ui);
            self.deck_counter(ui);
            ui.separator();
            let label = match (self.playing, compact) {
                (true, false) => "❚❚ Pause",
                (false, false) => "▶ Play",
                (true, true) => "❚❚",
                (false, true) => "▶",
            };
            if ui
                .button(label)
                .on_hover_text("Play / pause (Space)")
                .clicked()
            {
                self.playing = !self.playing;
            }
            if ui
                .button(name("◀ Back", "◀"))
                .on_hover_text("Step back (←)")
                .clicked()
            {
                self.playing = false;
                commands.push(Command::Step(-1));
            }
            if ui
                .button(name("Step ▶", "▶|"))
                .on_hover_text("Step forward (→)")
                .clicked()
            {
                self.playing = false;
                commands.push(Command::Step(1));
            }
            if ui
                .button(name("⟲ Reset", "⟲"))
                .on_hover_text("Back to step 0 (R)")
                .clicked()
            {
                self.playing = false;
                commands.push(Command::Reset);
            }
            if ui
                .button(name("→| Run to end", "→|"))
                .on_hover_text(
                    "Run to the end: step until every optimizer stops (at most 20,000 steps)",
                )
                .clicked()
            {
                self.playing = false;
                commands.push(Command::RunToEnd(super::deck::END_CAP));
            }
            ui.separator();
            // In presentation the speed is a number to drag (the lesson sets it): one row.
            if compact {
                ui.add(
                    egui::DragValue::new(&mut self.shown.speed)
                        .range(SPEED_RANGE)
                        .speed(1.0)
                        .suffix(" steps/s"),
                )
            } else {
                ui.spacing_mut().slider_width = 100.0;
                ui.add(
                    egui::Slider::new(&mut self.shown.speed, SPEED_RANGE)
                        .logarithmic(true)
                        .suffix(" steps/s")
                        .text("speed"),
                )
            }
            .on_hover_text("Playback speed, in steps per second");
            ui.separator();
            self.mode_buttons(ui);
            ui.separator();
            ui.label(
                RichText::new(format!("step {}", self.race.cursor()))
                    .monospace()
                    .size(16.0),
            );
            ui.separator();
            if !compact
                && ui
                    .button("Defaults")
                    .on_hover_text("Reset the surface, optimizers and view to the defaults")
                    .clicked()
            {
                reset = true;
            }
            self.look_buttons(ui);
        });
        if reset {
            self.reset_to_defaults();
        }
        commands
    }

    /// The view buttons: 2D, 3D, both, and the training workspace.
    fn mode_buttons(&mut self, ui: &mut egui::Ui) {
        for mode in ViewMode::ALL {
            let (label, tip) = match mode {
                ViewMode::Flat => ("2D", "The contour map (V cycles 2D, 3D, both)"),
                ViewMode::Surface => ("3D", "The lit surface (V cycles 2D, 3D, both)"),
                ViewMode::Split => ("2D | 3D", "Both side by side (V cycles 2D, 3D, both)"),
                ViewMode::Train => (
                    "Train",
                    "Real models on real data, several optimizers at once",
                ),
            };
            ui.selectable_value(&mut self.shown.mode, mode, label)
                .on_hover_text(tip);
        }
    }

    /// Presentation mode and theme (right-aligned in the top bar).
    fn look_buttons(&mut self, ui: &mut egui::Ui) {
        let label = if self.presenting {
            "Present"
        } else {
            "Presentation"
        };
        ui.toggle_value(&mut self.presenting, label).on_hover_text(
            "Presentation mode (P): the map, the caption, the loss and the table, text scaled \
             with the window; Ctrl + plus / minus / 0 zoom, F11 fullscreen, Tab the map alone",
        );
        let theme = match (self.light, self.presenting) {
            (true, false) => "☾ Dark",
            (false, false) => "☀ Light",
            (true, true) => "☾",
            (false, true) => "☀",
        };
        if ui
            .button(theme)
            .on_hover_text("Switch between dark and light")
            .clicked()
        {
            self.light = !self.light;
        }
    }
}
