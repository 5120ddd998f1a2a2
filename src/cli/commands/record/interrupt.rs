//! Stopping the recorder on the person's or the system's word: SIGINT, SIGTERM and SIGHUP are
//! blocked in this process before its threads start (they inherit the mask; a child process
//! starts with an empty one), so the recorder is never killed half-way by them. The
//! long-running form waits for one and stops cleanly; with a command, SIGTERM and SIGHUP are
//! passed on to it, the terminal's SIGINT reaches it anyway, and the recorder stops when it ends.

/// The signals that stop the recorder.
#[cfg(unix)]
const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Blocks the stopping signals in the calling thread (and so in the threads it starts).
#[cfg(unix)]
#[allow(unsafe_code)]
pub fn block() -> std::io::Result<()> {
    let set = stopping_set();
    // SAFETY: `set` is an initialised signal set; a null old-set pointer is allowed.
    let status =
        unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &raw const set, std::ptr::null_mut()) };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(status))
    }
}

/// Waits for a stopping signal; returns its number.
#[cfg(unix)]
#[allow(unsafe_code)]
pub fn wait() -> std::io::Result<i32> {
    let set = stopping_set();
    let mut signal: libc::c_int = 0;
    // SAFETY: `set` is initialised and blocked in this thread; `signal` is valid for a write.
    let status = unsafe { libc::sigwait(&raw const set, &raw mut signal) };
    if status == 0 {
        Ok(signal)
    } else {
        Err(std::io::Error::from_raw_os_error(status))
    }
}

/// Passes SIGTERM and SIGHUP sent to the recorder on to the command (`kill <recorder>` stops
/// both); SIGINT is the terminal's, which already reaches the command. Runs on a thread of its
/// own for the life of the process.
#[cfg(unix)]
#[allow(unsafe_code)]
pub fn forward_to(child: u32) {
    let Ok(pid) = libc::pid_t::try_from(child) else {
        return;
    };
    std::thread::spawn(move || {
        while let Ok(signal) = wait() {
            if signal != libc::SIGINT {
                // SAFETY: kill has no memory preconditions; a pid that has exited is an error.
                unsafe { libc::kill(pid, signal) };
            }
        }
    });
}

#[cfg(not(unix))]
pub fn forward_to(_: u32) {}

#[cfg(unix)]
#[allow(unsafe_code)]
fn stopping_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set it is given; sigaddset adds valid signals to it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&raw mut set);
        for s in STOPPING {
            libc::sigaddset(&raw mut set, s);
        }
        set
    }
}

#[cfg(not(unix))]
pub fn block() -> std::io::Result<()> {
    Ok(())
}

/// Without signals to wait for, the long-running form runs until it is killed.
#[cfg(not(unix))]
pub fn wait() -> std::io::Result<i32> {
    loop {
        std::thread::park();
    }
}
