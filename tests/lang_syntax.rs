//! Fixture-driven syntax tests: every `fixtures/lang/syntax/ok/*.s3why` parses and its
//! AST dump is snapshotted; every `fixtures/lang/syntax/err/*.s3why` fails to load and
//! its rendered human diagnostics (file:line:col, source line, caret, hint) are.

use s3why::lang::source::SourceId;
use s3why::lang::syntax::{dump::dump_module, parse_module};
use s3why::lang::Loader;

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn ok_fixtures_parse() {
    insta::glob!("fixtures/lang/syntax/ok/*.s3why", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match parse_module(&text, SourceId(0)) {
            Ok(p) => insta::assert_snapshot!(dump_module(&p.module)),
            Err(e) => panic!("{} should parse: {e:?}", path.display()),
        }
    });
}

#[test]
fn err_fixtures_report() {
    insta::glob!("fixtures/lang/syntax/err/*.s3why", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut loader = Loader::new();
        loader.add_source(file_name(path), text);
        match loader.compile(&[]) {
            Ok(_) => panic!("{} should not load", path.display()),
            Err(d) => insta::assert_snapshot!(d.render_human()),
        }
    });
}
