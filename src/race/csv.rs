//! The race's recorded tracks as CSV, in the columns `downhill run` writes, and the number
//! and field formats every CSV of downhill's uses.

use super::Race;

/// Formats a number so that it reads back bit-identically, in plain or exponent notation.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// `text` as one CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
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
        for k in 0..=end.min(t.loss.len().saturating_sub(1)) {
            out.push_str(&format!(
                "{prefix},{k},{},{},{},{},{}\n",
                num(t.points[k][0]),
                num(t.points[k][1]),
                num(t.loss[k]),
                num(t.grad_norm[k]),
                num(lane.lr_at(race.shared(), k as u64))
            ));
        }
    }
    out
}
