//! IAM wildcard patterns: `*` matches any run of characters (including `/` and `:`), `?`
//! matches exactly one character. Compiled once when a policy is loaded.
//!
//! Policy variables make part of a pattern literal (`${*}` is a literal asterisk, and a
//! substituted value never acts as a wildcard), so a pattern is a list of tokens rather
//! than a string: see [`Token`].

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Characters that must appear as they are.
    Literal(String),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    Question,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    tokens: Vec<Token>,
    /// Lower-cased at compile time; values are lower-cased at match time.
    case_insensitive: bool,
}

impl Wildcard {
    /// Compiles `text`, where every `*` and `?` is a wildcard.
    pub fn new(text: &str, case_insensitive: bool) -> Wildcard {
        Wildcard::from_tokens(tokenize(text), case_insensitive)
    }

    /// Compiles `text` with no wildcards at all (exact match).
    pub fn literal(text: &str, case_insensitive: bool) -> Wildcard {
        Wildcard::from_tokens(vec![Token::Literal(text.to_string())], case_insensitive)
    }

    /// Builds a pattern from tokens, merging neighbouring literals and stars. In place:
    /// a policy has a pattern for every action and resource, compiled for every record.
    pub fn from_tokens(mut tokens: Vec<Token>, case_insensitive: bool) -> Wildcard {
        tokens.retain(|t| !matches!(t, Token::Literal(s) if s.is_empty()));
        if case_insensitive {
            for t in &mut tokens {
                if let Token::Literal(s) = t {
                    fold(s);
                }
            }
        }
        // `dedup_by` hands the later token first: it is dropped when merged.
        tokens.dedup_by(|later, earlier| match (later, earlier) {
            (Token::Literal(l), Token::Literal(e)) => {
                e.push_str(l);
                true
            }
            (Token::Star, Token::Star) => true,
            _ => false,
        });
        Wildcard {
            tokens,
            case_insensitive,
        }
    }

    /// True when the pattern has no wildcard.
    pub fn is_literal(&self) -> bool {
        matches!(self.tokens.as_slice(), [] | [Token::Literal(_)])
    }

    /// Does `value` match the whole pattern?
    pub fn matches(&self, value: &str) -> bool {
        if self.case_insensitive && value.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
            return self.matches_folded(&value.to_lowercase());
        }
        self.matches_folded(value)
    }

    /// Does `value`, already in lower case (`str::to_lowercase`), match? The same answer
    /// as [`Wildcard::matches`] without looking for capitals again: an action is folded
    /// once and matched against every statement of a policy.
    pub fn matches_lowered(&self, value: &str) -> bool {
        self.matches_folded(value)
    }

    fn matches_folded(&self, value: &str) -> bool {
        // Fast paths: the whole pattern is one literal, or empty.
        match self.tokens.as_slice() {
            [] => value.is_empty(),
            [Token::Literal(lit)] => lit == value,
            tokens => match_tokens(tokens, value),
        }
    }
}

/// Lower case, as `str::to_lowercase` gives it; ASCII text in place.
fn fold(s: &mut String) {
    if s.is_ascii() {
        s.make_ascii_lowercase();
    } else {
        *s = s.to_lowercase();
    }
}

/// Splits pattern text into tokens: `*` and `?` are wildcards, the rest literal.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = text;
    // `*` and `?` are ASCII: splitting at their bytes keeps every literal whole UTF-8
    // (and a byte search is several times faster than a search by characters).
    while let Some(at) = memchr::memchr2(b'*', b'?', rest.as_bytes()) {
        if at > 0 {
            tokens.push(Token::Literal(rest[..at].to_string()));
        }
        tokens.push(if rest.as_bytes()[at] == b'*' {
            Token::Star
        } else {
            Token::Question
        });
        rest = &rest[at + 1..];
    }
    if !rest.is_empty() {
        tokens.push(Token::Literal(rest.to_string()));
    }
    tokens
}

/// Greedy matcher with single-star backtracking: linear in practice, O(n·m) at worst,
/// never exponential (a later star supersedes an earlier backtrack point).
fn match_tokens(tokens: &[Token], value: &str) -> bool {
    let mut ti = 0; // token index
    let mut vi = 0; // byte index into value
    let mut backtrack: Option<(usize, usize)> = None; // (token after star, value position)
    loop {
        if ti < tokens.len() {
            match &tokens[ti] {
                Token::Star => {
                    ti += 1;
                    backtrack = Some((ti, vi));
                    continue;
                }
                Token::Question => {
                    if let Some(c) = value[vi..].chars().next() {
                        vi += c.len_utf8();
                        ti += 1;
                        continue;
                    }
                }
                Token::Literal(lit) => {
                    if value[vi..].starts_with(lit.as_str()) {
                        vi += lit.len();
                        ti += 1;
                        continue;
                    }
                }
            }
        } else if vi == value.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more character, or fail.
        match backtrack {
            Some((after_star, start)) => match value[start..].chars().next() {
                Some(c) => {
                    let next = start + c.len_utf8();
                    backtrack = Some((after_star, next));
                    ti = after_star;
                    vi = next;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // IAM Resource element: `*` matches across `/` in S3 keys; `bkt/*/test/*` matches
    // `bkt/1/2/test/3/x.jpg` and `bkt//test/x` (reference_policies_elements_resource.html).
    #[test]
    fn star_crosses_slashes_per_iam_resource_doc() {
        let p = Wildcard::new("arn:aws:s3:::bkt/*/test/*", false);
        assert!(p.matches("arn:aws:s3:::bkt/1/2/test/3/x.jpg"));
        assert!(p.matches("arn:aws:s3:::bkt//test/x"));
        assert!(!p.matches("arn:aws:s3:::bkt/test/x"));
    }

    #[test]
    fn question_matches_exactly_one_char() {
        let p = Wildcard::new("s3:put?bject", true);
        assert!(p.matches("s3:PutObject"));
        assert!(!p.matches("s3:PutObjject"));
        assert!(!p.matches("s3:Putbject"));
        assert!(Wildcard::new("a?c", false).matches("aéc"));
    }

    // Action names are case-insensitive (reference_policies_elements_action.html).
    #[test]
    fn case_insensitive_for_actions() {
        assert!(Wildcard::new("S3:PUT*", true).matches("s3:PutObject"));
        assert!(!Wildcard::new("S3:PUT*", false).matches("s3:PutObject"));
    }

    #[test]
    fn literal_tokens_do_not_act_as_wildcards() {
        let p = Wildcard::from_tokens(vec![Token::Literal("a*".into()), Token::Star], false);
        assert!(p.matches("a*bc"));
        assert!(!p.matches("abc"));
    }

    #[test]
    fn backtracking_is_not_exponential() {
        let p = Wildcard::new("*a*a*a*a*a*a*a*a*b", false);
        let v = "a".repeat(5000);
        assert!(!p.matches(&v));
    }

    #[test]
    fn empty_and_star() {
        assert!(Wildcard::new("*", false).matches(""));
        assert!(Wildcard::new("", false).matches(""));
        assert!(!Wildcard::new("", false).matches("x"));
    }
}
