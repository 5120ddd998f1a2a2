//! Replacing a file atomically: the bytes go to a temporary file beside it, which gets its
//! permissions before it is renamed into place, so no reader ever sees a partial file or one
//! with the wrong mode (a hook that is briefly not executable is skipped by git; a settings file
//! briefly world-readable leaks).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` with `bytes`, creating folders as needed. The new file gets `mode`, or else
/// the old file's permissions (a new file: the default ones).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.vouch-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()?;
        drop(f);
        set_mode(&tmp, path, mode)?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn set_mode(tmp: &Path, old: &Path, mode: Option<u32>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let perms = match mode {
        Some(m) => fs::Permissions::from_mode(m),
        None => match fs::metadata(old) {
            Ok(meta) => meta.permissions(),
            Err(_) => return Ok(()),
        },
    };
    fs::set_permissions(tmp, perms)
}

#[cfg(not(unix))]
fn set_mode(_tmp: &Path, _old: &Path, _mode: Option<u32>) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_mode_is_given_or_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d/hook");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        write_atomic(&path, b"1", Some(0o755)).unwrap();
        assert_eq!(mode(&path), 0o755);
        write_atomic(&path, b"2", None).unwrap();
        assert_eq!(
            (mode(&path), fs::read(&path).unwrap()),
            (0o755, b"2".to_vec())
        );
        assert_eq!(fs::read_dir(dir.path().join("d")).unwrap().count(), 1);
    }
}
