//! The report as PDF, laid out by Typst used as a library: the template `assets/report.typ`
//! reads the report's JSON (`data.json`) and its digest (`digest.txt`) from an in-memory
//! world, with the fonts Typst ships (`typst-assets`). Nothing is read from disk or the
//! network, and no program runs.

use chrono::{DateTime, Datelike, Utc};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("../../assets/report.typ");

/// Why the PDF could not be made (a bug in the template, or in the data it was given).
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be laid out: {0}")]
pub struct PdfError(String);

/// Lays out and writes the PDF of a report whose data is `json` ([`super::json_bytes`]).
pub fn render(json: &[u8], now: DateTime<Utc>) -> Result<Vec<u8>, PdfError> {
    let world = ReportWorld::new(json, now);
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|e| PdfError(messages(&e)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(super::data_sha256(json)),
        timestamp: typst_pdf::Timestamp::new_utc(datetime(now)?).into(),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| PdfError(messages(&e)))
}

fn datetime(now: DateTime<Utc>) -> Result<Datetime, PdfError> {
    use chrono::Timelike;
    Datetime::from_ymd_hms(
        now.year(),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .ok_or_else(|| PdfError(format!("{now} is not a date Typst takes")))
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn file_id(path: &str) -> FileId {
    // The three paths below are constants that are valid virtual paths.
    let vpath = VirtualPath::new(path)
        .unwrap_or_else(|_| VirtualPath::new("x").unwrap_or_else(|_| unreachable!()));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The template, the data and the fonts, in memory.
struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data: Bytes,
    digest: Bytes,
    today: DateTime<Utc>,
}

impl ReportWorld {
    fn new(json: &[u8], today: DateTime<Utc>) -> Self {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Self {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()),
            data: Bytes::new(json.to_vec()),
            digest: Bytes::new(super::data_sha256(json).into_bytes()),
            today,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id("/data.json") {
            Ok(self.data.clone())
        } else if id == file_id("/digest.txt") {
            Ok(self.digest.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            self.today.month() as u8,
            self.today.day() as u8,
        )
    }
}
