//! Moving a whole store from one backend to another (`kuaiwei migrate-store`): every row of
//! every table, as the source holds it, in a form neither backend owns. The source reads its
//! tables into [`Cell`]s; the target converts each cell to its own column type (text to
//! `timestamptz`, text to `jsonb`, 0/1 to `boolean`, …) and refuses, naming the table and
//! column, whatever it cannot take as it is. Rows are copied verbatim, identifiers included, so
//! that the audit chain's hashes, the case numbers and the change log's positions stay valid.

/// One value as the source stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A table and the columns the copy carries, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub name: String,
    pub columns: Vec<String>,
}

impl Cell {
    /// The storage class, as an error message names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "null",
            Cell::Int(_) => "integer",
            Cell::Real(_) => "real",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "blob",
        }
    }
}
