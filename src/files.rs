//! Reading and writing the user's files safely: regular files only and with a size cap when
//! reading; through a temporary file renamed into place when writing, so a file is either the
//! old one or the whole new one; and output paths checked before any work is done.

use std::path::Path;

/// Reads a text file of at most [`crate::limits::MAX_TEXT_FILE_BYTES`]: regular files only (a folder, a
/// pipe or a device is refused before it is opened, so nothing blocks or reads for ever),
/// and no more than the limit is read whatever the file's metadata says. The error is one
/// line naming the file.
pub fn read_text_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let shown = crate::limits::echo(&path.display().to_string());
    if shown.trim().is_empty() {
        return Err("no file named (the path is empty)".into());
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read '{shown}': {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "'{shown}' is not a regular file (a folder, pipe or device cannot be read)"
        ));
    }
    let limit = crate::limits::MAX_TEXT_FILE_BYTES;
    let too_large = || {
        format!(
            "'{shown}' is larger than {} KB; not a text file of downhill's",
            limit / 1024
        )
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read '{shown}': {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        format!("'{shown}' line {line}: not valid UTF-8 text")
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder renamed into place:
/// the file is either the old one or the whole new one, never half written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Checks that `path` can be written as an output before any work is done: a file (not a
/// folder) in a folder that exists and takes new files, with the `extension` asked for (case
/// insensitive) if any. Nothing is created or changed: the check writes a temporary file next
/// to it and removes it. The error is one line naming the path.
pub fn check_output(path: &Path, extension: Option<&str>) -> Result<(), String> {
    let shown = crate::limits::echo(&path.display().to_string());
    if shown.trim().is_empty() {
        return Err("no output file named (the path is empty)".into());
    }
    if path.is_dir() {
        return Err(format!("cannot write '{shown}': it is a folder"));
    }
    if let Some(ext) = extension
        && path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case(ext))
    {
        return Err(format!(
            "cannot write '{shown}': only .{ext} files are written here (name it *.{ext})"
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(format!(
            "cannot write '{shown}': no such folder '{}'",
            dir.display()
        ));
    }
    let probe = dir.join(format!(".downhill-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| format!("cannot write '{shown}': the folder does not take new files ({e})"))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_text_files_are_read() {
        let zero = read_text_file(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(zero.contains("not a regular file"), "{zero}");
        assert!(
            read_text_file(std::path::Path::new(""))
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            read_text_file(std::path::Path::new("/no/such"))
                .unwrap_err()
                .contains("cannot read")
        );
        let dir = std::env::temp_dir().join(format!("downhill-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(crate::limits::MAX_TEXT_FILE_BYTES + 1)
            .unwrap();
        assert!(read_text_file(&big).unwrap_err().contains("larger than"));
        let ok = dir.join("ok.toml");
        std::fs::write(&ok, "a = 1\n").unwrap();
        assert_eq!(read_text_file(&ok).unwrap(), "a = 1\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary() {
        let dir = std::env::temp_dir().join(format!("downhill-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("spec.toml");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        // Into a folder that does not exist: an error, nothing written.
        assert!(write_atomic(&dir.join("no/such/file"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn outputs_are_checked_without_touching_anything() {
        let dir = std::env::temp_dir().join(format!("downhill-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keep = dir.join("keep.jpg");
        std::fs::write(&keep, b"mine").unwrap();
        let err = check_output(&keep, Some("png")).unwrap_err();
        assert!(err.contains("only .png"), "{err}");
        assert_eq!(std::fs::read(&keep).unwrap(), b"mine");
        assert!(check_output(&dir, None).unwrap_err().contains("folder"));
        assert!(
            check_output(&dir.join("no/such/x.csv"), None)
                .unwrap_err()
                .contains("no such folder")
        );
        assert!(check_output(&dir.join("ok.PNG"), Some("png")).is_ok());
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "the check left nothing"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
