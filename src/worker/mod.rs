//! A background thread that owns training runs: [`Command`]s in, [`Event`]s out. No egui: the
//! UI passes a `notify` callback (its `request_repaint`) and drains events with
//! [`Worker::poll`], which never blocks.
//!
//! The runs are stepped interleaved on the one thread, `steps_per_tick` steps each per tick,
//! so they progress together and stay deterministic: the numbers are the same as
//! [`Experiment::train_all`]'s, whatever the speed or pauses.

use crate::train::{EpochMetrics, Experiment, RunState, StepMetrics, TrainRun};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the UI asks of the worker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Stop stepping until [`Command::Resume`].
    Pause,
    /// Continue stepping.
    Resume,
    /// End the thread (also happens when the [`Worker`] is dropped).
    Stop,
    /// Start every run again from the initial weights (same seed, same numbers).
    Restart,
    /// Steps each run takes per tick (at least 1).
    SetStepsPerTick(usize),
    /// Pause between ticks (zero: as fast as possible).
    SetTickInterval(Duration),
}

/// What the worker reports. Every number is finite.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Runs (re)started: each optimizer's name and its epoch-0 metrics.
    Started {
        /// `(optimizer name, metrics of the initial weights)` per run.
        runs: Vec<(&'static str, EpochMetrics)>,
    },
    /// A run finished an epoch.
    Epoch {
        /// Run index.
        run: usize,
        /// The epoch's metrics.
        metrics: EpochMetrics,
    },
    /// The latest step of a run at the end of a tick.
    Step {
        /// Run index.
        run: usize,
        /// The step's figures.
        metrics: StepMetrics,
    },
    /// A run's parameters, after each epoch and when it stops.
    Weights {
        /// Run index.
        run: usize,
        /// Epochs completed.
        epoch: usize,
        /// The flat parameter vector.
        weights: Vec<f64>,
    },
    /// A run stopped (finished, stopped early or diverged).
    State {
        /// Run index.
        run: usize,
        /// Its new state.
        state: RunState,
    },
    /// The worker paused.
    Paused,
    /// The worker resumed.
    Resumed,
    /// Every run has stopped; the worker waits for a command.
    Finished,
    /// The runs could not be set up.
    Error(String),
}

/// How the worker starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkerOptions {
    /// Steps each run takes per tick.
    pub steps_per_tick: usize,
    /// Pause between ticks.
    pub tick_interval: Duration,
    /// Start paused.
    pub paused: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            steps_per_tick: 16,
            tick_interval: Duration::ZERO,
            paused: false,
        }
    }
}

/// The UI's handle on a training thread.
pub struct Worker {
    commands: Sender<Command>,
    events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts a thread training `experiment`; `notify` is called after each batch of events.
    pub fn spawn(
        experiment: Experiment,
        options: WorkerOptions,
        notify: Box<dyn Fn() + Send>,
    ) -> Self {
        let (commands, command_rx) = mpsc::channel();
        let (event_tx, events) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("downhill-train".into())
            .spawn(move || {
                let mut state = Loop {
                    experiment,
                    runs: Vec::new(),
                    steps_per_tick: options.steps_per_tick.max(1),
                    interval: options.tick_interval,
                    paused: options.paused,
                    events: event_tx,
                    notify,
                };
                state.run(&command_rx);
            })
            .ok();
        Self {
            commands,
            events,
            thread,
        }
    }

    /// Sends a command; `false` if the thread has ended.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Every event waiting now, without blocking.
    pub fn poll(&self) -> Vec<Event> {
        self.events.try_iter().collect()
    }

    /// At most `max` waiting events appended to `out`, without blocking; returns how many.
    pub fn poll_into(&self, out: &mut Vec<Event>, max: usize) -> usize {
        let before = out.len();
        out.extend(self.events.try_iter().take(max));
        out.len() - before
    }

