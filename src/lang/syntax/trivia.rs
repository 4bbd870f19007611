//! The trivia pass: finds comments (pest drops the silent `COMMENT`) for the formatter
//! and the `# METADATA` reader, and measures bracket nesting before pest runs, so that
//! deeply nested input is refused with a located error instead of exhausting the stack.

/// A `#` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of `#`.
    pub start: usize,
    /// Byte offset just after the comment's last non-blank character.
    pub end: usize,
    /// Text after `#`, trailing whitespace removed.
    pub text: String,
    /// Nothing but whitespace precedes it on its line.
    pub own_line: bool,
}

/// What the pass found.
#[derive(Debug, Default)]
pub struct Trivia {
    /// Every comment, in order.
    pub comments: Vec<Comment>,
    /// Offset of the first bracket that goes deeper than the limit, if any.
    pub too_deep_at: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Code,
    Str,
    Raw,
    FStr,
}

/// Scans `text`. `max_depth` bounds the nesting of `( [ {` and f-string holes.
pub fn scan(text: &str, max_depth: usize) -> Trivia {
    let mut out = Trivia::default();
    // Each entry is a mode to return to; a Code entry above an FStr marks a hole.
    let mut stack: Vec<Mode> = Vec::new();
    let mut mode = Mode::Code;
    let mut depth = 0usize;
    let mut line_start = 0usize;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '\n' {
            line_start = i + 1;
        }
        match mode {
            Mode::Code => match c {
                '#' => {
                    let line_end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    let own_line = text[line_start..i].trim().is_empty();
                    let body = text[i + 1..line_end].trim_end().to_string();
                    let end = i + 1 + body.len();
                    out.comments.push(Comment {
                        start: i,
                        end,
                        text: body,
                        own_line,
                    });
                    while iter.peek().is_some_and(|(j, _)| *j < line_end) {
                        iter.next();
                    }
                }
                '"' => mode = Mode::Str,
                '`' => mode = Mode::Raw,
                'f' if iter.peek().is_some_and(|(_, n)| *n == '"') && !prev_is_ident(text, i) => {
                    iter.next();
                    mode = Mode::FStr;
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    stack.push(Mode::Code);
                    if depth > max_depth && out.too_deep_at.is_none() {
                        out.too_deep_at = Some(i);
                    }
                }
                ')' | ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    if let Some(m) = stack.pop() {
                        mode = m;
                    }
                }
                _ => {}
            },
            Mode::Str | Mode::FStr if c == '\\' => {
                iter.next();
            }
            Mode::Str if c == '"' || c == '\n' => mode = Mode::Code,
            Mode::Raw if c == '`' => mode = Mode::Code,
            Mode::FStr => match c {
                '"' | '\n' => mode = Mode::Code,
                '{' => {
                    depth += 1;
                    stack.push(Mode::FStr);
                    mode = Mode::Code;
                    if depth > max_depth && out.too_deep_at.is_none() {
                        out.too_deep_at = Some(i);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    out
}

fn prev_is_ident(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(|p| p.is_ascii_alphanumeric() || p == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_strings() {
        let t = scan("a := \"#no\" # yes\n# own\nb := f\"{x} #no\" `#` # end", 10);
        let texts: Vec<_> = t
            .comments
            .iter()
            .map(|c| (c.text.as_str(), c.own_line))
            .collect();
        assert_eq!(
            texts,
            vec![(" yes", false), (" own", true), (" end", false)]
        );
    }

    #[test]
    fn depth_limit() {
        assert!(scan("[[[1]]]", 3).too_deep_at.is_none());
        assert_eq!(scan("[[[[1]]]]", 3).too_deep_at, Some(3));
    }
}
