//! The stepping engine: objectives, optimizers, schedules and the one loop that runs them.
//! Nothing here knows about egui or threads.

pub mod gradient;
pub mod objective;
pub mod optimizer;
pub mod runner;
pub mod schedule;
pub mod vecops;

pub use gradient::{Clip, norm2};
pub use objective::{Objective, Oracle};
pub use optimizer::{Optimizer, PairStep, StatePicture, Step};
pub use runner::{
    FLAT, Flat, ObserveMode, Observer, RUNNER_VECTORS, RunConfig, RunError, Runner, Status,
    StepRecord, StopReason, Watch, classify_rest,
};
pub use schedule::{SCHEDULES, Schedule, ScheduleDef, ScheduleError, ScheduleParam};
