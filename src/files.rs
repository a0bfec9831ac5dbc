//! Reading and writing the user's files safely: regular files only and with a size cap when
//! reading; when writing, a regular file is replaced through a temporary file renamed into
//! place (so it is either the old one or the whole new one, with its old permissions), a
//! symlink is followed, a pipe, a terminal or `-` is written into as a stream, and nothing
//! that is not a regular file is ever replaced by one. Output paths are checked before any
//! work is done, with the same one-line messages from every command.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Where an output path leads once its symlinks are followed.
#[derive(Debug)]
enum Target {
    /// Nothing there yet: a new regular file is made.
    New(PathBuf),
    /// A regular file, replaced whole, keeping its permissions.
    Regular(PathBuf, Metadata),
    /// A pipe or a character device (a terminal, `/dev/null`): written into as a stream.
    Stream(PathBuf),
    /// `-`: the standard output.
    Stdout,
}

/// The most symlinks followed from one output path (as the kernel's own limit).
const MAX_LINKS: usize = 40;

/// The path shown in a message: at most [`crate::limits::ECHO_CHARS`] characters.
fn shown(path: &Path) -> String {
    crate::limits::echo(&path.display().to_string())
}

/// Follows `path`'s symlinks (a dangling one leads to the new file it names) and says what
/// is at the end; a folder, a block device or a socket is an error naming `path`.
fn resolve(path: &Path) -> Result<Target, String> {
    let name = shown(path);
    if name.trim().is_empty() {
        return Err("no output file named (the path is empty)".into());
    }
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    // The kernel follows the links, the magic ones of /dev/stdout and /proc/self/fd too.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => std::fs::canonicalize(path)
            .map(|at| Target::Regular(at, meta))
            .map_err(|e| format!("cannot write '{name}': {e}")),
        Ok(meta) if meta.is_dir() => Err(format!("cannot write '{name}': it is a folder")),
        Ok(meta) if is_stream(&meta) => Ok(Target::Stream(path.to_path_buf())),
        Ok(_) => Err(format!(
            "cannot write '{name}': it is a device or socket, not a file, pipe or terminal"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => new_file(path, &name),
        Err(e) => Err(format!("cannot write '{name}': {e}")),
    }
}

/// Where a new file for the output `path` is made: `path` itself, or where its dangling
/// symlinks lead.
fn new_file(path: &Path, name: &str) -> Result<Target, String> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link =
                    std::fs::read_link(&at).map_err(|e| format!("cannot write '{name}': {e}"))?;
                at = match at.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => {
                return Err(format!(
                    "cannot write '{name}': it changed while being read"
                ));
            }
            Err(_) => return Ok(Target::New(at)),
        }
    }
    Err(format!(
        "cannot write '{name}': more than {MAX_LINKS} symlinks in a row (a loop?)"
    ))
}

/// A pipe or a character device.
#[cfg(unix)]
fn is_stream(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    kind.is_fifo() || kind.is_char_device()
}

/// A pipe or a character device (none off Unix).
#[cfg(not(unix))]
fn is_stream(_meta: &Metadata) -> bool {
    false
}

/// The folder a file at `path` is in ("." for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A name for a temporary file beside `target`: short, so a long target name still fits.
fn temporary_beside(target: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    folder_of(target).join(format!(
        ".downhill-{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Checks that `path` can be written as an output before any work is done, without changing
/// anything: a new file in a folder that exists and takes it (its name is tried), a regular
/// file that is not read-only, a pipe or terminal, or `-` for the standard output; with the
/// `extension` asked for (case insensitive) where it names a file. The error is one line
/// naming the path, the same from every command.
pub fn check_output(path: &Path, extension: Option<&str>) -> Result<(), String> {
    let target = resolve(path)?;
    let name = shown(path);
    let named_file = matches!(target, Target::New(_) | Target::Regular(..));
    if let Some(ext) = extension
        && named_file
        && path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case(ext))
    {
        return Err(format!(
            "cannot write '{name}': only .{ext} files are written here (name it *.{ext})"
        ));
    }
    match target {
        Target::Stdout if stdout_is_closed() => Err(STDOUT_CLOSED.into()),
        Target::Stdout | Target::Stream(_) => Ok(()),
        Target::Regular(at, meta) => {
            if meta.permissions().readonly() {
                return Err(read_only(&name));
            }
            probe_folder(&at, &name)
        }
        Target::New(at) => {
            let dir = folder_of(&at);
            if !dir.is_dir() {
                return Err(format!(
                    "cannot write '{name}': no such folder '{}'",
                    shown(dir)
                ));
            }
            // The name itself is tried (too long, not allowed on this file system), then
            // removed; the temporary file a write makes beside it is tried too.
            File::create_new(&at)
                .map_err(|e| format!("cannot write '{name}': {e}"))
                .map(|_| {
                    let _ = std::fs::remove_file(&at);
                })?;
            probe_folder(&at, &name)
        }
    }
}

/// The message for a read-only target.
fn read_only(name: &str) -> String {
    format!("cannot write '{name}': it is read-only (make it writable or choose another name)")
}

/// Checks that the folder of `target` takes the temporary file a replacement goes through.
fn probe_folder(target: &Path, name: &str) -> Result<(), String> {
    let probe = temporary_beside(target);
    File::create_new(&probe)
        .map_err(|e| format!("cannot write '{name}': its folder does not take new files ({e})"))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Refuses two outputs of one command that lead to the same file (`--out x.png --png x.png`):
/// the second would silently replace the first.
pub fn check_distinct(a: &Path, b: &Path) -> Result<(), String> {
    let end = |p: &Path| match resolve(p) {
        Ok(Target::New(at) | Target::Regular(at, _) | Target::Stream(at)) => {
            let dir = std::fs::canonicalize(folder_of(&at)).unwrap_or_default();
            Some(dir.join(at.file_name().unwrap_or_default()))
        }
        Ok(Target::Stdout) => Some(PathBuf::from("-")),
        Err(_) => None,
    };
    match (end(a), end(b)) {
        (Some(x), Some(y)) if x == y => Err(format!(
            "'{}' is named for two outputs; give each its own file",
            shown(a)
        )),
        _ => Ok(()),
    }
}

/// Writes `bytes` to the output `path`: a regular file (or a new one) is replaced whole
/// through a temporary file in its folder renamed into place, keeping its permissions (a
/// read-only one is refused); a symlink is followed; a pipe or terminal is written into; `-`
/// is the standard output. On any failure the temporary file is removed and the old file
/// stays as it was. The error is one line naming the path.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_to(resolve(path)?, bytes).map_err(|e| format!("cannot write '{}': {e}", shown(path)))
}

/// Writes `bytes` to where an output path leads.
fn write_to(target: Target, bytes: &[u8]) -> std::io::Result<()> {
    match target {
        Target::Stdout => {
            if stdout_is_closed() {
                return Err(std::io::Error::other(STDOUT_CLOSED));
            }
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        }
        Target::Stream(at) => OpenOptions::new().write(true).open(at)?.write_all(bytes),
        Target::New(at) => replace(&at, bytes, None),
        Target::Regular(at, meta) => {
            if meta.permissions().readonly() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "it is read-only",
                ));
            }
            replace(&at, bytes, Some(meta.permissions()))
        }
    }
}