    /// Waits up to `timeout` for the next event (for tests and headless use, not the UI).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Whether the thread is still alive.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The worker thread's state.
struct Loop {
    experiment: Experiment,
    runs: Vec<TrainRun>,
    steps_per_tick: usize,
    interval: Duration,
    paused: bool,
    events: Sender<Event>,
    notify: Box<dyn Fn() + Send>,
}

/// Whether to go on after handling a command.
enum Flow {
    Continue,
    Exit,
}

impl Loop {
    /// Sends one event; `false` when nobody listens any more.
    fn emit(&self, event: Event) -> bool {
        self.events.send(event).is_ok()
    }

    /// (Re)creates the runs and announces them.
    fn start(&mut self) -> bool {
        match self.experiment.runs() {
            Ok(runs) => {
                self.runs = runs;
                let info = self
                    .runs
                    .iter()
                    .map(|r| (r.name(), r.start_metrics().clone()))
                    .collect();
                // Runs with nothing to do (0 epochs) are finished as they start: say so, or
                // the view would wait for them for ever.
                self.emit(Event::Started { runs: info })
                    && (self.active() || self.emit(Event::Finished))
            }
            Err(e) => {
                self.runs.clear();
                self.emit(Event::Error(e.to_string()))
            }
        }
    }

    fn active(&self) -> bool {
        self.runs.iter().any(|r| r.state().is_running())
    }

    fn handle(&mut self, command: Command) -> Flow {
        match command {
            Command::Stop => return Flow::Exit,
            Command::Pause => {
                if !self.paused {
                    self.paused = true;
                    self.emit(Event::Paused);
                }
            }
            Command::Resume => {
                if self.paused {
                    self.paused = false;
                    self.emit(Event::Resumed);
                }
            }
            Command::Restart => {
                if !self.start() {
                    return Flow::Exit;
                }
            }
            Command::SetStepsPerTick(n) => self.steps_per_tick = n.max(1),
            Command::SetTickInterval(d) => self.interval = d,
        }
        Flow::Continue
    }

    fn run(&mut self, commands: &Receiver<Command>) {
        if !self.start() {
            return;
        }
        (self.notify)();
        loop {
            // Wait for a command when idle; otherwise only as long as the tick interval.
            let first = if self.paused || !self.active() {
                commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else if self.interval.is_zero() {
                commands.try_recv().map_err(|e| match e {
                    TryRecvError::Empty => RecvTimeoutError::Timeout,
                    TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                commands.recv_timeout(self.interval)
            };
            let mut pending = match first {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            while let Some(c) = pending {
                if let Flow::Exit = self.handle(c) {
                    return;
                }
                pending = commands.try_recv().ok();
            }
            if !self.paused && self.active() {
                if !self.tick() {
                    return;
                }
                (self.notify)();
            } else {
                (self.notify)();
            }
        }
    }

    /// Steps every running run; returns `false` when the receiver is gone.
    fn tick(&mut self) -> bool {
        let mut out = Vec::new();
        for (i, run) in self.runs.iter_mut().enumerate() {
            if !run.state().is_running() {
                continue;
            }
            let mut left = self.steps_per_tick;
            while left > 0 && run.state().is_running() {
                let (taken, epoch) = run.step(left);
                left = left.saturating_sub(taken.max(1));
                if let Some(metrics) = epoch {
                    let e = metrics.epoch;
                    out.push(Event::Epoch { run: i, metrics });
                    out.push(Event::Weights {
                        run: i,
                        epoch: e,
                        weights: run.weights().to_vec(),
                    });
                }
            }
            out.push(Event::Step {
                run: i,
                metrics: run.last_step(),
            });
            if !run.state().is_running() {
                out.push(Event::Weights {
                    run: i,
                    epoch: run.epoch(),
                    weights: run.weights().to_vec(),
                });
                out.push(Event::State {
                    run: i,
                    state: run.state(),
                });
            }
        }
        let finished = !self.active();
        for e in out {
            if !self.emit(e) {
                return false;
            }
        }
        if finished {
            return self.emit(Event::Finished);
        }
        true
    }
}
