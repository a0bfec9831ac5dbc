//! The app's storage file (eframe's `app.ron` under the data folder: the saved state, the
//! recent files, the window's size) kept safe. eframe reads it as best it can (a file that
//! does not parse reads as empty, so the next save overwrote a lecturer's session without a
//! word), blocks on a pipe, and writes it in place (a crash mid-write left half a file). So
//! the file is checked before eframe sees it, and eframe works on a copy of its own (the
//! *live* file) that replaces the real one atomically after a clean exit:
//!
//! - a storage file that is not a regular file, is over [`MAX_BYTES`] or does not parse is
//!   moved aside as `app.ron.bak-<seconds>` and the app starts fresh, saying so;
//! - a live file left by a session that crashed is used when it parses and is newer (eframe
//!   saves every 30 s), and dropped otherwise;
//! - after the window closes, the live file, if it parses, replaces the real one (through
//!   [`crate::files::write_output`]: whole or not at all).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest storage file read (the state, recent files and egui's memory are a few KB).
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// The storage file of this app, and the copy eframe works on.
#[derive(Clone, Debug)]
pub struct Storage {
    /// The real file: `app.ron` in the data folder.
    pub home: PathBuf,
    /// The copy eframe reads and writes while the app runs.
    pub live: PathBuf,
}

/// Whether `bytes` are a storage file eframe can read: RON text of a string-to-string map.
fn parses(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .ok()
        .is_some_and(|text| ron::from_str::<HashMap<String, String>>(text).is_ok())
}

/// The file at `path` if it is a regular file (symlinks followed) of at most [`MAX_BYTES`]
/// that parses; otherwise why not.
fn readable(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_BYTES {
        return Err(format!(
            "it is larger than {} MB",
            MAX_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if parses(&bytes) {
        Ok(bytes)
    } else {
        Err("it is not a settings file this app can read".into())
    }
}

/// Seconds since 1970, for the name of a file moved aside.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Storage {
    /// The storage in `dir` (eframe's data folder for this app).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            home: dir.join("app.ron"),
            live: dir.join("app.ron.live"),
        }
    }

    /// Checks the real file and prepares the live copy for eframe; returns a notice when
    /// the real file had to be moved aside.
    pub fn prepare(&self) -> Option<String> {
        if let Some(dir) = self.home.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut notice = None;
        let home = match std::fs::symlink_metadata(&self.home) {
            Err(_) => None,
            Ok(_) => match readable(&self.home) {
                Ok(bytes) => Some(bytes),
                Err(why) => {
                    let aside = self.home.with_extension(format!("ron.bak-{}", now()));
                    notice = Some(match std::fs::rename(&self.home, &aside) {
                        Ok(()) => format!(
                            "The saved settings in {} could not be read ({why}); they are kept \
                             in {} and the app starts fresh.",
                            self.home.display(),
                            aside.display()
                        ),
                        Err(e) => format!(
                            "The saved settings in {} could not be read ({why}) nor moved \
                             aside ({e}); the app starts fresh and will not save over them.",
                            self.home.display()
                        ),
                    });
                    None
                }
            },
        };
        // A live copy a crashed session left: newer and whole, it is the better one.
        let newer = |a: &Path, b: &Path| {
            let t = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
            match (t(a), t(b)) {
                (Some(x), Some(y)) => x > y,
                (Some(_), None) => true,
                _ => false,
            }
        };
        let left = readable(&self.live)
            .ok()
            .filter(|_| home.is_none() || newer(&self.live, &self.home));
        let _ = std::fs::remove_file(&self.live);
        if let Some(bytes) = left.or(home) {
            let _ = crate::files::write_output(&self.live, &bytes);
        }
        notice
    }

    /// After the window closed: the live copy replaces the real file if it parses (and the
    /// real file is not one that could not be moved aside).
    pub fn finish(&self) {
        let Ok(bytes) = readable(&self.live) else {
            let _ = std::fs::remove_file(&self.live);
            return;
        };
        let keep_old =
            std::fs::symlink_metadata(&self.home).is_ok() && readable(&self.home).is_err();
        if !keep_old && crate::files::write_output(&self.home, &bytes).is_ok() {
            let _ = std::fs::remove_file(&self.live);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("downhill-storage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_garbled_file_is_kept_aside_and_the_app_starts_fresh() {
        let dir = scratch("garbled");
        let s = Storage::in_dir(&dir);
        std::fs::write(&s.home, "(garbage").unwrap();
        let notice = s.prepare().expect("a notice");
        assert!(notice.contains("could not be read"), "{notice}");
        assert!(!s.home.exists() && !s.live.exists());
        let kept: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("app.ron.bak-"))
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(std::fs::read(&kept[0]).unwrap(), b"(garbage");
        // A session then saves and closes: the real file is its state.
        std::fs::write(&s.live, r#"{"downhill-state": "x"}"#).unwrap();
        s.finish();
        assert!(parses(&std::fs::read(&s.home).unwrap()));
        assert!(!s.live.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_moved_aside_without_being_opened() {
        let dir = scratch("fifo");
        let s = Storage::in_dir(&dir);
        let made = std::process::Command::new("mkfifo").arg(&s.home).status();
        if made.is_ok_and(|st| st.success()) {
            // Opening it would block for ever: prepare must not.
            let notice = s.prepare().expect("a notice");
            assert!(notice.contains("not a regular file"), "{notice}");
            assert!(!s.home.exists());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_good_file_is_what_the_session_starts_from_and_a_crash_mid_write_loses_nothing() {
        let dir = scratch("good");
        let s = Storage::in_dir(&dir);
        let good = r#"{"downhill-state": "saved"}"#;
        std::fs::write(&s.home, good).unwrap();
        assert!(s.prepare().is_none());
        assert_eq!(std::fs::read_to_string(&s.live).unwrap(), good);
        // The session dies half way through a save: the live copy is half a file.
        std::fs::write(&s.live, r#"{"downhill-st"#).unwrap();
        // The next launch keeps the real file and starts from it.
        assert!(s.prepare().is_none());
        assert_eq!(std::fs::read_to_string(&s.home).unwrap(), good);
        assert_eq!(std::fs::read_to_string(&s.live).unwrap(), good);
        // A whole, newer live copy (eframe saved, then the app was killed) is used.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let newer = r#"{"downhill-state": "newer"}"#;
        std::fs::write(&s.live, newer).unwrap();
        assert!(s.prepare().is_none());
        assert_eq!(std::fs::read_to_string(&s.live).unwrap(), newer);
        s.finish();
        assert_eq!(std::fs::read_to_string(&s.home).unwrap(), newer);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