/// Why nothing reached a closed standard output.
pub const STDOUT_CLOSED: &str = "the standard output is closed, so nothing was written (redirect it, or name a file with --out)";

/// Set by the binary when descriptor 1 was not open as the process started.
static STDOUT_CLOSED_AT_START: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Records that the standard output was closed when the process started (`downhill run
/// >&-`). Only the binary can know: Rust's runtime puts `/dev/null` in its place before
/// `main`, so every later write succeeds without a word.
pub fn set_stdout_closed_at_start() {
    STDOUT_CLOSED_AT_START.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the standard output was closed when the process started.
pub fn stdout_is_closed() -> bool {
    STDOUT_CLOSED_AT_START.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes `bytes` into a new temporary file beside `target`, with `permissions` if given,
/// flushes it to the disk and renames it over `target`; the temporary file never outlives a
/// failure.
fn replace(
    target: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let tmp = temporary_beside(target);
    let written = (|| {
        let mut file = File::create_new(&tmp)?;
        file.write_all(bytes)?;
        if let Some(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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
        write_output(&path, b"first").unwrap();
        write_output(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        // Into a folder that does not exist: an error, nothing written.
        assert!(write_output(&dir.join("no/such/file"), b"x").is_err());
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

    /// A fresh folder of this test's own.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("downhill-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_its_file_replaced() {
        let dir = scratch("symlink");
        let real = dir.join("real.csv");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        check_output(&link, None).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link makes the file it names.
        let dangling = dir.join("dangling.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        write_output(&dangling, b"made").unwrap();
        assert_eq!(std::fs::read(dir.join("made.csv")).unwrap(), b"made");
        // A loop is refused.
        std::os::unix::fs::symlink("loop2", dir.join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", dir.join("loop2")).unwrap();
        let err = check_output(&dir.join("loop1"), None).unwrap_err();
        assert!(err.contains("links"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_or_device_is_written_into_and_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = scratch("fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            // The extension is not asked of a pipe.
            check_output(&fifo, Some("png")).unwrap();
            write_output(&fifo, b"through the pipe").unwrap();
            assert_eq!(reader.join().unwrap(), b"through the pipe");
            assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        }
        let null = Path::new("/dev/null");
        check_output(null, Some("csv")).unwrap();
        write_output(null, b"gone").unwrap();
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A symlink to a device leads to the device.
        let to_null = dir.join("null.csv");
        std::os::unix::fs::symlink(null, &to_null).unwrap();
        write_output(&to_null, b"gone").unwrap();
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_read_only_one_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let private = dir.join("private.toml");
        std::fs::write(&private, b"old").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_output(&private, b"new").unwrap();
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let locked = dir.join("locked.toml");
        std::fs::write(&locked, b"keep").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = check_output(&locked, None).unwrap_err();
        assert!(err.contains("read-only"), "{err}");
        let err = write_output(&locked, b"lost").unwrap_err();
        assert!(err.contains("read-only"), "{err}");
        assert_eq!(std::fs::read(&locked).unwrap(), b"keep");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "no temporary left"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_name_too_long_is_refused_before_any_work() {
        let dir = scratch("long");
        let err =
            check_output(&dir.join(format!("{}.png", "n".repeat(300))), Some("png")).unwrap_err();
        assert!(
            err.contains("cannot write") && err.contains("characters)"),
            "{err}"
        );
        // The longest name a folder takes still gets its temporary file.
        let longest = dir.join(format!("{}.csv", "n".repeat(251)));
        check_output(&longest, None).unwrap();
        write_output(&longest, b"fits").unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_file_for_two_outputs_is_refused() {
        let dir = scratch("twice");
        let a = dir.join("x.png");
        let err = check_distinct(&a, &dir.join(".").join("x.png")).unwrap_err();
        assert!(err.contains("two outputs"), "{err}");
        assert!(check_distinct(&a, &dir.join("y.png")).is_ok());
        assert!(check_distinct(Path::new("-"), Path::new("-")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
