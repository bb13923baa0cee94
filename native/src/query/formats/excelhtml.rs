// SPDX-License-Identifier: Apache-2.0
//! `excelhtml`: HydroVu's "Excel HTML" export (REFERENCE-ORIGINAL §2.4), read as it streams
//! through html5ever's tokenizer (no DOM is built). Inside the element with
//! `id="isi-report"`, the header is the first `<tr>` whose class contains `dataHeader` or
//! that has an `isi-data-table` attribute; data rows are the `<tr>`s with the class token
//! `data` or an `isi-data-row` attribute. Cells are the trimmed text of each row's `<td>`s;
//! short rows are padded. `Date Time` is `Utf8`, every other column `Float64` (empty or
//! non-numeric text reads as NULL). A header naming a column twice gets ` (2)`, ` (3)`...
//! on the later ones (the original's schema could not be queried then).

use std::cell::RefCell;
use std::sync::Arc;

use deltalake::arrow::array::{ArrayRef, Float64Builder, StringBuilder};
use deltalake::arrow::datatypes::{DataType, Field, Schema};
use deltalake::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use html5ever::TokenizerResult;

use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::{Code, Error, Result};

pub const TIME_COLUMN: &str = "Date Time";

#[derive(Debug)]
pub struct ExcelHtml;

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Header,
    Data,
    Other,
}

#[derive(Default)]
struct State {
    /// Seen the report element.
    found: bool,
    /// Inside it: its tag name and how deep in same-named tags.
    report: Option<(String, usize)>,
    row: Option<(RowKind, Vec<String>)>,
    cell: Option<String>,
    header: Option<Vec<String>>,
    /// Data rows read and not yet taken.
    rows: Vec<Vec<String>>,
}

struct Sink(RefCell<State>);

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t StrTendril> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &a.value)
}

fn row_kind(tag: &Tag, header_found: bool) -> RowKind {
    let class = attr(tag, "class").map(|c| c.as_ref()).unwrap_or("");
    let header = class.contains("dataHeader") || attr(tag, "isi-data-table").is_some();
    if header && !header_found {
        return RowKind::Header;
    }
    if class.split_ascii_whitespace().any(|t| t == "data") || attr(tag, "isi-data-row").is_some() {
        return RowKind::Data;
    }
    RowKind::Other
}

impl State {
    fn end_cell(&mut self) {
        if let (Some(cell), Some((_, cells))) = (self.cell.take(), self.row.as_mut()) {
            cells.push(cell.trim().to_string());
        }
    }

