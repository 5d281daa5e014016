//! The test suite's flat `.json` spec format, read with a minimal JSON parser (the specs use
//! objects, arrays, strings, integers and `null` only), and the fixture directories.

use std::path::Path;

use hermetic_wasi::sandbox::vfs::Entry;

/// A JSON value, as far as the specs need.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses `text`, or panics saying where it stopped.
pub fn parse(text: &str) -> Json {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let value = p.value();
    p.ws();
    assert_eq!(p.i, p.s.len(), "trailing characters in JSON");
    value
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }

    fn value(&mut self) -> Json {
        self.ws();
        let rest = &self.s[self.i..];
        for (word, value) in [
            ("null", Json::Null),
            ("true", Json::Bool(true)),
            ("false", Json::Bool(false)),
        ] {
            if rest.starts_with(word.as_bytes()) {
                self.i += word.len();
                return value;
            }
        }
        match rest.first() {
            Some(b'"') => Json::Str(self.string()),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.eat(b']') {
                    items.push(self.value());
                    self.eat(b',');
                }
                Json::Arr(items)
            }
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                while !self.eat(b'}') {
                    self.ws();
                    let key = self.string();
                    assert!(self.eat(b':'), "expected ':' at {}", self.i);
                    fields.push((key, self.value()));
                    self.eat(b',');
                }
                Json::Obj(fields)
            }
            _ => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'-')
                {
                    self.i += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Num(
                    digits
                        .parse()
                        .unwrap_or_else(|_| panic!("bad JSON at {start}")),
                )
            }
        }
    }

    fn string(&mut self) -> String {
        assert_eq!(self.s[self.i], b'"');
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                            self.i += 4;
                            let c = char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap();
                            out.extend_from_slice(c.to_string().as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        String::from_utf8(out).unwrap()
    }
}

/// One test of the suite: its spec, with the defaults filled in.
#[derive(Debug, Clone)]
pub struct Spec {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub root: Option<String>,
    pub exit_code: u32,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
}

impl Spec {
    /// The spec in `json` (absent: `None`), with the suite's defaults.
    pub fn new(json: Option<&Json>) -> Spec {
        let null = Json::Null;
        let json = json.unwrap_or(&null);
        let string = |v: &Json| match v {
            Json::Str(s) => s.clone(),
            other => panic!("expected a string, got {other:?}"),
        };
        let opt_string = |key| json.get(key).filter(|v| **v != Json::Null).map(string);
        Spec {
            args: match json.get("args") {
                Some(Json::Arr(items)) => items.iter().map(string).collect(),
                _ => Vec::new(),
            },
            env: match json.get("env") {
                Some(Json::Obj(fields)) => {
                    fields.iter().map(|(k, v)| (k.clone(), string(v))).collect()
                }
                _ => Vec::new(),
            },
            root: opt_string("root"),
            exit_code: match json.get("exit_code") {
                Some(Json::Num(n)) => u32::try_from(*n).expect("exit code"),
                _ => 0,
            },
            stdout: opt_string("stdout"),
            stderr: opt_string("stderr"),
        }
    }
}

/// The files under host directory `dir`, as seed entries relative to it, in path order.
pub fn fixture(dir: &Path) -> Vec<(String, Entry)> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((host, prefix)) = pending.pop() {
        for item in std::fs::read_dir(&host).unwrap() {
            let item = item.unwrap();
            let name = item.file_name().into_string().unwrap();
            let path = format!("{prefix}{name}");
            let kind = item.file_type().unwrap();
            if kind.is_dir() {
                pending.push((item.path(), format!("{path}/")));
                out.push((path, Entry::Dir));
            } else if kind.is_symlink() {
                let target = std::fs::read_link(item.path()).unwrap();
                out.push((path, Entry::Symlink(target.to_str().unwrap().to_owned())));
            } else {
                out.push((
                    path,
                    Entry::File(std::fs::read(item.path()).unwrap().into()),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
