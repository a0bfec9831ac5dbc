//! The race's recorded tracks as CSV, in the columns `downhill run` writes, and the number
//! and field formats every CSV of downhill's uses.

use super::Race;

pub use crate::numbers::num;

/// `text` as one CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row of `downhill run`'s CSV after its `run,optimizer` prefix:
/// `step,x,y,loss,grad_norm,lr`, each number as [`num`] writes it.
pub struct Row<'a> {
    /// `run,optimizer`, already quoted.
    pub prefix: &'a str,
    /// The step.
    pub t: u64,
    /// θ.
    pub x: [f64; 2],
    /// f(θ).
    pub loss: f64,
    /// ‖∇f(θ)‖.
    pub grad_norm: f64,
    /// The learning rate of the next step.
    pub lr: f64,
}

impl std::fmt::Display for Row<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{},{},{},{},{},{},{}",
            self.prefix,
            self.t,
            num(self.x[0]),
            num(self.x[1]),
            num(self.loss),
            num(self.grad_norm),
            num(self.lr)
        )
    }
}

/// Every enabled racer's track up to the step on show, as `downhill run --format csv` writes
/// it: `run,optimizer,step,x,y,loss,grad_norm,lr`, one row per step.
pub fn tracks_csv(race: &Race) -> String {
    let mut out = String::from("run,optimizer,step,x,y,loss,grad_norm,lr\n");
    for (lane, label) in race.lanes().iter().zip(race.labels()) {
        if !lane.spec.enabled {
            continue;
        }
        let t = &lane.track;
        let end = race.index_at_cursor(t);
        let prefix = format!("{},{}", csv_field(&label), lane.spec.kind.name());
        let setup = lane.spec.setup(race.shared());
        for k in 0..=end.min(t.loss.len().saturating_sub(1)) {
            // As `run` writes it: no row with a non-finite number.
            let finite = t.loss[k].is_finite()
                && t.grad_norm[k].is_finite()
                && t.points[k].iter().all(|v| v.is_finite());
            if !finite {
                continue;
            }
            let row = Row {
                prefix: &prefix,
                t: k as u64,
                x: t.points[k],
                loss: t.loss[k],
                grad_norm: t.grad_norm[k],
                lr: setup.lr_at(k as u64),
            };
            out.push_str(&format!("{row}\n"));
        }
    }
    out
}
