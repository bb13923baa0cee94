// SPDX-License-Identifier: Apache-2.0
//! One error type for the addon. Every failure carries a stable [`Code`], and where one
//! applies the pond or host path it concerns. It crosses the napi boundary as a structured
//! value: the JS error's message is the JSON object `{"code", "message", "path"}` (see
//! [`Error::wire`]), which `ts/native/addon.ts` parses back into a `PondError`. Causes are
//! kept in the message, joined with `: `. [`Code::ALL`] is exported (`errorCodes()`) so a
//! test can check that TypeScript knows every code Rust can produce.

use std::fmt;

/// Declares [`Code`] with its wire names, and [`Code::ALL`] from the same list, so every
/// variant is in `ALL` by construction.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// Stable error codes. Persisted in user scripts and tests: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order (exported as `errorCodes()`).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    NotAPond => "NOT_A_POND",
    NotFound => "NOT_FOUND",
    AlreadyExists => "ALREADY_EXISTS",
    CommitConflict => "COMMIT_CONFLICT",
    Locked => "LOCKED",
    SchemaMismatch => "SCHEMA_MISMATCH",
    /// Input bytes that are not what they claim to be (not Parquet, malformed CSV...).
    InvalidData => "INVALID_DATA",
    InvalidArgument => "INVALID_ARGUMENT",
    /// A factory config or template that cannot be used.
    InvalidConfig => "INVALID_CONFIG",
    Sql => "SQL",
    /// A query ran past its statement timeout.
    Timeout => "TIMEOUT",
    /// Stored bytes or rows that fail verification (hash mismatch, malformed row).
    Corrupt => "CORRUPT",
    Io => "IO",
    Internal => "INTERNAL",
}

#[derive(Debug)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The pond or host path the error concerns, when there is one.
    pub path: Option<String>,
    /// For an error from a library (I/O, Delta, Arrow, Parquet, DataFusion...): the
    /// innermost error of its `source()` chain, the root cause the message ends with.
    pub cause: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            path: None,
            cause: None,
        }
    }

    /// An error from a library error: its whole `source()` chain as the message, the
    /// innermost as the cause.
    fn from_library(code: Code, err: &dyn std::error::Error) -> Self {
        Error {
            code,
            message: chain(err),
            path: None,
            cause: Some(root_cause(err)),
        }
    }

    /// Name the pond or host path the error concerns.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The error as it crosses the boundary: a JSON object with `code`, `message`, `path`
    /// and `cause`.
    pub fn wire(&self) -> String {
        serde_json::json!({
            "code": self.code.as_str(),
            "message": self.message,
            "path": self.path,
            "cause": self.cause,
        })
        .to_string()
    }

    /// Prefix the message with what was being attempted, keeping the code.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for deltalake::datafusion::error::DataFusionError {
    fn from(err: Error) -> Self {
        deltalake::datafusion::error::DataFusionError::External(Box::new(err))
    }
}

/// The innermost error of `err`'s `source()` chain, as text.
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut root = err;
    while let Some(next) = root.source() {
        root = next;
    }
    first_line(root)
}

/// An error's text without what some libraries append after it (delta-kernel: a backtrace).
fn first_line(err: &dyn std::error::Error) -> String {
    let text = err.to_string();
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

/// Render an error and its `source()` chain as one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = first_line(err);
    let mut cur = err.source();
    while let Some(cause) = cur {
        let text = first_line(cause);
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = cause.source();
    }
    out
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        let code = match err.kind() {
            std::io::ErrorKind::NotFound => Code::NotFound,
            std::io::ErrorKind::AlreadyExists => Code::AlreadyExists,
            _ => Code::Io,
        };
        Error::from_library(code, &err)
    }
}

impl From<deltalake::DeltaTableError> for Error {
    fn from(err: deltalake::DeltaTableError) -> Self {
        use deltalake::DeltaTableError as E;
        let code = match &err {
            E::NotATable(_) => Code::NotAPond,
            E::VersionAlreadyExists(_) | E::Transaction { .. } => Code::CommitConflict,
            E::SchemaMismatch { .. } => Code::SchemaMismatch,
            E::InvalidVersion(_) => Code::NotFound,
            E::Io { .. } | E::ObjectStore { .. } => Code::Io,
            E::InvalidJsonLog { .. } | E::InvalidStatsJson { .. } => Code::Corrupt,
            E::KernelError(kernel) if corrupt_log(kernel) => Code::Corrupt,
            _ => Code::Internal,
        };
        Error::from_library(code, &err)
    }
}

