//! One computation on a thread of its own, for the UI: start it, poll it each frame, never
//! wait for it. The thread asks egui for a repaint when it is done.

use eframe::egui;
use std::sync::{Arc, Mutex};

/// A computation whose result arrives later.
pub struct Background<T> {
    slot: Arc<Mutex<Option<T>>>,
}

impl<T: Send + 'static> Background<T> {
    /// Runs `work` on a new thread; `ctx` repaints when it finishes.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let slot = Arc::new(Mutex::new(None));
        let out = slot.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = work();
            if let Ok(mut s) = out.lock() {
                *s = Some(result);
            }
            ctx.request_repaint();
        });
        Self { slot }
    }

    /// The result, once, when it has arrived.
    pub fn take(&self) -> Option<T> {
        self.slot.lock().ok().and_then(|mut s| s.take())
    }
}

/// Moves a finished job's result out of `job` (leaving `None`), if there is one.
pub fn collect<T: Send + 'static>(job: &mut Option<Background<T>>) -> Option<T> {
    let result = job.as_ref()?.take()?;
    *job = None;
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_arrives_once() {
        let ctx = egui::Context::default();
        let mut job = Some(Background::spawn(&ctx, || 6 * 7));
        let start = std::time::Instant::now();
        let result = loop {
            if let Some(v) = collect(&mut job) {
                break v;
            }
            assert!(start.elapsed().as_secs() < 10, "the thread never answered");
            std::thread::yield_now();
        };
        assert_eq!(result, 42);
        assert!(job.is_none());
        assert_eq!(collect(&mut job), None);
    }
}
