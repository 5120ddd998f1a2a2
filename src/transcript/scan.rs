//! The summary scan: one pass over a transcript file that keeps only what the session list and the
//! usage reports need. It is built for speed on gigabytes of history: lines without a `usage`
//! object are decoded only while they can still change the summary, large fields are skipped
//! unparsed, and streamed copies of one API response collapse as they are read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use memchr::memmem;
use serde::Deserialize;

mod text;

pub use text::{clip, is_typed_prompt, parse_ts_ms};
use text::{intern, set_last, set_once};

use super::file_scan::{
    CallStatus, CompactionMark, EditHashes, Entry, FileScan, MEASURED_OUTPUT, NO_PATH, ToolUse,
};
use super::hash::{hash64, hash128};
use super::lines::{Line, LinePos, LineReader};
use super::repeats::key_of;
use super::streamed_copies::{Copies, Response};
use super::wire::{Block, ResultText, ScanRecord};
use super::{Diagnostic, TranscriptError};
use crate::money::Usd;
use crate::usage::Usage;

/// Non-usage lines longer than this are skipped once the summary has its first prompt.
const SKIP_LONG_LINE: usize = 16 * 1024;
/// Warnings kept per file; the rest are counted.
const MAX_WARNINGS: usize = 20;
/// Prompts are kept up to this many characters.
const PROMPT_CHARS: usize = 240;
/// File paths kept per file (for search); a session working on more is rare.
const MAX_PATHS: usize = 512;

/// Scans `path` from the start.
pub fn scan_file(path: &Path) -> Result<FileScan, TranscriptError> {
    let mut scan = FileScan::default();
    resume_file(path, &mut scan)?;
    Ok(scan)
}

/// Continues a scan of `path` from `scan.resume_offset`, folding the appended lines into `scan`.
pub fn resume_file(path: &Path, scan: &mut FileScan) -> Result<(), TranscriptError> {
    let io = |source| TranscriptError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    if scan.resume_offset > 0 {
        file.seek(SeekFrom::Start(scan.resume_offset)).map_err(io)?;
    }
    let reader = BufReader::with_capacity(256 * 1024, file);
    let mut lines = LineReader::new(
        reader,
        super::lines::DEFAULT_LINE_CAP,
        scan.resume_offset,
        scan.lines,
    );
    let mut scanner = Scanner::resume(scan, path);
    let read = scanner.run(&mut lines).map_err(io);
    scan.shrink_to_fit();
    read
}

/// Scans in-memory bytes (tests and embedded demo data).
pub fn scan_bytes(bytes: &[u8], origin: &Path) -> FileScan {
    let mut scan = FileScan::default();
    let mut lines = LineReader::new(bytes, super::lines::DEFAULT_LINE_CAP, 0, 0);
    // Reading from memory cannot fail.
    let _ = Scanner::resume(&mut scan, origin).run(&mut lines);
    scan
}

struct Scanner<'s> {
    scan: &'s mut FileScan,
    path: &'s Path,
    copies: Copies,
    /// Hashes of the tool calls' ids: their index in `scan.tools`.
    tool_ids: HashMap<u64, u32>,
    /// Hashes of the paths in `scan.paths`: their index.
    path_ids: HashMap<u64, u32>,
    usage_finder: memmem::Finder<'static>,
    result_finder: memmem::Finder<'static>,
    /// `"tool_use_id":"`, the text before a tool result's id.
    result_id: memmem::Finder<'static>,
    error_finder: memmem::Finder<'static>,
    sidechain_finder: memmem::Finder<'static>,
}

/// Claude Code writes a line's envelope (`isSidechain` among it) before its message: the flag
/// is looked for in this many bytes of a tool result line.
const ENVELOPE_BYTES: usize = 1024;

