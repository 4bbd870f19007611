//! For benches/snapshot.sh: the pairs of a snapshot matrix written as independent fact
//! documents (NDJSON, one per pair, in matrix order), exactly the documents
//! `s3why batch --snapshot` evaluates, so both ways can be timed on the same pairs.
//!
//! Usage: matrix_docs SNAPSHOT_DIR REQUEST_TEMPLATE > docs.ndjson

use std::io::Write;

use s3why::awsdata::json::Doc;
use s3why::awsdata::matrix::{Matrix, Selection};
use s3why::awsdata::request::{template, PutObject};
use s3why::awsdata::snapshots::Snapshots;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(request)) = (args.next(), args.next()) else {
        return Err("usage: matrix_docs SNAPSHOT_DIR REQUEST_TEMPLATE".into());
    };
    let snapshots = Snapshots::load(&[dir.into()])?;
    let template = template(&Doc::read(std::path::Path::new(&request))?)?;
    let matrix = Matrix::new(&snapshots, template, PutObject::default(), &Selection::default())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for cell in matrix.cells() {
        let facts = matrix.facts(&cell)?;
        serde_json::to_writer(&mut out, &facts.document)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
