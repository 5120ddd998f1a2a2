//! The terminal both screens run on (the explorer on stdout, the review screen on `/dev/tty`):
//! raw mode, the alternate screen and mouse capture set up, a panic hook that puts the terminal
//! back before the panic is reported, the input thread with its tick, and the restore however
//! the screen ends.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEvent, MouseEvent,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// How often the input thread wakes without input, to animate the progress indicators.
const TICK: Duration = Duration::from_millis(120);

/// What the input thread reports; each screen turns it into its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A key press (releases and repeats are dropped).
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// The terminal's new width and height.
    Resize(u16, u16),
    /// A tick went by without input.
    Tick,
}

impl Input {
    fn from_event(event: &Event) -> Option<Self> {
        match *event {
            Event::Key(k) if k.is_press() => Some(Self::Key(k)),
            Event::Mouse(m) => Some(Self::Mouse(m)),
            Event::Resize(w, h) => Some(Self::Resize(w, h)),
            _ => None,
        }
    }
}

/// Where the terminal is put back on a panic: the output of the screen that is open.
type RestoreTo = Box<dyn Write + Send>;

/// The open screen's output, for the panic hook.
static OPEN: Mutex<Option<RestoreTo>> = Mutex::new(None);

/// A screen on a terminal: set up when opened, restored when dropped (after the input thread
/// has stopped reading, so the shell gets every key back).
pub struct Screen<W: Write> {
    pub terminal: Terminal<CrosstermBackend<W>>,
    stop: Arc<AtomicBool>,
    input: Option<JoinHandle<()>>,
}

impl<W: Write> Screen<W> {
    /// Sets up the terminal drawn through `out` (`restore_to` is a second handle on it, for the
    /// panic hook and the restore) and starts sending its input to `tx`.
    pub fn open<M>(out: W, restore_to: RestoreTo, tx: Sender<M>) -> std::io::Result<Self>
    where
        M: From<Input> + Send + 'static,
    {
        install_panic_hook();
        *OPEN.lock().unwrap_or_else(PoisonError::into_inner) = Some(restore_to);
        let terminal = match set_up(out) {
            Ok(terminal) => terminal,
            Err(e) => {
                restore_open();
                return Err(e);
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let input = Some(spawn_input(tx, stop.clone()));
        Ok(Self {
            terminal,
            stop,
            input,
        })
    }
}

fn set_up<W: Write>(mut out: W) -> std::io::Result<Terminal<CrosstermBackend<W>>> {
    enable_raw_mode()?;
    execute!(out, EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(out))
}

impl<W: Write> Drop for Screen<W> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The input thread wakes within one tick; it must stop reading before the shell gets
        // the tty.
        if let Some(input) = self.input.take() {
            let _ = input.join();
        }
        restore_open();
    }
}

/// Puts back the terminal of the open screen, if any.
fn restore_open() {
    let open = OPEN.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(mut out) = open {
        restore(&mut out);
    }
}

/// Leaves the alternate screen, mouse capture and raw mode, and shows the cursor.
fn restore(out: &mut impl Write) {
    let _ = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// A panic message printed in the alternate screen would vanish: the hook restores the open
/// screen first, then reports as before. Installed once, whatever the number of screens.
fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(chain_panic_hook);
}

/// Puts a hook that restores the open screen in front of the panic hook there is now.
fn chain_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| restore_then(&*previous, info)));
}

/// Restores the open screen, then hands the panic to the hook that was there before.
fn restore_then<I: ?Sized>(previous: &dyn Fn(&I), info: &I) {
    // `try_lock`: a panic while the lock is held must still be reported.
    let open = OPEN.try_lock().ok().and_then(|mut o| o.take());
    if let Some(mut out) = open {
        restore(&mut out);
    }
    previous(info);
}

/// Reads terminal events on their own thread, with a tick when none came.
fn spawn_input<M>(tx: Sender<M>, stop: Arc<AtomicBool>) -> JoinHandle<()>
where
    M: From<Input> + Send + 'static,
{
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let input = match event::poll(TICK) {
                Ok(true) => match event::read() {
                    Ok(e) => Input::from_event(&e),
                    Err(_) => return,
                },
                Ok(false) => Some(Input::Tick),
                Err(_) => return,
            };
            if let Some(input) = input
                && tx.send(M::from(input)).is_err()
            {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::{OPEN, restore_then};

    /// Output that records what was written to it.
    struct Recorder(Arc<Mutex<Vec<u8>>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_panic_restores_the_terminal_before_the_previous_hook_reports() {
        let written = Arc::new(Mutex::new(Vec::new()));
        *OPEN.lock().unwrap() = Some(Box::new(Recorder(written.clone())));
        let seen = Mutex::new(None);
        let previous = |message: &str| {
            *seen.lock().unwrap() = Some((message.to_owned(), written.lock().unwrap().clone()));
        };
        restore_then(&previous, "drawing failed");
        let (message, before) = seen
            .lock()
            .unwrap()
            .take()
            .expect("the previous hook reports");
        assert_eq!(message, "drawing failed");
        let leave = b"\x1b[?1049l";
        assert!(
            before.windows(leave.len()).any(|w| w == leave),
            "the alternate screen is left before the report: {before:?}"
        );
        assert!(OPEN.lock().unwrap().is_none(), "restored once");
    }
}