    fn end_row(&mut self) {
        self.end_cell();
        match self.row.take() {
            Some((RowKind::Header, cells)) => self.header = Some(cells),
            Some((RowKind::Data, cells)) => self.rows.push(cells),
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag) {
        let name: &str = &tag.name;
        let Some((report, depth)) = self.report.as_mut() else {
            let is_report = attr(tag, "id").is_some_and(|id| id.as_ref() == "isi-report");
            if is_report && !self.found && !tag.self_closing {
                self.found = true;
                self.report = Some((name.to_string(), 1));
            }
            return;
        };
        if name == report.as_str() {
            *depth += 1;
        }
        match name {
            "tr" => {
                self.end_row();
                let kind = row_kind(tag, self.header.is_some());
                self.row = Some((kind, Vec::new()));
            }
            "td" if self.row.is_some() => {
                self.end_cell();
                self.cell = Some(String::new());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: &Tag) {
        let name: &str = &tag.name;
        let Some((report, depth)) = self.report.as_mut() else {
            return;
        };
        if name == report.as_str() {
            *depth -= 1;
            if *depth == 0 {
                self.end_row();
                self.report = None;
            }
            return;
        }
        match name {
            "td" => self.end_cell(),
            "tr" | "table" | "tbody" | "thead" => self.end_row(),
            _ => {}
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => {
                    state.start(&tag);
                    if !tag.self_closing {
                        let raw = match &*tag.name {
                            "script" => Some(RawKind::ScriptData),
                            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                                Some(RawKind::Rawtext)
                            }
                            "title" | "textarea" => Some(RawKind::Rcdata),
                            _ => None,
                        };
                        if let Some(kind) = raw {
                            return TokenSinkResult::RawData(kind);
                        }
                    }
                }
                TagKind::EndTag => state.end(&tag),
            },
            Token::CharacterTokens(text) => {
                if let Some(cell) = state.cell.as_mut() {
                    cell.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The export tokenized chunk by chunk; after each chunk (and once at the end, with
/// `true`) `each` sees the state, and stops the reading by returning false.
fn tokenize(
    input: &StreamInput,
    problems: &mut Problems,
    mut each: impl FnMut(&mut State, bool) -> Result<bool>,
) -> Result<State> {
    let mut chunks = input.open()?.chunks();
    let tokenizer = Tokenizer::new(Sink(RefCell::new(State::default())), Default::default());
    let queue = BufferQueue::default();
    while let Some(text) = chunks.next_chunk(problems)? {
        queue.push_back(StrTendril::from(text));
        while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
        if !each(&mut tokenizer.sink.0.borrow_mut(), false)? {
            return Ok(tokenizer.sink.0.take());
        }
    }
    tokenizer.end();
    each(&mut tokenizer.sink.0.borrow_mut(), true)?;
    Ok(tokenizer.sink.0.take())
}

fn invalid(input: &StreamInput, what: &str) -> Error {
    Error::new(Code::InvalidData, format!("{}: {what}", input.label)).with_path(input.label.clone())
}

/// Column names, a repeated name numbered from its second use.
fn unique(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut n = 1;
        while out.contains(&candidate) {
            n += 1;
            candidate = format!("{name} ({n})");
        }
        out.push(candidate);
    }
    out
}

fn batch(schema: &Arc<Schema>, rows: &[Vec<String>]) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let cells = rows
                .iter()
                .map(|r| r.get(i).map(String::as_str).filter(|c| !c.is_empty()));
            if field.data_type() == &DataType::Utf8 {
                let mut b = StringBuilder::new();
                cells.for_each(|c| b.append_option(c));
                Arc::new(b.finish()) as ArrayRef
            } else {
                let mut b = Float64Builder::new();
                cells.for_each(|c| b.append_option(c.and_then(|c| c.parse::<f64>().ok())));
                Arc::new(b.finish()) as ArrayRef
            }
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &options,
    )?)
}

impl Reader for ExcelHtml {
    fn name(&self) -> &'static str {
        "excelhtml"
    }

    fn infer(&self, input: &StreamInput) -> Result<Inferred> {
        let mut problems = Problems::new(self.name(), input);
        let state = tokenize(input, &mut problems, |s, _| {
            s.rows.clear();
            Ok(s.header.is_none())
        })?;
        if !state.found {
            return Err(invalid(input, "no element with id=\"isi-report\""));
        }
        let Some(header) = state.header else {
            return Err(invalid(
                input,
                "no header row in #isi-report (a <tr> whose class contains dataHeader, or with an isi-data-table attribute)",
            ));
        };
        if header.is_empty() {
            return Err(invalid(input, "the header row has no <td> cells"));
        }
        let fields = unique(header)
            .into_iter()
            .map(|name| {
                let kind = if name == TIME_COLUMN {
                    DataType::Utf8
                } else {
                    DataType::Float64
                };
                Field::new(name, kind, true)
            })
            .collect();
        Ok(Inferred {
            fields,
            ordered: false,
        })
    }

    fn read(&self, input: &StreamInput, plan: &ReadPlan, emit: &mut Emit) -> Result<Vec<String>> {
        let mut problems = Problems::new(self.name(), input);
        // This stream's own columns, and where each lands in the table's schema.
        let own = self.infer(input)?;
        let width = plan.schema.fields().len();
        let place: Vec<Option<usize>> = own
            .fields
            .iter()
            .map(|f| plan.schema.index_of(f.name()).ok())
            .collect();
        let mut pending: Vec<Vec<String>> = Vec::new();
        let mut open = true;
        tokenize(input, &mut problems, |s, end| {
            if s.header.is_none() {
                return Ok(true);
            }
            for cells in s.rows.drain(..) {
                let mut row = vec![String::new(); width];
                for (at, cell) in place.iter().zip(cells) {
                    if let Some(i) = at {
                        row[*i] = cell;
                    }
                }
                pending.push(row);
            }
            while open && (pending.len() >= plan.batch_size || (end && !pending.is_empty())) {
                let n = pending.len().min(plan.batch_size);
                let rows: Vec<Vec<String>> = pending.drain(..n).collect();
                open = emit(batch(&plan.schema, &rows)?)?;
            }
            Ok(open)
        })?;
        Ok(problems.warnings())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_numbered() {
        let names = ["a", "b", "a", "a"].map(String::from).to_vec();
        assert_eq!(unique(names), ["a", "b", "a (2)", "a (3)"]);
    }
}
