use super::*;

#[test]
fn decodes_assistant_line_and_skips_unknowns() {
    let line = r#"{"type":"assistant","requestId":"req_1","sessionId":"s","future":{"x":[1,2]},
        "message":{"id":"msg_1","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}},"junk"],
        "usage":{"input_tokens":3,"output_tokens":null,"cache_creation_input_tokens":0,"cache_read_input_tokens":"7",
        "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":100},"speed":"fast"}}}"#;
    let rec: ScanRecord<'_> = serde_json::from_str(line).unwrap();
    let msg = rec.message.unwrap();
    let usage = msg.usage.unwrap().to_usage();
    assert_eq!(
        usage.tokens,
        Tokens {
            input: 3,
            cache_write_1h: 100,
            ..Tokens::default()
        }
    );
    assert!(usage.billing.fast);
    let blocks = msg.content.as_ref().unwrap().blocks();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].name.get(), Some("Bash"));
    assert!(blocks[1].kind.get().is_none());
}

#[test]
fn prompt_text_ignores_tool_results() {
    let typed: ScanRecord<'_> =
        serde_json::from_str(r#"{"message":{"role":"user","content":"fix it"}}"#).unwrap();
    assert_eq!(
        typed.message.unwrap().content.unwrap().prompt_text(),
        Some("fix it")
    );
    let result: ScanRecord<'_> = serde_json::from_str(
        r#"{"message":{"content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}}"#,
    )
    .unwrap();
    assert_eq!(result.message.unwrap().content.unwrap().prompt_text(), None);
}

#[test]
fn breakdown_wins_when_total_is_zero() {
    let raw = RawUsage {
        cache_creation_input_tokens: Some(0),
        cache_creation: Some(RawCacheCreation {
            ephemeral_5m_input_tokens: Some(5),
            ephemeral_1h_input_tokens: Some(7),
        }),
        ..RawUsage::default()
    };
    let t = raw.to_usage().tokens;
    assert_eq!((t.cache_write_5m, t.cache_write_1h), (5, 7));
    let raw = RawUsage {
        cache_creation_input_tokens: Some(20),
        ..raw
    };
    let t = raw.to_usage().tokens;
    assert_eq!((t.cache_write_5m, t.cache_write_1h), (13, 7));
}

#[test]
fn tool_inputs_give_their_file_path_and_nothing_else() {
    let line = r#"{"message":{"content":[
        {"type":"tool_use","id":"a","name":"Edit","input":{"old_string":"x","file_path":"/r/src/a.rs","new_string":{"deep":[1]}}},
        {"type":"tool_use","id":"b","name":"NotebookEdit","input":{"notebook_path":"/r/n.ipynb"}},
        {"type":"tool_use","id":"c","name":"Bash","input":{"command":"ls"}},
        {"type":"tool_use","id":"d","name":"Odd","input":["file_path"]},
        {"type":"tool_use","id":"e","name":"Odd","input":{"file_path":7}},
        {"type":"tool_use","id":"f","name":"Odd","input":"file_path"}]}}"#;
    let rec: ScanRecord<'_> = serde_json::from_str(line).unwrap();
    let content = rec.message.unwrap().content.unwrap();
    let paths: Vec<Option<&str>> = content
        .blocks()
        .iter()
        .map(|b| b.input.as_ref().and_then(|i| i.file_path.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            Some("/r/src/a.rs"),
            Some("/r/n.ipynb"),
            None,
            None,
            None,
            None
        ]
    );
}
