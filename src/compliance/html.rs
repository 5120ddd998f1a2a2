//! The report as one HTML file: no network, no script needed to read it, styles inline, laid
//! out for print (A4, table headers repeated on each page, rows never split). The report's data
//! is embedded as JSON (`<script type="application/json" id="report-data">`) and its sha256 is
//! printed at the end, so a reader can check the figures against the data.

use std::fmt::Write as _;

use super::{Control, ControlResult, Report};

const STYLE: &str = include_str!("../../assets/report.css");

/// The whole document; `json` is [`super::json_bytes`] of the same report.
pub fn render(report: &Report, json: &[u8]) -> String {
    let mut h = String::with_capacity(64 * 1024 + json.len() * 2);
    let digest = super::data_sha256(json);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.title)
    );
    header(&mut h, report, &digest);
    summary(&mut h, report);
    scope(&mut h, report);
    controls(&mut h, report);
    exceptions(&mut h, report);
    commits(&mut h, report);
    usage(&mut h, report);
    guard(&mut h, report);
    findings(&mut h, report);
    redactions(&mut h, report);
    verification(&mut h, report, &digest);
    notes(&mut h, report);
    h.push_str("<script type=\"application/json\" id=\"report-data\">\n");
    h.push_str(&String::from_utf8_lossy(json));
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn header(h: &mut String, r: &Report, digest: &str) {
    let _ = write!(
        h,
        "<header>\n<p class=\"kicker\">Compliance report · {}</p>\n<h1>{}</h1>\n<p class=\"meta\">Generated {} by {} {} · data sha256 <code>{}</code></p>\n</header>\n",
        esc(super::SCHEMA),
        esc(&r.title),
        r.generated_at.format("%Y-%m-%d %H:%M UTC"),
        r.generator.name,
        r.generator.version,
        &digest[..16]
    );
}

fn summary(h: &mut String, r: &Report) {
    let s = &r.summary;
    let cost = if s.cost_incomplete {
        format!("≥ ${}", s.cost_usd)
    } else {
        format!("${}", s.cost_usd)
    };
    let cards = [
        (
            "Commits",
            s.commits.to_string(),
            format!("{} with agent sessions", s.agent_commits),
        ),
        (
            "Reviewed",
            s.reviewed.to_string(),
            format!("{} unreviewed · {} unsigned", s.unreviewed, s.unsigned),
        ),
        (
            "Untrusted or invalid",
            (s.untrusted + s.invalid).to_string(),
            "attestations".to_owned(),
        ),
        (
            "Sessions",
            s.sessions.to_string(),
            format!(
                "{} attested · {} local",
                s.sessions_attested, s.sessions_local
            ),
        ),
        (
            "Cost",
            cost,
            format!(
                "{} tokens",
                crate::money::grouped(u128::from(s.total_tokens))
            ),
        ),
        (
            "Guard",
            s.guard_checked.to_string(),
            format!(
                "{} denied · {} asked · {} bypassed",
                s.guard_denied, s.guard_asked, s.guard_bypassed
            ),
        ),
        (
            "Findings",
            s.findings.to_string(),
            "from the insights".to_owned(),
        ),
        (
            "Exceptions",
            s.exceptions.to_string(),
            "to the controls".to_owned(),
        ),
    ];
    h.push_str("<section class=\"cards\">\n");
    for (label, value, note) in cards {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"note\">{}</div></div>",
            esc(label),
            esc(&value),
            esc(&note)
        );
    }
    h.push_str("</section>\n");
}

fn scope(h: &mut String, r: &Report) {
    let s = &r.scope;
    h.push_str("<h2 id=\"scope\">1. Scope</h2>\n<table class=\"kv\">\n");
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let date = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map_or_else(
            || "—".into(),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    };
    let rows = [
        ("Repository", s.repository.clone()),
        ("Remote", opt(&s.remote_url)),
        ("Range", s.range.clone()),
        ("Base", opt(&s.base)),
        ("Tip", s.tip.clone()),
        ("Branch", opt(&s.branch)),
        ("Commits from", date(s.first_commit_at)),
        ("Commits to", date(s.last_commit_at)),
        (
            "Allowed signers",
            match &s.allowed_signers {
                Some(f) => format!("{f} ({} trusted keys)", s.trusted_keys),
                None => "none configured: every signature counts as untrusted".into(),
            },
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    }
    h.push_str("</table>\n");
}

fn badge(result: ControlResult) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        result.label().replace(' ', "-"),
        result.label()
    )
}