/// Whether a kernel error means the Delta log itself is damaged: a commit that is not JSON,
/// a checkpoint that does not read, a table without its protocol or metadata action.
fn corrupt_log(err: &delta_kernel::Error) -> bool {
    use delta_kernel::Error as K;
    use deltalake::arrow::error::ArrowError;
    match err {
        K::Backtraced { source, .. } => corrupt_log(source),
        K::Arrow(ArrowError::JsonError(_)) | K::MalformedJson(_) | K::InvalidCheckpoint(_) => true,
        K::MissingMetadata | K::MissingProtocol | K::MissingMetadataAndProtocol => true,
        K::LogTailVersionsNotContiguous { .. } => true,
        _ => false,
    }
}

impl From<deltalake::arrow::error::ArrowError> for Error {
    fn from(err: deltalake::arrow::error::ArrowError) -> Self {
        let code = match &err {
            deltalake::arrow::error::ArrowError::SchemaError(_) => Code::SchemaMismatch,
            deltalake::arrow::error::ArrowError::IoError(..) => Code::Io,
            _ => Code::InvalidArgument,
        };
        Error::from_library(code, &err)
    }
}

impl From<deltalake::parquet::errors::ParquetError> for Error {
    fn from(err: deltalake::parquet::errors::ParquetError) -> Self {
        Error::from_library(Code::Io, &err)
    }
}

impl From<deltalake::ObjectStoreError> for Error {
    fn from(err: deltalake::ObjectStoreError) -> Self {
        let code = match &err {
            deltalake::ObjectStoreError::NotFound { .. } => Code::NotFound,
            deltalake::ObjectStoreError::AlreadyExists { .. }
            | deltalake::ObjectStoreError::Precondition { .. } => Code::AlreadyExists,
            _ => Code::Io,
        };
        Error::from_library(code, &err)
    }
}

impl From<deltalake::datafusion::error::DataFusionError> for Error {
    fn from(err: deltalake::datafusion::error::DataFusionError) -> Self {
        use deltalake::arrow::error::ArrowError;
        use deltalake::datafusion::error::DataFusionError as E;
        fn code(err: &E) -> Code {
            match err {
                E::SQL(..) | E::Plan(_) | E::SchemaError(..) | E::NotImplemented(_) => Code::Sql,
                E::ArrowError(e, _) => match e.as_ref() {
                    ArrowError::CsvError(_)
                    | ArrowError::JsonError(_)
                    | ArrowError::ParseError(_)
                    | ArrowError::CastError(_)
                    | ArrowError::InvalidArgumentError(_) => Code::InvalidData,
                    ArrowError::IoError(..) => Code::Io,
                    _ => Code::Internal,
                },
                E::ParquetError(_) => Code::InvalidData,
                E::ObjectStore(e)
                    if matches!(e.as_ref(), deltalake::ObjectStoreError::NotFound { .. }) =>
                {
                    Code::NotFound
                }
                E::ObjectStore(_) | E::IoError(_) => Code::Io,
                // A file the CSV or JSON reader could not parse (unterminated quotes,
                // bytes that are not text...): the data is bad, not the machine.
                E::Context(what, inner)
                    if what.starts_with("Error when processing")
                        && !matches!(code(inner), Code::NotFound) =>
                {
                    Code::InvalidData
                }
                E::Context(_, inner) | E::Diagnostic(_, inner) => code(inner),
                E::Shared(inner) => code(inner),
                E::Collection(all) => all.first().map(code).unwrap_or(Code::Internal),
                E::External(inner) => {
                    match (inner.downcast_ref::<E>(), inner.downcast_ref::<Error>()) {
                        (Some(df), _) => code(df),
                        (_, Some(ours)) => ours.code,
                        _ => Code::Internal,
                    }
                }
                _ => Code::Internal,
            }
        }
        let code = code(&err);
        let message = err
            .to_string()
            .replace("\ncaused by\n", ": ")
            .replace('\n', " ");
        let mut message = message
            .strip_prefix("Error during planning: ")
            .or_else(|| message.strip_prefix("SQL error: "))
            .or_else(|| message.strip_prefix("External error: "))
            .unwrap_or(&message)
            .to_string();
        let prefix = format!("[{}] ", code.as_str());
        if let Some(rest) = message.strip_prefix(&prefix) {
            message = rest.to_string();
        }
        if let Some(inner) = message
            .strip_prefix("ParserError(\"")
            .and_then(|m| m.strip_suffix("\")"))
        {
            message = format!("syntax error: {}", inner.replace("\\\"", "\""));
        }
        // The root cause only when it says more than the message already does.
        let root = root_cause(&err);
        let cause = (!root.contains(message.trim_start_matches("syntax error: "))
            && !message.contains(&root))
        .then_some(root);
        Error {
            cause,
            path: our_path(&err),
            ..Error::new(code, message)
        }
    }
}