impl<'s> Scanner<'s> {
    fn resume(scan: &'s mut FileScan, path: &'s Path) -> Self {
        let copies = Copies::resume(scan.entries.iter().map(|e| e.key));
        let tool_ids = (0..).zip(&scan.tools).map(|(i, t)| (t.id, i)).collect();
        let path_ids = (0..)
            .zip(&scan.paths)
            .map(|(i, p)| (hash64(p.as_bytes()), i))
            .collect();
        Self {
            scan,
            path,
            copies,
            tool_ids,
            path_ids,
            usage_finder: memmem::Finder::new(b"\"usage\""),
            result_finder: memmem::Finder::new(b"\"tool_use_id\""),
            result_id: memmem::Finder::new(b"\"tool_use_id\":\""),
            error_finder: memmem::Finder::new(b"\"is_error\":true"),
            sidechain_finder: memmem::Finder::new(b"\"isSidechain\":true"),
        }
    }

    fn run<R: std::io::BufRead>(&mut self, lines: &mut LineReader<R>) -> std::io::Result<()> {
        while let Some((pos, line)) = lines.next_line()? {
            match line {
                Line::Whole(bytes) => {
                    let after = pos.offset + bytes.len() as u64;
                    let handled = self.whole_line(pos, bytes);
                    if handled || pos.terminated {
                        // A torn last line that failed to decode is read again next time.
                        self.scan.resume_offset = lines.position().max(after);
                    }
                }
                Line::Long { prefix } => {
                    let prefix = prefix.to_vec();
                    let decoded = {
                        let rest = lines.rest_of_line();
                        // serde_json reads a byte at a time: give it a buffer.
                        let reader =
                            std::io::BufReader::with_capacity(64 * 1024, prefix.chain(rest));
                        let mut de = serde_json::Deserializer::from_reader(reader);
                        ScanRecord::deserialize(&mut de).map(|r| (r, de.end()))
                    };
                    let terminated = lines.skip_rest()?;
                    match decoded {
                        Ok((mut record, _)) => self.record(&mut record, pos),
                        Err(e) => {
                            self.warn(pos.number, format!("invalid JSON in a long line: {e}"));
                        }
                    }
                    if terminated {
                        self.scan.resume_offset = lines.position();
                    }
                }
            }
            self.scan.lines = pos.number;
        }
        Ok(())
    }