fn controls(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"controls\">2. Controls and their evidence</h2>\n");
    h.push_str("<table>\n<thead><tr><th>Control</th><th>Population</th><th>Exceptions</th><th>Result</th></tr></thead>\n<tbody>\n");
    for c in &r.controls {
        let _ = writeln!(
            h,
            "<tr><td><b>{}</b> {}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            c.id,
            esc(c.title),
            esc(&c.population),
            c.exceptions,
            badge(c.result)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    for c in &r.controls {
        control(h, c);
    }
}

fn control(h: &mut String, c: &Control) {
    let _ = write!(
        h,
        "<div class=\"control\">\n<h3>{} {} {}</h3>\n<p>{}</p>\n<ul>\n",
        c.id,
        esc(c.title),
        badge(c.result),
        esc(c.objective)
    );
    for e in &c.evidence {
        let _ = writeln!(h, "<li>{}</li>", esc(e));
    }
    h.push_str("</ul>\n<table class=\"mappings\">\n<thead><tr><th>Framework</th><th>Requirement</th><th>Supported by</th></tr></thead>\n<tbody>\n");
    for m in &c.mappings {
        let _ = writeln!(
            h,
            "<tr><td>{} <b>{}</b></td><td>{}</td><td>{}</td></tr>",
            esc(m.framework),
            esc(m.reference),
            esc(m.requirement),
            esc(m.supported_by)
        );
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
}

fn exceptions(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"exceptions\">3. Exceptions</h2>\n");
    if r.exceptions.is_empty() {
        h.push_str("<p>None: every control operated over its whole population.</p>\n");
        return;
    }
    table_head(h, &["Control", "Kind", "Subject", "Detail"]);
    for e in &r.exceptions {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.control,
            esc(e.kind),
            esc(&e.subject),
            esc(&e.detail)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn table_head(h: &mut String, columns: &[&str]) {
    h.push_str("<table>\n<thead><tr>");
    for c in columns {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

fn commits(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"commits\">4. Commits and attestations</h2>\n");
    table_head(
        h,
        &[
            "Commit",
            "Subject",
            "Author",
            "Date",
            "State",
            "Source",
            "AI lines",
            "Signed statements (sha256)",
        ],
    );
    for c in &r.commits {
        let statements: Vec<String> = c
            .statements
            .iter()
            .map(|s| {
                format!(
                    "<code title=\"{}\">{}</code> {}{}",
                    esc(&s.sha256),
                    &s.sha256[..12.min(s.sha256.len())],
                    esc(&s.signer),
                    if s.reviewed_by_person {
                        " (review)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td><span class=\"state {}\">{}</span><br><small>{}</small></td><td>{}</td><td class=\"num\">{} / {}</td><td>{}</td></tr>",
            &c.sha[..10.min(c.sha.len())],
            esc(&c.subject),
            esc(&c.author),
            c.committed_at.format("%Y-%m-%d"),
            c.state,
            c.state,
            esc(&c.standing),
            c.source,
            c.ai_lines_added,
            c.lines_added,
            if statements.is_empty() {
                "—".into()
            } else {
                statements.join("<br>")
            }
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn usage(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"usage\">5. AI usage</h2>\n");
    table_head(
        h,
        &[
            "Model",
            "Sessions",
            "Input",
            "Output",
            "Cache read",
            "Cache write",
            "Cost",
        ],
    );
    for m in &r.usage.by_model {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&m.model),
            m.sessions,
            grouped(m.input_tokens),
            grouped(m.output_tokens),
            grouped(m.cache_read_tokens),
            grouped(m.cache_write_tokens),
            m.cost_usd
                .as_ref()
                .map_or_else(|| "unknown".into(), |c| format!("${c}"))
        );
    }
    h.push_str("</tbody>\n</table>\n");
    table_head(
        h,
        &[
            "Session",
            "Agent",
            "Models",
            "Started",
            "Tokens",
            "Cost",
            "Source",
            "Permission modes",
            "Commits",
        ],
    );
    for s in &r.usage.sessions {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{} {}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            &s.id[..8.min(s.id.len())],
            esc(&s.agent),
            esc(&s.agent_version),
            esc(&s.models.join(", ")),
            s.started_at
                .map_or_else(String::new, |d| d.format("%Y-%m-%d %H:%M").to_string()),
            grouped(s.total_tokens),
            s.cost_usd
                .as_ref()
                .map_or_else(|| "unknown".into(), |c| format!("${c}")),
            s.source,
            esc(&s.permission_text()),
            esc(&s.commits.join(", "))
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn grouped(n: u64) -> String {
    crate::money::grouped(u128::from(n))
}

fn guard(h: &mut String, r: &Report) {
    let g = &r.guard;
    let _ = write!(
        h,
        "<h2 id=\"guard\">6. Guard decisions</h2>\n<p>{} calls checked: {} critical, {} high, {} medium, {} low. {} denied, {} asked, {} answered at <code>git vouch watch</code>, {} denied yet ran (bypassed).</p>\n",
        g.checked, g.critical, g.high, g.medium, g.low, g.denied, g.asked, g.answered, g.bypassed
    );
    if g.calls.is_empty() {
        h.push_str("<p>No high or critical call.</p>\n");
        return;
    }
    table_head(
        h,
        &[
            "When",
            "Session",
            "Tool",
            "Call",
            "Risk",
            "Decided by",
            "What became of it",
        ],
    );
    for c in &g.calls {
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if c.bypassed { " class=\"bad\"" } else { "" },
            c.at.format("%Y-%m-%d %H:%M"),
            esc(&c.session),
            esc(&c.tool),
            esc(c.summary.as_deref().unwrap_or("")),
            c.level,
            c.decided_by,
            esc(&c.fate)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn findings(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"findings\">7. Findings</h2>\n");
    if r.findings.is_empty() {
        h.push_str("<p>No finding in the range's sessions.</p>\n");
        return;
    }
    table_head(h, &["Session", "Detector", "Severity", "Finding"]);
    for f in &r.findings {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.session),
            f.detector,
            f.severity,
            esc(&f.title)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn redactions(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<h2 id=\"redactions\">8. Redactions</h2>\n<p>{} removed from the evidence before it was signed.</p>\n",
        crate::words::plural(r.redactions.total, "secret was", "secrets were")
    );
    if r.redactions.by_rule.is_empty() {
        return;
    }
    table_head(h, &["Rule", "Removed"]);
    for (rule, n) in &r.redactions.by_rule {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(rule)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn verification(h: &mut String, r: &Report, digest: &str) {
    let v = &r.verification;
    let _ = write!(
        h,
        "<h2 id=\"verification\">9. Verifying this report</h2>\n<p>The report rests on {} verified signed statements. Re-check them with:</p>\n<pre>{}</pre>\n<ol>\n",
        v.statements,
        esc(&v.command)
    );
    for s in &v.steps {
        let _ = writeln!(h, "<li>{}</li>", esc(s));
    }
    let _ = write!(
        h,
        "</ol>\n<p>The data of this report (embedded below as JSON) has sha256 <code class=\"digest\">{digest}</code>.</p>\n"
    );
}

fn notes(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"method\">10. Method and limitations</h2>\n<h3>Method</h3>\n<ul>\n");
    for m in &r.method {
        let _ = writeln!(h, "<li>{}</li>", esc(m));
    }
    h.push_str("</ul>\n<h3>Limitations</h3>\n<ul>\n");
    for l in &r.limitations {
        let _ = writeln!(h, "<li>{}</li>", esc(l));
    }
    h.push_str("</ul>\n");
}