/// The path of a pond error carried inside a DataFusion error (one a provider's stream
/// failed with), so it survives the trip through the engine.
fn our_path(err: &deltalake::datafusion::error::DataFusionError) -> Option<String> {
    use deltalake::datafusion::error::DataFusionError as E;
    match err {
        E::External(inner) => match (inner.downcast_ref::<E>(), inner.downcast_ref::<Error>()) {
            (Some(df), _) => our_path(df),
            (_, Some(ours)) => ours.path.clone(),
            _ => None,
        },
        E::Context(_, inner) | E::Diagnostic(_, inner) => our_path(inner),
        E::Shared(inner) => our_path(inner),
        _ => None,
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::from_library(Code::InvalidArgument, &err)
    }
}

impl From<Error> for napi::Error {
    fn from(err: Error) -> Self {
        napi::Error::from_reason(err.wire())
    }
}

/// The codes this addon can produce, for the test that TypeScript knows each of them.
#[napi_derive::napi]
pub fn error_codes() -> napi::Result<Vec<String>> {
    guard_sync(|| Ok(Code::ALL.iter().map(|c| c.as_str().to_string()).collect()))
}

/// The INTERNAL error for a caught panic, with the panic's message.
fn panicked(panic: Box<dyn std::any::Any + Send>) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(Code::Internal, format!("addon panicked: {what}"))
}

/// Run an addon future so that a panic becomes a rejected Promise with code INTERNAL
/// instead of taking the Node process down.
pub async fn guard<T, F>(fut: F) -> napi::Result<T>
where
    F: std::future::Future<Output = Result<T>>,
{
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
        Ok(result) => result.map_err(napi::Error::from),
        Err(panic) => Err(panicked(panic).into()),
    }
}

/// [`guard`] for a synchronous export: a panic becomes a thrown error with code INTERNAL.
pub fn guard_sync<T>(f: impl FnOnce() -> Result<T>) -> napi::Result<T> {
    catch(f).map_err(napi::Error::from)
}

/// Run `f`, turning a panic into an INTERNAL error.
fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panicked(p)))
}

/// Lock a mutex; a mutex poisoned by an earlier panic is INTERNAL, naming `what` it guards.
pub fn lock<'a, T>(
    mutex: &'a std::sync::Mutex<T>,
    what: &str,
) -> Result<std::sync::MutexGuard<'a, T>> {
    mutex.lock().map_err(|_| {
        Error::new(
            Code::Internal,
            format!("the {what} lock was poisoned by an earlier panic"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct() {
        let names: std::collections::HashSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn wire_is_structured() {
        let err = Error::new(Code::NotFound, "a \"quoted\" thing").with_path("/a/b");
        let v: serde_json::Value = serde_json::from_str(&err.wire()).unwrap();
        assert_eq!(v["code"], "NOT_FOUND");
        assert_eq!(v["message"], "a \"quoted\" thing");
        assert_eq!(v["path"], "/a/b");
        let bare: serde_json::Value =
            serde_json::from_str(&Error::new(Code::Sql, "x").wire()).unwrap();
        assert!(bare["path"].is_null());
        assert!(bare["cause"].is_null());
        let io = Error::from(std::io::Error::other("disk on fire"));
        let v: serde_json::Value = serde_json::from_str(&io.wire()).unwrap();
        assert_eq!(v["code"], "IO");
        assert_eq!(v["cause"], "disk on fire");
    }

    // `guard_sync` is `catch` plus the conversion to a napi error, which needs Node to link.
    #[test]
    fn a_sync_panic_is_internal() {
        let err = catch::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(err.code, Code::Internal);
        assert_eq!(err.message, "addon panicked: boom");
        let err = catch::<()>(|| Err(Error::new(Code::NotFound, "x"))).unwrap_err();
        assert_eq!(err.code, Code::NotFound);
        assert_eq!(catch(|| Ok(3)).unwrap(), 3);
    }
}
