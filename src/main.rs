//! The `downhill` binary: the app window by default, or a headless subcommand.

use clap::Parser;
use clap::error::ErrorKind;
use downhill::cli::{Cli, execute};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory();
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        downhill::files::set_stdout_closed_at_start();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first line names the problem and, through our value parsers,
            // the valid choices.
            eprintln!("{}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None => match downhill::app::run(downhill::app::Launch::default()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Some(command) => {
            let mut closed = ClosedOutput::default();
            let stdout = io::stdout();
            let mut open = BufWriter::new(stdout.lock());
            let out: &mut dyn Write = if downhill::files::stdout_is_closed() {
                &mut closed
            } else {
                &mut open
            };
            let result = execute(command, out, &mut io::stderr());
            if closed.written {
                eprintln!("error: {}", downhill::files::STDOUT_CLOSED);
                return ExitCode::from(2);
            }
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(e.exit_code())
                }
            }
        }
    }
}

/// Whether descriptor 1 was closed when the process started, seen before Rust's runtime
/// reopens it on `/dev/null` (which it does before `main`, after the constructors below).
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Runs as the process starts, before Rust's runtime: notes whether descriptor 1 is open.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn note_closed_stdout() {
    // SAFETY: F_GETFD only reads the descriptor's flags; it fails with EBADF when descriptor 1
    // is not open.
    let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
}

/// Registers [`note_closed_stdout`] as a constructor, run by the C library before `main`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

/// Stands in for a standard output that was closed before the program started: it takes the
/// output and remembers that there was some, so the command fails instead of claiming a
/// success that wrote nothing.
#[derive(Default)]
struct ClosedOutput {
    /// Whether anything was written.
    written: bool,
}

impl Write for ClosedOutput {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written |= !bytes.is_empty();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Keeps memory that a frame frees for the next frame. Every frame of the app builds and
/// drops several MiB of shapes and meshes; by default glibc gives freed memory at the top of
/// its heap, and blocks from 128 KiB up, straight back to the system, so the next frame
/// faults the same pages in again and clears them: half the CPU time of a 2D frame
/// (`downhill bench frame_cpu_ms`: 3.7 ms → 1.9 ms; docs/BENCHMARKS.md). Blocks of 32 MiB and
/// more (datasets, big grids) still go back.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's thresholds; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// clap's "invalid value '<what was typed>' for '--flag'" with what was typed cut to the
/// echo limit: a 100 KB value is not printed back whole.
fn shorten_value(line: &str) -> String {
    const START: &str = "invalid value '";
    const END: &str = "' for '";
    match (line.find(START), line.find(END)) {
        (Some(a), Some(b)) if b > a + START.len() => {
            let value = &line[a + START.len()..b];
            format!(
                "{}{}{}",
                &line[..a + START.len()],
                downhill::limits::echo(value),
                &line[b..]
            )
        }
        _ => line.to_string(),
    }
}

/// The first line of a clap error, joined with the next one when that completes it: after a
/// colon ("the following required arguments were not provided:") or a list of possible values.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = shorten_value(lines.next().unwrap_or("error: invalid arguments"));
    match lines.next() {
        Some(next)
            if (first.ends_with(':') && !next.starts_with("Usage"))
                || next.starts_with("[possible values") =>
        {
            format!("{first} {next}")
        }
        _ => first,
    }
}
