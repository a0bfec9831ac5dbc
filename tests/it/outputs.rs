//! Outputs go where they are pointed: a regular file is replaced whole (keeping its mode), a
//! symlink is followed, a pipe or `/dev/null` is written into and stays what it was, and a
//! closed standard output is an error, not a silent success. Checked through the binary, as
//! a script would meet them.

use crate::common::{Scratch, downhill, usage_error};
use std::process::{Command, Stdio};

/// `basin` on a small grid, writing its CSV to `out`.
fn basin_to(out: &str) -> Vec<String> {
    [
        "basin",
        "--surface",
        "himmelblau",
        "--optimizer",
        "gd",
        "--grid",
        "4",
        "--steps",
        "5",
        "--out",
        out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_basin(out: &str) -> std::process::Output {
    let args = basin_to(out);
    downhill(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(unix)]
#[test]
fn a_pipe_a_device_and_a_symlink_stay_what_they_are() {
    use std::os::unix::fs::FileTypeExt;
    let dir = Scratch::new("outputs-special");
    // A FIFO: its reader gets the CSV, and it is still a FIFO afterwards.
    let fifo = dir.join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let out = run_basin(fifo.to_str().unwrap());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = reader.join().unwrap();
        assert!(text.starts_with("x0,y0,x,y,loss,status,minimum"), "{text}");
        assert_eq!(text.lines().count(), 17);
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }
    // /dev/null stays the null device.
    let out = run_basin("/dev/null");
    assert!(out.status.success());
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A symlink: the file it points to gets the CSV, the link stays a link.
    let real = dir.join("real.csv");
    std::fs::write(&real, "old").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(run_basin(link.to_str().unwrap()).status.success());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&real).unwrap().starts_with("x0,y0"));
    // `-` is the standard output.
    let out = run_basin("-");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("x0,y0"));
    // Nothing left behind in the folder: the two files, the FIFO and the link.
    let left: Vec<_> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| !n.ends_with(".tmp")), "{left:?}");
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_mode_and_a_read_only_one_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("outputs-mode");
    let private = dir.join("private.csv");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(run_basin(private.to_str().unwrap()).status.success());
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let locked = dir.join("locked.csv");
    std::fs::write(&locked, "mine").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let args = basin_to(locked.to_str().unwrap());
    usage_error(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["read-only"],
    );
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), "mine");
}

#[test]
fn two_outputs_into_one_file_and_a_long_name_are_refused_before_any_work() {
    let dir = Scratch::new("outputs-twice");
    let x = dir.join("x.png");
    let x = x.to_str().unwrap();
    let mut args = basin_to(x);
    args.extend(["--png".to_string(), x.to_string()]);
    usage_error(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["two outputs"],
    );
    let long = dir.join(format!("{}.png", "n".repeat(300)));
    usage_error(
        &[
            "basin",
            "--surface",
            "himmelblau",
            "--optimizer",
            "gd",
            "--png",
            long.to_str().unwrap(),
        ],
        &["cannot write", "too long"],
    );
    assert_eq!(std::fs::read_dir(&*dir).unwrap().count(), 0);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_closed_standard_output_is_an_error_not_a_silent_success() {
    use std::os::unix::process::CommandExt;
    let closed = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_downhill"));
        command.args(args).stderr(Stdio::piped());
        // SAFETY: close(1) in the child before exec, as a shell's `>&-` does.
        unsafe {
            command.pre_exec(|| {
                libc_close_stdout();
                Ok(())
            });
        }
        command.output().unwrap()
    };
    let out = closed(&[
        "run",
        "--surface",
        "himmelblau",
        "--optimizer",
        "gd",
        "--steps",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output is closed"));
    // A command that writes its output to a file does not need it.
    let dir = Scratch::new("outputs-closed");
    let file = dir.join("b.csv");
    let args = basin_to(file.to_str().unwrap());
    let out = closed(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A standard output sent to /dev/null on purpose is not closed.
    let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args([
            "run",
            "--surface",
            "himmelblau",
            "--optimizer",
            "gd",
            "--steps",
            "3",
        ])
        .stdout(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// Closes descriptor 1 (between fork and exec: only async-signal-safe calls).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn libc_close_stdout() {
    // SAFETY: close is async-signal-safe; descriptor 1 belongs to the child.
    unsafe {
        libc::close(1);
    }
}
