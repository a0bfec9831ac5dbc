//! The `downhill` binary: the app window by default, or a headless subcommand.

use clap::Parser;
use clap::error::ErrorKind;
use downhill::cli::{Cli, execute};
use std::io::{self, BufWriter};
use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory();
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
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            match execute(command, &mut out, &mut io::stderr()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(e.exit_code())
                }
            }
        }
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

/// The first line of a clap error, joined with the next one when that completes it: after a
/// colon ("the following required arguments were not provided:") or a list of possible values.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("error: invalid arguments")
        .to_string();
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
