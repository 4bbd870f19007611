//! Reading a user's text file the way their tools wrote it. JSON may start with a UTF-8
//! byte-order mark (RFC 8259 §8.1 lets a reader ignore it; Windows editors and
//! PowerShell's `Out-File -Encoding utf8` write one), and Windows PowerShell 5.1's `>`
//! writes UTF-16LE with a mark. Both are decoded here, once, so every reader (fact
//! documents, AWS CLI output, rule files, case files, suppressions) accepts them and
//! line:column positions count from the first character, as an editor shows them.

use std::io;
use std::path::Path;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `path` as text: UTF-8 (a leading byte-order mark dropped) or, after a
/// byte-order mark, UTF-16LE/BE. Anything else that is not UTF-8 is an `InvalidData`
/// error saying at which byte.
pub fn read(path: &Path) -> io::Result<String> {
    decode(std::fs::read(path)?)
}

/// The same for bytes already read (standard input).
pub fn decode(bytes: Vec<u8>) -> io::Result<String> {
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes, "UTF-16LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes, "UTF-16BE"),
        _ => {
            let skip = if bytes.starts_with(UTF8_BOM) { 3 } else { 0 };
            let mut bytes = bytes;
            bytes.drain(..skip);
            String::from_utf8(bytes).map_err(|e| {
                let at = e.utf8_error().valid_up_to() + skip;
                invalid(format!(
                    "not UTF-8 text (invalid byte at offset {at}); save it as UTF-8"
                ))
            })
        }
    }
}

/// Drops a UTF-8 byte-order mark at the start of `text` (the first line of a stream).
pub fn drop_bom(text: &mut String) {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
}

/// The encoding a stream's first bytes announce when it is not UTF-8, for an error that
/// says what to do (an NDJSON stream is read line by line and must be UTF-8).
pub fn utf16_mark(first: &[u8]) -> Option<&'static str> {
    match first {
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        _ => None,
    }
}

/// The column an editor shows (characters, from 1) for serde_json's column, which counts
/// bytes: `column` on line `line` (both from 1) of `text`. Past the line's end it stays
/// past it by the same amount, so an error at the end of a line keeps its place.
pub fn char_column(text: &str, line: usize, column: usize) -> usize {
    let Some(l) = text.split('\n').nth(line.saturating_sub(1)) else {
        return column;
    };
    let bytes = column.saturating_sub(1);
    let mut end = bytes.min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    l[..end].chars().count() + (bytes - end) + 1
}

fn utf16(body: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> io::Result<String> {
    if body.len() % 2 != 0 {
        return Err(invalid(format!(
            "{name} text with an odd number of bytes (the file is cut off)"
        )));
    }
    let units = body.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| invalid(format!("invalid {name} text: {e}")))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// `text` for a terminal line: control characters (a newline in an object key, ESC, BEL,
/// NUL) written as escapes (`\n`, `\u{1b}`), so a record stays on its line and its bytes
/// cannot drive the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                c if c.is_control() => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_a_byte_order_mark() {
        assert_eq!(decode(b"{}".to_vec()).ok().as_deref(), Some("{}"));
        assert_eq!(
            decode(b"\xEF\xBB\xBF{}".to_vec()).ok().as_deref(),
            Some("{}")
        );
        // Only a leading mark is dropped.
        assert_eq!(
            decode(b"a\xEF\xBB\xBF".to_vec()).ok().as_deref(),
            Some("a\u{feff}")
        );
    }

    #[test]
    fn utf16_after_its_byte_order_mark() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"é\": 1}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(le).ok().as_deref(), Some("{\"é\": 1}"));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("{}".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(be).ok().as_deref(), Some("{}"));
    }

    #[test]
    fn what_is_not_text_says_where() {
        let e = decode(b"\xEF\xBB\xBFab\xFFc".to_vec())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("not UTF-8 text (invalid byte at offset 5); save it as UTF-8")
        );
        let e = decode(vec![0xFF, 0xFE, b'{']).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("UTF-16LE text with an odd number of bytes (the file is cut off)")
        );
        // An unpaired surrogate.
        let e = decode(vec![0xFF, 0xFE, 0x00, 0xD8])
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.starts_with("invalid UTF-16LE text")),
            "{e:?}"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // `{"a":"ééé",,}`: serde_json puts the second comma at byte column 15; it is the
        // 12th character.
        let text = "{\"a\":\"ééé\",,}";
        assert_eq!(char_column(text, 1, 15), 12);
        assert_eq!(char_column("x\n{\"é\":1,,}", 2, 11), 10);
        // ASCII lines, and positions past the end, are unchanged.
        assert_eq!(char_column("{,}", 1, 2), 2);
        assert_eq!(char_column("ab", 1, 3), 3);
        assert_eq!(char_column("ab", 5, 7), 7);
    }

    #[test]
    fn drop_bom_drops_only_a_leading_mark() {
        let mut s = "\u{feff}{}\n".to_string();
        drop_bom(&mut s);
        assert_eq!(s, "{}\n");
        drop_bom(&mut s);
        assert_eq!(s, "{}\n");
    }
}