    /// Handles one buffered line; false when it was a torn last line that could not be decoded.
    fn whole_line(&mut self, pos: LinePos, bytes: &[u8]) -> bool {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        // Only lines with usage carry tokens. Of the others, tool results (a quote inside a
        // JSON string is always escaped, so a bare `"tool_use_id"` is structure) hold nothing the
        // summary needs, and long ones only matter until the first prompt is known.
        if self.usage_finder.find(bytes).is_none() {
            if self.result_finder.find(bytes).is_some() {
                return self.results(pos, bytes);
            }
            if bytes.len() > SKIP_LONG_LINE
                && self.scan.first_prompt.is_some()
                && !self.scan.ending.awaiting_summary
            {
                return true;
            }
        }
        match serde_json::from_slice::<ScanRecord<'_>>(bytes) {
            Ok(mut record) => {
                self.record(&mut record, pos);
                true
            }
            Err(e) => self.unreadable(pos, bytes.len(), &e),
        }
    }

    /// Reports a line that did not decode; false when it is a torn last line, to be read again
    /// once it is whole.
    fn unreadable(&mut self, pos: LinePos, len: usize, e: &serde_json::Error) -> bool {
        if !pos.terminated && e.is_eof() {
            let message = format!("truncated last line ({len} bytes, no newline)");
            self.warn(pos.number, message);
            return false;
        }
        self.warn(pos.number, format!("invalid JSON: {e}"));
        true
    }

    fn warn(&mut self, line: u64, message: String) {
        if self.scan.warnings.len() < MAX_WARNINGS {
            self.scan
                .warnings
                .push(Diagnostic::at(self.path, line, message));
        } else {
            self.scan.warnings_dropped += 1;
        }
    }

    fn record(&mut self, r: &mut ScanRecord<'_>, pos: LinePos) {
        let scan = &mut *self.scan;
        set_once(&mut scan.session_id, r.session_id.get());
        set_once(&mut scan.agent_id, r.agent_id.get());
        set_last(&mut scan.cwd, r.cwd.get());
        set_last(
            &mut scan.git_branch,
            r.git_branch.get().filter(|b| !b.is_empty()),
        );
        set_last(&mut scan.version, r.version.get());
        set_last(&mut scan.slug, r.slug.get());
        if let Some(mode) = r
            .permission_mode
            .get()
            .filter(|m| !m.is_empty() && !scan.permission_modes.iter().any(|x| x == m))
        {
            scan.permission_modes.push(mode.to_owned());
        }
        if let Some(ts) = r.timestamp.get().and_then(parse_ts_ms) {
            scan.first_line_ts_ms.get_or_insert(ts);
            scan.first_ts_ms = Some(scan.first_ts_ms.map_or(ts, |f| f.min(ts)));
            scan.last_ts_ms = Some(scan.last_ts_ms.map_or(ts, |l| l.max(ts)));
        }
        match r.kind.get() {
            Some("assistant") => self.assistant(r, pos),
            Some("user") => self.user(r),
            Some("summary") => {
                if let (Some(leaf), Some(text)) = (r.leaf_uuid.get(), r.summary.get()) {
                    scan.summaries.push((leaf.to_owned(), text.to_owned()));
                }
            }
            Some("custom-title") => set_last(&mut scan.custom_title, r.custom_title.get()),
            Some("ai-title") => set_last(&mut scan.ai_title, r.ai_title.get()),
            Some("system") => match r.subtype.get() {
                Some("compact_boundary") => {
                    scan.compactions += 1;
                    let meta = r.compact_metadata.as_ref();
                    scan.compaction_marks.push(CompactionMark {
                        ts_ms: r.timestamp.get().and_then(parse_ts_ms).unwrap_or(0),
                        trigger: meta
                            .and_then(|m| m.trigger.clone())
                            .unwrap_or_else(|| "auto".to_owned()),
                        pre_tokens: meta.and_then(|m| m.pre_tokens).unwrap_or(0),
                        summary_chars: 0,
                        mid_work: scan.ending.in_turn,
                    });
                    scan.ending.awaiting_summary = true;
                }
                Some("api_error") => scan.api_errors += 1,
                _ => {}
            },
            _ => {}
        }
    }

    fn user(&mut self, r: &ScanRecord<'_>) {
        let scan = &mut *self.scan;
        set_last(&mut scan.last_uuid, r.uuid.get());
        let uuid = r.uuid.get().map(|u| hash64(u.as_bytes()));
        scan.uuids.extend(uuid);
        if r.is_sidechain == Some(true) {
            scan.has_sidechain_lines = true;
            return;
        }
        let text = r
            .message
            .as_ref()
            .and_then(|m| m.content.as_ref()?.prompt_text());
        if r.is_compact_summary == Some(true) {
            if std::mem::take(&mut scan.ending.awaiting_summary)
                && let Some(mark) = scan.compaction_marks.last_mut()
            {
                mark.summary_chars = text.map_or(0, |t| t.chars().count() as u64);
            }
            return;
        }
        if r.is_meta == Some(true) {
            return;
        }
        let Some(text) = text.filter(|t| is_typed_prompt(t)) else {
            return;
        };
        scan.user_prompts += 1;
        let clipped = clip(text, PROMPT_CHARS);
        if scan.first_prompt.is_none() {
            scan.first_prompt = Some(clipped.clone());
        }
        scan.ending.open_prompt = Some(clipped.clone());
        scan.ending.in_turn = false;
        scan.prompts.push((uuid.unwrap_or(0), clipped));
    }

    /// A line of tool results: marks the calls they answer. The line is decoded only when a
    /// result failed (to keep its error) or it is large (to measure the output); otherwise the
    /// ids are found in its bytes.
    fn results(&mut self, pos: LinePos, bytes: &[u8]) -> bool {
        let envelope = &bytes[..bytes.len().min(ENVELOPE_BYTES)];
        if self.sidechain_finder.find(envelope).is_none() {
            self.scan.ending.in_turn = true;
        }
        if bytes.len() < MEASURED_OUTPUT && self.error_finder.find(bytes).is_none() {
            let skip = self.result_id.needle().len();
            let mut at = 0;
            while let Some(found) = self.result_id.find(&bytes[at..]) {
                let rest = &bytes[at + found + skip..];
                let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                self.finish_call(hash64(&rest[..end]), false, None);
                at += found + skip + end;
            }
            return true;
        }
        match serde_json::from_slice::<ScanRecord<'_>>(bytes) {
            Ok(record) => {
                let message = record.message.as_ref();
                let blocks = message.and_then(|m| m.content.as_ref());
                for block in blocks.map_or(&[][..], |c| c.blocks()) {
                    if let Some(id) = block.tool_use_id.get() {
                        let failed = block.is_error == Some(true);
                        self.finish_call(hash64(id.as_bytes()), failed, Some(&block.result));
                    }
                }
                true
            }
            Err(e) => self.unreadable(pos, bytes.len(), &e),
        }
    }

    /// Records how the call `id` (hash) ended, when it was made in this file.
    fn finish_call(&mut self, id: u64, failed: bool, result: Option<&ResultText>) {
        let Some(&i) = self.tool_ids.get(&id) else {
            return;
        };
        let call = &mut self.scan.tools[i as usize];
        call.status = if failed {
            CallStatus::Failed
        } else {
            CallStatus::Ok
        };
        let Some(result) = result else { return };
        if result.len >= MEASURED_OUTPUT as u64 {
            call.output_bytes = u32::try_from(result.len).unwrap_or(u32::MAX);
        }
        if failed {
            self.scan.failures.push((i, result.head.clone()));
        }
    }

    fn assistant(&mut self, r: &mut ScanRecord<'_>, pos: LinePos) {
        set_last(&mut self.scan.last_uuid, r.uuid.get());
        self.scan
            .uuids
            .extend(r.uuid.get().map(|u| hash64(u.as_bytes())));
        let sidechain = r.is_sidechain == Some(true);
        self.scan.has_sidechain_lines |= sidechain;
        let ts_ms = r.timestamp.get().and_then(parse_ts_ms).unwrap_or(0);
        let Some(message) = &mut r.message else {
            return;
        };
        for block in message
            .content
            .as_mut()
            .map_or(&mut [][..], |c| c.blocks_mut())
        {
            match block.kind.get() {
                Some("tool_use") => {
                    self.tool_use(block, ts_ms, sidechain);
                    if !sidechain {
                        self.scan.ending.open_prompt = None;
                        self.scan.ending.in_turn = true;
                    }
                }
                Some("text") if !sidechain => {
                    if let Some(text) = block.text.get().filter(|t| !t.trim().is_empty()) {
                        let ending = &mut self.scan.ending;
                        // One buffer for every answer: most are replaced by the next.
                        let answer = ending.last_answer.get_or_insert_with(String::new);
                        answer.clear();
                        answer.push_str(text);
                        ending.open_prompt = None;
                        ending.in_turn = false;
                    }
                }
                _ => {}
            }
        }
        let model = message.model.get().unwrap_or("unknown");
        if r.is_api_error_message == Some(true) || crate::pricing::is_unbilled_model(model) {
            return;
        }
        let Some(raw) = &message.usage else { return };
        let msg_id = message.id.get();
        let key = msg_id.map_or(0, |id| hash128(id, r.request_id.get().unwrap_or("")));
        let entry = Entry {
            key,
            msg: msg_id.map_or(0, |id| hash64(id.as_bytes())),
            usage: raw.to_usage(),
            ts_ms,
            model: intern(&mut self.scan.models, model),
            sidechain,
            legacy_cost: r
                .cost_usd
                .as_ref()
                .and_then(|n| Usd::parse(&n.to_string()))
                .and_then(|c| u64::try_from(c.picos()).ok()),
        };
        self.push_entry(entry, pos);
    }

    /// A tool call, the first time its id is seen in the file.
    fn tool_use(&mut self, block: &mut Block<'_>, ts_ms: i64, sidechain: bool) {
        let (Some(id_text), Some(name)) = (block.id.get(), block.name.get()) else {
            return;
        };
        let id = hash64(id_text.as_bytes());
        let index = u32::try_from(self.scan.tools.len()).unwrap_or(u32::MAX);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.tool_ids.entry(id) {
            slot.insert(index);
        } else {
            return;
        }
        let facts = block.input.take();
        let path = facts
            .as_ref()
            .and_then(|f| f.file_path.as_deref())
            .map_or(NO_PATH, |p| self.path_index(p));
        let scan = &mut *self.scan;
        let name_index = intern(&mut scan.tool_names, name);
        scan.tools.push(ToolUse {
            id,
            name: name_index,
            key: facts.as_ref().map_or(0, |f| key_of(name, f.hash)),
            ts_ms,
            path,
            output_bytes: 0,
            status: CallStatus::Pending,
            sidechain,
        });
        if id_text.contains('\n') {
            scan.call_ids.push_str(&id_text.replace('\n', " "));
        } else {
            scan.call_ids.push_str(id_text);
        }
        scan.call_ids.push('\n');
        let Some(facts) = facts else { return };
        if let Some(command) = facts.command {
            scan.push_command(index, &command);
        }
        if let Some(path) = facts.search_path {
            scan.search_paths.push((index, path));
        }
        if let Some(new) = facts.new {
            let old = facts.old.unwrap_or(0);
            scan.edits.push(EditHashes {
                call: index,
                old,
                new,
            });
        }
    }

    /// The index of `path` in `scan.paths`, added when new and there is room.
    fn path_index(&mut self, path: &str) -> u32 {
        let hash = hash64(path.as_bytes());
        if let Some(&i) = self.path_ids.get(&hash) {
            return i;
        }
        if self.scan.paths.len() >= MAX_PATHS {
            return NO_PATH;
        }
        let i = u32::try_from(self.scan.paths.len()).unwrap_or(NO_PATH);
        self.path_ids.insert(hash, i);
        self.scan.paths.push(path.to_owned());
        i
    }

    /// Adds an entry, keeping only the largest of the streamed copies of one response.
    fn push_entry(&mut self, entry: Entry, _pos: LinePos) {
        self.copies.add(&mut self.scan.entries, entry.key, entry);
    }
}

