//! Batch input: a stream of fact documents from NDJSON files or standard input, and from
//! files and folders of JSON/YAML documents (facts.md, "Batch input"). Records are read
//! lazily, one at a time, so memory stays constant whatever the input size.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::facts::Format;

/// One input record: its text and where it came from.
#[derive(Debug, Clone)]
pub struct Record {
    /// `file:line` for NDJSON, `file` for a whole document, `<stdin>:line` for stdin.
    pub source: String,
    /// `Err` when the record could not even be read (the batch reports it and goes on).
    pub text: Result<String, String>,
    pub format: Format,
}

/// Where records come from, expanded lazily.
enum Source {
    Ndjson {
        name: String,
        reader: Box<dyn BufRead + Send>,
        line: usize,
    },
    Document(PathBuf),
    Unreadable {
        name: String,
        error: String,
    },
}

/// An iterator over every record of the given paths, in order.
pub struct Records {
    pending: std::collections::VecDeque<PathBuf>,
    current: Option<Source>,
    stdin_used: bool,
}

impl Records {
    /// `paths`: files, folders (walked recursively, sorted) and `-` for standard input.
    pub fn new(paths: &[String]) -> Records {
        Records {
            pending: paths.iter().map(PathBuf::from).collect(),
            current: None,
            stdin_used: false,
        }
    }

    /// Opens one file (not a folder) as a source.
    fn open(&mut self, path: PathBuf) -> Source {
        let name = path.display().to_string();
        if name == "-" {
            if self.stdin_used {
                return Source::Unreadable {
                    name,
                    error: "standard input can be read only once".into(),
                };
            }
            self.stdin_used = true;
            return Source::Ndjson {
                name: "<stdin>".into(),
                reader: Box::new(BufReader::new(std::io::stdin())),
                line: 0,
            };
        }
        if is_ndjson(&path) {
            return match File::open(&path) {
                Ok(f) => Source::Ndjson {
                    name,
                    reader: Box::new(BufReader::new(f)),
                    line: 0,
                },
                Err(e) => Source::Unreadable {
                    name,
                    error: format!("cannot read: {e}"),
                },
            };
        }
        Source::Document(path)
    }
}

impl Iterator for Records {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            match self.current.take() {
                None => {
                    let path = self.pending.pop_front()?;
                    if path.is_dir() {
                        match walk(&path) {
                            // A folder with nothing to read is most likely the wrong
                            // path: an error record, not a batch that checked nothing.
                            Ok(files) if files.is_empty() => {
                                self.current = Some(Source::Unreadable {
                                    name: path.display().to_string(),
                                    error: "no fact documents in this folder (files ending \
                                            .json, .yaml, .yml, .ndjson or .jsonl)"
                                        .into(),
                                })
                            }
                            Ok(files) => files
                                .into_iter()
                                .rev()
                                .for_each(|f| self.pending.push_front(f)),
                            Err(error) => {
                                self.current = Some(Source::Unreadable {
                                    name: path.display().to_string(),
                                    error,
                                })
                            }
                        }
                        continue;
                    }
                    self.current = Some(self.open(path));
                }
                Some(Source::Document(path)) => {
                    let source = path.display().to_string();
                    let text = read_to_string(&path);
                    return Some(Record {
                        format: Format::from_path(&source),
                        source,
                        text,
                    });
                }
                Some(Source::Unreadable { name, error }) => {
                    return Some(Record {
                        source: name,
                        text: Err(error),
                        format: Format::Json,
                    });
                }
                Some(Source::Ndjson {
                    name,
                    mut reader,
                    mut line,
                }) => {
                    if line == 0 {
                        // A UTF-16 stream (PowerShell 5.1's `>`) is not read line by line:
                        // one error record says so, instead of one per garbled line.
                        if let Some(encoding) =
                            reader.fill_buf().ok().and_then(crate::text::utf16_mark)
                        {
                            return Some(Record {
                                source: format!("{name}:1"),
                                text: Err(format!(
                                    "the stream is {encoding}; NDJSON must be UTF-8 \
                                     (convert it, e.g. `iconv -f UTF-16 -t UTF-8`)"
                                )),
                                format: Format::Json,
                            });
                        }
                    }
                    let mut buf = String::new();
                    loop {
                        buf.clear();
                        line += 1;
                        let read = reader.read_line(&mut buf);
                        if line == 1 {
                            crate::text::drop_bom(&mut buf);
                        }
                        match read {
                            Ok(0) => break,
                            Ok(_) if buf.trim().is_empty() => continue,
                            Ok(_) => {
                                let source = format!("{name}:{line}");
                                // Without its line ending, a line cut off inside a string
                                // ends there, rather than at the newline on "line 2".
                                let kept = buf.trim_end_matches(['\n', '\r']).len();
                                buf.truncate(kept);
                                let text = Ok(std::mem::take(&mut buf));
                                self.current = Some(Source::Ndjson { name, reader, line });
                                return Some(Record {
                                    source,
                                    text,
                                    format: Format::Json,
                                });
                            }
                            Err(e) => {
                                // An unreadable line (e.g. not UTF-8) is one error record;
                                // the rest of the file is still read.
                                let source = format!("{name}:{line}");
                                self.current = Some(Source::Ndjson { name, reader, line });
                                return Some(Record {
                                    source,
                                    text: Err(format!("cannot read line: {e}")),
                                    format: Format::Json,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
}

fn is_ndjson(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ndjson") | Some("jsonl")
    )
}

fn read_to_string(path: &Path) -> Result<String, String> {
    crate::text::read(path).map_err(|e| format!("cannot read: {e}"))
}

/// Every fact-document file under `dir`, sorted, recursively.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    crate::walk::files(dir, &|_| true, &|p| {
        crate::walk::has_extension(p, &["json", "yaml", "yml", "ndjson", "jsonl"])
    })
    .map_err(|(_, e)| format!("cannot read folder: {e}"))
}
