//! The known-answer vector files in `../vectors/` (compiled in): records of `key = value`
//! lines separated by blank lines, `#` comments. A value is hex, `"ascii"`, or `XX*N` (byte XX
//! repeated N times).

/// One record.
pub struct Record(Vec<(String, String)>);

impl Record {
    /// The raw text of field `name` (panics if missing: the files are fixed).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("vector field {name} missing"))
    }

    /// True if the record has field `name`.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The bytes of field `name`.
    pub fn bytes(&self, name: &str) -> Vec<u8> {
        value(self.text(name))
    }
}

/// Decodes one value.
pub fn value(v: &str) -> Vec<u8> {
    if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return s.as_bytes().to_vec();
    }
    if let Some((b, n)) = v.split_once('*') {
        return vec![u8::from_str_radix(b, 16).expect("repeat byte"); n.parse().expect("count")];
    }
    hex(v)
}

/// Hex to bytes.
pub fn hex(v: &str) -> Vec<u8> {
    assert!(v.len() % 2 == 0, "odd hex length");
    (0..v.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Bytes to hex.
pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The records of a file's text.
pub fn parse(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(Record(std::mem::take(&mut cur)));
            }
            continue;
        }
        let (k, v) = line.split_once('=').expect("key = value");
        cur.push((k.trim().to_string(), v.trim().to_string()));
    }
    if !cur.is_empty() {
        out.push(Record(cur));
    }
    out
}

/// Leaks a runtime string as the `&'static str` the guest crate's API takes.
pub fn name(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}