impl Response for Entry {
    fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The earliest known time (0: unknown).
    fn keep_earliest_time(&mut self, other: &Self) {
        self.ts_ms = match (other.ts_ms, self.ts_ms) {
            (0, t) | (t, 0) => t,
            (a, b) => a.min(b),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index build keeps every file's scan until it is written: no growth slack is kept.
    #[test]
    fn a_finished_scan_keeps_no_spare_capacity() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "fixtures/claude/v2.1.197-parallel_thinking_retry_failure/projects/\
             -home-dev-parallel-thinking-retry-failure-repo/\
             2a0bd923-48b1-4e2c-91b7-065a3f258ce7.jsonl",
        );
        let scan = scan_file(&fixture).unwrap();
        assert!(scan.entries.len() > 2, "the fixture has API responses");
        assert_eq!(scan.entries.capacity(), scan.entries.len());
        assert_eq!(scan.uuids.capacity(), scan.uuids.len());
        assert_eq!(scan.tools.capacity(), scan.tools.len());
    }

    /// The permission modes a transcript records, from typed prompts and `permission-mode`
    /// lines, each once in the order first seen; an empty mode is no mode.
    #[test]
    fn permission_modes_are_read_in_order_once() {
        let text = concat!(
            r#"{"type":"user","sessionId":"s","permissionMode":"default","message":{"role":"user","content":"hi"}}"#,
            "\n",
            r#"{"type":"permission-mode","sessionId":"s","permissionMode":"plan"}"#,
            "\n",
            r#"{"type":"user","sessionId":"s","permissionMode":"","message":{"role":"user","content":"go"}}"#,
            "\n",
            r#"{"type":"user","sessionId":"s","permissionMode":"bypassPermissions","message":{"role":"user","content":"all"}}"#,
            "\n",
            r#"{"type":"user","sessionId":"s","permissionMode":"default","message":{"role":"user","content":"again"}}"#,
            "\n",
        );
        let scan = scan_bytes(text.as_bytes(), Path::new("s.jsonl"));
        assert_eq!(
            scan.permission_modes,
            ["default", "plan", "bypassPermissions"]
        );
    }
}
