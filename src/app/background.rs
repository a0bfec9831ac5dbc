//! One computation on a thread of its own, for the UI: start it, poll it each frame, never
//! wait for it. The thread asks egui for a repaint when it is done.

use eframe::egui;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How far a background computation has got: units of work done out of a total, both set by
/// the work itself.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// Sets the amount of work in all.
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Counts `n` more units done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// The counter of units done, for work that counts itself (a rayon grid).
    pub fn counter(&self) -> &AtomicU64 {
        &self.done
    }

    /// The fraction done, in [0, 1]; 0 before the total is known.
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }
}

/// A computation whose result arrives later.
pub struct Background<T> {
    slot: Arc<Mutex<Option<T>>>,
    progress: Arc<Progress>,
}

impl<T: Send + 'static> Background<T> {
    /// Runs `work` on a new thread; `ctx` repaints when it finishes.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::spawn_with_progress(ctx, move |_| work())
    }

    /// Runs `work` on a new thread, handing it a [`Progress`] to report into (see
    /// [`Background::progress`]); `ctx` repaints when it finishes.
    pub fn spawn_with_progress(
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> Self {
        let slot = Arc::new(Mutex::new(None));
        let progress = Arc::new(Progress::default());
        let (out, report) = (slot.clone(), progress.clone());
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = work(&report);
            if let Ok(mut s) = out.lock() {
                *s = Some(result);
            }
            ctx.request_repaint();
        });
        Self { slot, progress }
    }

    /// The result, once, when it has arrived.
    pub fn take(&self) -> Option<T> {
        self.slot.lock().ok().and_then(|mut s| s.take())
    }

    /// The fraction of the work done, as the work reports it.
    pub fn progress(&self) -> f32 {
        self.progress.fraction()
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
