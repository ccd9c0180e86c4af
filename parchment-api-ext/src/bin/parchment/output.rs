//! What the command line prints: tables and `key: value` lines for people, JSON for scripts.
//!
//! Server text is printed with control characters replaced, so that a name holding escape
//! sequences cannot rewrite the operator's terminal.

use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Where and how output goes.
#[derive(Debug)]
pub(crate) struct Output {
    json: bool,
    terminals: bool,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Self {
            json,
            terminals: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    /// Whether `--json` was given.
    pub(crate) fn json(&self) -> bool {
        self.json
    }

    /// Whether a progress bar may be drawn: both streams are terminals and no `--json`.
    pub(crate) fn progress_allowed(&self) -> bool {
        self.terminals && !self.json
    }

    /// One JSON value on one line of stdout (a document, or one line of JSON lines).
    pub(crate) fn json_line(&self, value: &impl Serialize) {
        match serde_json::to_string(value) {
            Ok(line) => write_stdout(&format!("{line}\n")),
            Err(error) => eprintln!("error: could not encode the output as JSON: {error}"),
        }
    }

    /// One JSON value on one line of stderr.
    pub(crate) fn error_json(&self, value: &serde_json::Value) {
        eprintln!("{value}");
    }
}

/// Writes to stdout, ignoring a closed pipe (`parchment users list | head`).
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _closed = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Server text, safe for a terminal; `-` when absent.
pub(crate) fn cell(text: Option<&str>) -> String {
    match text {
        Some(text) if !text.is_empty() => text
            .chars()
            .map(|character| {
                if character.is_control() {
                    '?'
                } else {
                    character
                }
            })
            .collect(),
        _ => "-".to_owned(),
    }
}

/// A list shown as its items' text joined by commas.
pub(crate) fn joined<T: std::fmt::Display>(items: &[T]) -> String {
    let text = items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    cell(Some(&text))
}

/// A table with a header row, columns as wide as their widest cell.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|header| header.chars().count())
        .collect();
    for row in rows {
        for (width, text) in widths.iter_mut().zip(row) {
            *width = (*width).max(text.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.zip(&widths).enumerate() {
            if index > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            let pad = width.saturating_sub(cell.chars().count());
            text.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// `key: value` lines, keys aligned.
pub(crate) fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(key, value)| format!("{:<width$} {value}\n", format!("{key}:"), width = width + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_cells_lose_control_characters() {
        let rows = vec![vec!["usr_1".to_owned(), cell(Some("A\u{1b}[2Jb"))]];
        let text = table(&["ID", "NAME"], &rows);
        assert_eq!(text, "ID     NAME\nusr_1  A?[2Jb\n");
    }
}
