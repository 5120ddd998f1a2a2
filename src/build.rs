//! Build script: on Linux the `git-vouch` executable is linked position-dependent (`-no-pie`).
//!
//! Every Claude Code tool call starts the executable once per hook, so its start-up is on the
//! agent's path. A position-independent executable of this size carries about 53,000 relative
//! relocations, which the dynamic loader applies before `main`, writing to some 360 pages of
//! `.data.rel.ro`: about a third of a hook's page faults and 1.2 ms of its start on the machines
//! the guard benchmark ran on (`cargo bench --bench guard`). Linked at a fixed address there is
//! nothing to relocate. The executable's own code loses address randomisation (its libraries,
//! heap and stack keep it); set `GIT_VOUCH_PIE=1` when building to keep a PIE.
//!
//! Only the package's executables are affected (`rustc-link-arg-bins`): not the library, the
//! test binaries or any dependency, so no other build is invalidated.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-env-changed=GIT_VOUCH_PIE");
    let linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let keep_pie = env::var_os("GIT_VOUCH_PIE").is_some_and(|v| v != "0" && !v.is_empty());
    if linux && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
