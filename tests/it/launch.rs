//! The real app in a real window: launched under Xvfb with a window manager (openbox) and
//! closed as a user closes it (`wmctrl -c`), with a storage file that cannot be read. The old
//! bytes are kept aside and the session is saved whole. Needs Xvfb, openbox and wmctrl (CI
//! installs them); without them the test says so and checks nothing.

use crate::common::Scratch;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program on the PATH.
fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Kills the children on the way out, whatever happens.
struct Reap(Vec<Child>);

impl Drop for Reap {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits up to `secs` for `done`.
fn wait_for(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn a_storage_file_that_cannot_be_read_is_kept_through_a_real_launch_and_close() {
    if !(have("Xvfb") && have("openbox") && have("wmctrl")) {
        println!(
            "SKIPPED: Xvfb, openbox and wmctrl are needed (apt-get install xvfb openbox wmctrl)"
        );
        return;
    }
    let dir = Scratch::new("launch");
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("downhill")).unwrap();
    let storage = data.join("downhill/app.ron");
    std::fs::write(&storage, "(garbage").unwrap();
    let display = format!(":{}", 40 + std::process::id() % 50);
    let quiet = || Stdio::null();
    let mut reap = Reap(Vec::new());
    reap.0.push(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1600x1000x24"])
            .stdout(quiet())
            .stderr(quiet())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(800));
    reap.0.push(
        Command::new("openbox")
            .env("DISPLAY", &display)
            .stdout(quiet())
            .stderr(quiet())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(500));
    let runtime = dir.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut app = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .arg("app")
        .env("DISPLAY", &display)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("WAYLAND_DISPLAY")
        .stdout(quiet())
        .stderr(quiet())
        .spawn()
        .unwrap();
    let wmctrl = |args: &[&str]| {
        Command::new("wmctrl")
            .args(args)
            .env("DISPLAY", &display)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let shown = wait_for(60, || wmctrl(&["-l"]).contains("downhill"));
    if !shown {
        let _ = app.kill();
        let _ = app.wait();
        // No window at all (no Vulkan or GL under this Xvfb): nothing to close.
        println!("SKIPPED: the window did not open under Xvfb here");
        return;
    }
    // Let it draw and save once, then close it as a user would.
    std::thread::sleep(Duration::from_secs(2));
    wmctrl(&["-c", "downhill"]);
    let closed = wait_for(60, || app.try_wait().ok().flatten().is_some());
    assert!(closed, "the app did not close");
    assert!(app.wait().unwrap().success());
    let kept: Vec<_> = std::fs::read_dir(data.join("downhill"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("app.ron.bak-"))
        .collect();
    assert_eq!(kept.len(), 1, "the unreadable file is kept aside");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"(garbage");
    let saved = std::fs::read_to_string(&storage).unwrap();
    assert!(
        saved.contains("downhill-state"),
        "the session was saved: {saved}"
    );
    assert!(!data.join("downhill/app.ron.live").exists());
}
