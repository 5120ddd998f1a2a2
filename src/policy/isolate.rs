//! Repository policies are written by anyone with push access, so each one is evaluated in a
//! worker process (`git-vouch policy worker`): its address space is capped (the memory limit,
//! on Unix) and it is killed when it outlives the time limit. A policy that exhausts memory
//! ends only its worker; the report names the policy and the limit, and the others still run.
//! The built-in policies are ours and run in process.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::eval::{self, Limits, Module, Outcome};

/// Startup and parsing allowance on top of the evaluation time limit.
const GRACE: Duration = Duration::from_secs(5);
/// Bytes of the worker's stderr kept for the report.
const STDERR_CAP: u64 = 16 * 1024;

/// What the worker is asked to do.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub module: Module,
    pub limits: Limits,
    pub inputs: Vec<Json>,
}

/// What the worker answers: one outcome per input, or the first error.
#[derive(Debug, Serialize, Deserialize)]
pub enum Response {
    Outcomes(Vec<Outcome>),
    Error(String),
}

/// Runs a worker program for one policy over its inputs.
#[derive(Debug, Clone)]
pub struct Worker {
    /// The git-vouch executable.
    pub program: PathBuf,
}

impl Worker {
    /// Evaluates `module` over `inputs` in a new worker process.
    pub fn evaluate(
        &self,
        module: &Module,
        inputs: Vec<Json>,
        limits: &Limits,
    ) -> Result<Vec<Outcome>, String> {
        let count = inputs.len().max(1) as u32;
        let request = serde_json::to_vec(&Request {
            module: module.clone(),
            limits: *limits,
            inputs,
        })
        .map_err(|e| e.to_string())?;
        let mut child = Command::new(&self.program)
            .args(["policy", "worker"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the policy worker: {e}"))?;
        let mut stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(s) = stdin.as_mut() {
                // A worker that died early closes its stdin: its exit status tells why.
                let _ = s.write_all(&request);
            }
        });
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || read_all(stdout, u64::MAX));
        let stderr = child.stderr.take();
        let errors = std::thread::spawn(move || read_all(stderr, STDERR_CAP));
        let deadline = Instant::now() + limits.time * count + GRACE;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("policy worker: {e}")),
            }
        };
        let _ = writer.join();
        let out = reader.join().unwrap_or_default();
        let err = errors.join().unwrap_or_default();
        let label = module_file(module);
        let Some(status) = status else {
            return Err(format!(
                "{label}: evaluation stopped at the time limit of {} ms",
                limits.time.as_millis()
            ));
        };
        match serde_json::from_slice::<Response>(&out) {
            Ok(Response::Outcomes(o)) if status.success() => Ok(o),
            Ok(Response::Error(e)) => Err(e),
            _ => Err(died(&label, &err, limits)),
        }
    }
}

fn read_all<R: Read>(from: Option<R>, cap: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(r) = from {
        let _ = r.take(cap).read_to_end(&mut buf);
    }
    buf
}

fn module_file(module: &Module) -> String {
    module
        .label
        .split_once('#')
        .map_or(module.label.as_str(), |(f, _)| f)
        .to_owned()
}

/// Why a worker ended without an answer.
fn died(label: &str, stderr: &[u8], limits: &Limits) -> String {
    let text = String::from_utf8_lossy(stderr);
    if text.contains("memory allocation") || text.contains("capacity overflow") {
        return format!(
            "{label}: evaluation stopped at the memory limit of {} MiB",
            limits.memory_bytes / (1024 * 1024)
        );
    }
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    format!("{label}: the policy worker failed: {}", last.trim())
}

/// The worker's side: reads a request, caps its own address space, evaluates, answers.
pub fn serve(input: &mut dyn Read, output: &mut dyn Write) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let response = match serde_json::from_slice::<Request>(&bytes) {
        Ok(request) => answer(&request),
        Err(e) => Response::Error(format!("bad worker request: {e}")),
    };
    serde_json::to_writer(&mut *output, &response)?;
    output.flush()
}

fn answer(request: &Request) -> Response {
    let compiled = match eval::compile(&request.module, &[], &request.limits) {
        Ok(c) => c,
        Err(e) => return Response::Error(e),
    };
    let inputs: Result<Vec<regorus::Value>, String> = request
        .inputs
        .iter()
        .map(|i| regorus::Value::from_json_str(&i.to_string()).map_err(|e| e.to_string()))
        .collect();
    let inputs = match inputs {
        Ok(i) => i,
        Err(e) => return Response::Error(e),
    };
    // Everything the worker needs is loaded: from here on only the evaluation allocates.
    cap_memory(request.limits.memory_bytes);
    let mut outcomes = Vec::new();
    for input in &inputs {
        match eval::evaluate(&compiled, input, &request.limits) {
            Ok(o) => outcomes.push(o),
            Err(e) => return Response::Error(e),
        }
    }
    Response::Outcomes(outcomes)
}

/// Limits this process's address space to what it uses now plus `budget` bytes.
#[cfg(unix)]
fn cap_memory(budget: u64) {
    let now = current_address_space().unwrap_or(256 * 1024 * 1024);
    let limit = now.saturating_add(budget);
    let _ = rlimit::setrlimit(rlimit::Resource::AS, limit, limit);
}

#[cfg(not(unix))]
fn cap_memory(_budget: u64) {}

/// Virtual memory in use (Linux `/proc/self/statm`, in pages of 4 KiB).
#[cfg(unix)]
fn current_address_space() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    Some(pages * 4096)
}
