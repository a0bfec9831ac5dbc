//! `downhill list`: what there is to run.

use super::CliError;
use crate::data::DatasetKind;
use crate::engine::Schedule;
use crate::models::ModelKind;
use crate::optim::OptimizerKind;
use crate::optim::hyper::{HyperKind, HyperSpec};
use crate::surfaces::{PointKind, Surface, SurfaceKind};
use serde_json::{Value, json};
use std::io::Write;

/// Options of `downhill list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The whole catalogue as JSON: surfaces, optimizers and schedules.
pub fn catalog_json() -> Value {
    let surfaces: Vec<Value> = SurfaceKind::ALL
        .iter()
        .map(|&kind| {
            let s = Surface::new(kind);
            let info = kind.info();
            let points = s.critical_points();
            let (saddles, minima): (Vec<_>, Vec<_>) = points
                .into_iter()
                .partition(|p| p.kind == PointKind::Saddle);
            json!({
                "name": info.name,
                "title": info.title,
                "formula": info.formula,
                "typed": info.typed,
                "lesson": info.lesson,
                "params": info.params,
                "view": info.view,
                "starts": info.starts,
                "minima": minima,
                "minima_complete": info.complete,
                "saddles": saddles,
            })
        })
        .collect();
    let optimizers: Vec<Value> = OptimizerKind::all()
        .map(|kind| {
            json!({
                "name": kind.name(),
                "title": kind.title(),
                "summary": kind.summary(),
                "formula": kind.formula().trim_end(),
                "oracle": kind.oracle(),
                "hyperparameters": kind.hyper_specs(),
            })
        })
        .collect();
    let schedules: Vec<Value> = crate::engine::SCHEDULES
        .iter()
        .map(|def| json!({"name": def.name, "formula": def.formula, "parameters": def.params}))
        .collect();
    let presets: Vec<Value> = crate::presets::presets()
        .iter()
        .enumerate()
        .map(|(k, p)| {
            json!({
                "name": p.name,
                "key": crate::presets::key_label(k),
                "title": p.title(),
                "caption": p.caption(),
                "surface": p.scene.surface.name,
                "optimizers": p.scene.racers.iter().map(|r| r.optimizer.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let datasets: Vec<Value> = DatasetKind::ALL
        .iter()
        .map(|k| json!({"name": k.name(), "about": k.about(), "generated": k.is_generated()}))
        .collect();
    let models: Vec<Value> = ModelKind::ALL
        .iter()
        .map(|k| json!({"name": k.name(), "about": k.about()}))
        .collect();
    let specs: Vec<Value> = crate::models::spec::SHIPPED
        .iter()
        .map(|(name, _)| json!({"name": name, "path": format!("assets/models/{name}.toml")}))
        .collect();
    json!({
        "surfaces": surfaces,
        "optimizers": optimizers,
        "schedules": schedules,
        "presets": presets,
        "datasets": datasets,
        "models": models,
        "model_specs": specs,
    })
}

/// A hyperparameter's default as text (`true`/`false` for switches).
fn default_text(spec: &HyperSpec) -> String {
    match spec.kind {
        HyperKind::Bool => (spec.default != 0.0).to_string(),
        _ => spec.default.to_string(),
    }
}

/// Runs `downhill list`.
pub fn execute(args: &ListArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.json {
        writeln!(out, "{}", catalog_json())?;
        return Ok(());
    }
    writeln!(out, "SURFACES")?;
    for kind in SurfaceKind::ALL {
        let info = kind.info();
        writeln!(out, "  {:<18} {}", info.name, info.formula)?;
        writeln!(out, "  {:<18} {}", "", info.lesson)?;
        writeln!(out, "  {:<18} as --function: {}", "", info.typed)?;
        for p in info.params {
            writeln!(
                out,
                "  {:<18}   param {}={} {} — {}",
                "",
                p.name,
                p.default,
                p.range_text(),
                p.meaning
            )?;
        }
    }
    writeln!(out, "\nOPTIMIZERS")?;
    for kind in OptimizerKind::all() {
        writeln!(
            out,
            "  {:<10} {} — {}",
            kind.name(),
            kind.title(),
            kind.summary()
        )?;
        for line in kind.formula().lines() {
            writeln!(out, "  {:<10}   {line}", "")?;
        }
        for spec in kind.hyper_specs() {
            writeln!(
                out,
                "  {:<10}   {}={} {} — {}",
                "",
                spec.name,
                default_text(spec),
                spec.range_text(),
                spec.meaning
            )?;
        }
    }
    writeln!(
        out,
        "\nPRESETS (downhill app --preset NAME, or keys 1–9, 0, - and = in the app)"
    )?;
    for (k, p) in crate::presets::presets().iter().enumerate() {
        writeln!(
            out,
            "  {} {:<17} {}",
            crate::presets::key_label(k),
            p.name,
            p.title()
        )?;
    }
    writeln!(out, "\nSCHEDULES (--schedule NAME[:key=value,...])")?;
    for def in crate::engine::SCHEDULES {
        writeln!(out, "  {:<13} {}", def.name, Schedule::describe(def))?;
    }
    writeln!(out, "\nDATASETS (downhill train --dataset NAME)")?;
    for kind in DatasetKind::ALL {
        writeln!(out, "  {:<13} {}", kind.name(), kind.about())?;
    }
    writeln!(out, "\nMODELS (downhill train --model NAME or a spec file)")?;
    for kind in ModelKind::ALL {
        writeln!(out, "  {:<13} {}", kind.name(), kind.about())?;
    }
    for (name, _) in crate::models::spec::SHIPPED {
        writeln!(out, "  {:<13} assets/models/{name}.toml", "")?;
    }
    Ok(())
}
