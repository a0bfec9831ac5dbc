//! The desktop window. For now a placeholder that lists what the engine offers; the 2D
//! explorer replaces it.

use crate::optim::OptimizerKind;
use crate::surfaces::SURFACES;
use eframe::egui;

/// The initial window size, made for a projector.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];

/// Opens the app window and blocks until it is closed.
pub fn run() -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("downhill")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "downhill",
        options,
        Box::new(|_cc| Ok(Box::new(Placeholder))),
    )
    .map_err(|e| format!("could not open the window: {e}"))
}

/// The placeholder window's content.
struct Placeholder;

impl eframe::App for Placeholder {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("downhill — optimizers racing down loss surfaces");
            ui.label(
                "The interactive explorer is on its way. Meanwhile the engine is complete: \
                 try `downhill list` and `downhill run --surface rosenbrock --optimizer adam,gd`.",
            );
            ui.separator();
            ui.columns(2, |cols| {
                cols[0].strong("Surfaces");
                for s in &SURFACES {
                    cols[0].label(format!("{} — {}", s.title, s.formula));
                }
                cols[1].strong("Optimizers");
                for k in OptimizerKind::ALL {
                    cols[1].label(format!("{} — {}", k.title(), k.summary()));
                }
            });
        });
    }
}
