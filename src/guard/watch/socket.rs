//! Both ends of the approval socket: the hook's [`hold`] and the watcher's [`Watcher`].

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::peer::{own_uid, peer_uid};
use super::{Held, Reply, WatchError, private_folder};

/// Longest line either side reads (a held call's input is clipped well below this).
const MAX_LINE: u64 = 4 * 1024 * 1024;
/// How long the watcher waits for a connected hook's line.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether a watcher may be listening at `path` (a socket is there): the hook connects only then.
pub fn is_attached(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// Sends `held` to the watcher at `path` and waits at most `wait` for the answer.
pub fn hold(path: &Path, held: &Held, wait: Duration) -> Result<Reply, WatchError> {
    let started = Instant::now();
    let io_error = |source| WatchError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut stream = match UnixStream::connect(path) {
        Ok(stream) => stream,
        Err(e) if gone(&e) => return Err(WatchError::NoWatcher),
        Err(e) => return Err(io_error(e)),
    };
    check_peer(&stream, path)?;
    let mut line = serde_json::to_vec(held).map_err(|e| WatchError::Garbled(e.to_string()))?;
    line.push(b'\n');
    stream
        .set_write_timeout(Some(SEND_TIMEOUT))
        .map_err(io_error)?;
    stream.write_all(&line).map_err(|e| match e.kind() {
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => WatchError::Closed,
        _ => io_error(e),
    })?;
    let left = wait
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1));
    stream.set_read_timeout(Some(left)).map_err(io_error)?;
    match read_line(&stream) {
        Ok(Some(text)) => {
            serde_json::from_str(&text).map_err(|e| WatchError::Garbled(e.to_string()))
        }
        Ok(None) => Err(WatchError::Closed),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(WatchError::NoAnswer(wait.as_secs()))
        }
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Err(WatchError::Closed),
        Err(e) => Err(io_error(e)),
    }
}

/// A watcher listening for held calls; the socket goes when it is dropped.
pub struct Watcher {
    listener: UnixListener,
    path: PathBuf,
}

/// A held call received by the watcher, waiting for its answer.
pub struct Incoming {
    pub held: Held,
    pub(super) stream: UnixStream,
}

impl Watcher {
    /// Listens at `path`: refuses when another watcher answers there, replaces a stale socket,
    /// and leaves the socket readable and writable by its owner only.
    pub fn bind(path: &Path) -> Result<Self, WatchError> {
        let io_error = |source| WatchError::Io {
            path: path.to_path_buf(),
            source,
        };
        if is_attached(path) {
            if UnixStream::connect(path).is_ok() {
                return Err(WatchError::AlreadyWatched(path.to_path_buf()));
            }
            fs::remove_file(path).map_err(io_error)?;
        }
        if let Some(dir) = path.parent() {
            prepare_folder(dir)?;
        }
        let listener = UnixListener::bind(path).map_err(io_error)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io_error)?;
        Ok(Self {
            listener,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the next held call. A connection from another user is refused (`Err`, the
    /// watcher goes on); so is one that sends no readable call in time.
    pub fn accept(&self) -> Result<Incoming, WatchError> {
        let (stream, _) = self.listener.accept().map_err(|source| WatchError::Io {
            path: self.path.clone(),
            source,
        })?;
        check_peer(&stream, &self.path)?;
        let _ = stream.set_read_timeout(Some(SEND_TIMEOUT));
        let text = read_line(&stream)
            .map_err(|e| WatchError::Garbled(e.to_string()))?
            .ok_or(WatchError::Closed)?;
        let held: Held =
            serde_json::from_str(&text).map_err(|e| WatchError::Garbled(e.to_string()))?;
        let _ = stream.set_read_timeout(None);
        Ok(Incoming { held, stream })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

impl Incoming {
    /// Sends the answer; an error means the hook stopped waiting (its time ran out).
    pub fn answer(mut self, reply: &Reply) -> io::Result<()> {
        let mut line = serde_json::to_vec(reply).map_err(io::Error::other)?;
        line.push(b'\n');
        self.stream.set_write_timeout(Some(SEND_TIMEOUT))?;
        self.stream.write_all(&line)
    }

    /// Whether the hook has stopped waiting (it closed its end).
    pub fn hook_gone(&self) -> bool {
        let _ = self.stream.set_nonblocking(true);
        let mut probe = [0u8; 1];
        let gone = match (&self.stream).read(&mut probe) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != io::ErrorKind::WouldBlock,
        };
        let _ = self.stream.set_nonblocking(false);
        gone
    }
}

fn read_line(stream: &UnixStream) -> io::Result<Option<String>> {
    let mut text = String::new();
    let read = BufReader::new(stream.take(MAX_LINE)).read_line(&mut text)?;
    Ok((read > 0 && text.ends_with('\n')).then_some(text))
}

fn check_peer(stream: &UnixStream, path: &Path) -> Result<(), WatchError> {
    let found = peer_uid(stream).map_err(|source| WatchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let own = own_uid();
    if found == own {
        Ok(())
    } else {
        Err(WatchError::Peer {
            path: path.to_path_buf(),
            found,
            own,
        })
    }
}

/// Creates the socket's folder when missing; the shared private folder under the temporary
/// folder must be this user's and closed to others.
fn prepare_folder(dir: &Path) -> Result<(), WatchError> {
    let io_error = |source| WatchError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let private = dir == private_folder();
    if !dir.exists() {
        fs::create_dir_all(dir).map_err(io_error)?;
        if private {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_error)?;
        }
    }
    if private {
        let meta = fs::symlink_metadata(dir).map_err(io_error)?;
        let mode = meta.mode() & 0o7777;
        if !meta.is_dir() || meta.uid() != own_uid() || mode & 0o077 != 0 {
            return Err(WatchError::UnsafeFolder {
                path: dir.to_path_buf(),
                owner: meta.uid(),
                mode,
            });
        }
    }
    Ok(())
}

fn gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
    )
}
