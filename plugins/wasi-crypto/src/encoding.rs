//! Key and signature encodings that ring does not provide: a minimal DER reader and writer
//! (SubjectPublicKeyInfo, PKCS#8, ECDSA signatures), base64 and PEM.
//!
//! Parsing only checks structure; whether a key is valid is for ring to decide. Must not do
//! any cryptography.

use crate::errno::{CResult, Errno};

/// DER tags used here.
pub const SEQUENCE: u8 = 0x30;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const OID: u8 = 0x06;

/// A DER reader over a byte string.
pub struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    /// Reads `input`.
    pub fn new(input: &'a [u8]) -> Der<'a> {
        Der { rest: input }
    }

    /// True when everything was read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element's tag, if any.
    pub fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one element with tag `tag` and returns its contents.
    pub fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&t, rest) = self.rest.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 3 || rest.len() < n {
                return None;
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        self.rest = rest;
        Some(value)
    }

    /// Reads an element of any tag.
    pub fn skip(&mut self) -> Option<()> {
        let tag = self.peek()?;
        self.read(tag).map(|_| ())
    }
}

/// Encodes one DER element.
pub fn der(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len < 0x10000 {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(value);
    out
}

/// A DER INTEGER holding the unsigned big-endian number `n`.
pub fn der_uint(n: &[u8]) -> Vec<u8> {
    let start = n.iter().position(|&b| b != 0).unwrap_or(n.len());
    let n = &n[start..];
    let mut v = Vec::with_capacity(n.len() + 1);
    if n.first().is_none_or(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(n);
    der(INTEGER, &v)
}

/// The unsigned value of a DER INTEGER's contents, left-padded to `width` bytes.
pub fn uint_to_fixed(int: &[u8], width: usize) -> Option<Vec<u8>> {
    let start = int.iter().position(|&b| b != 0).unwrap_or(int.len());
    let int = &int[start..];
    if int.len() > width {
        return None;
    }
    let mut out = vec![0; width - int.len()];
    out.extend_from_slice(int);
    Some(out)
}

/// ECDSA signature `r || s` (each `width` bytes) as DER `SEQUENCE { r INTEGER, s INTEGER }`.
pub fn ecdsa_fixed_to_der(fixed: &[u8]) -> Vec<u8> {
    let (r, s) = fixed.split_at(fixed.len() / 2);
    der(SEQUENCE, &[der_uint(r), der_uint(s)].concat())
}

/// A DER ECDSA signature as `r || s` with `width`-byte halves.
pub fn ecdsa_der_to_fixed(sig: &[u8], width: usize) -> CResult<Vec<u8>> {
    let bad = Errno::INVALID_SIGNATURE;
    let mut outer = Der::new(sig);
    let body = outer.read(SEQUENCE).ok_or(bad)?;
    if !outer.is_empty() {
        return Err(bad);
    }
    let mut inner = Der::new(body);
    let r = inner.read(INTEGER).ok_or(bad)?;
    let s = inner.read(INTEGER).ok_or(bad)?;
    if !inner.is_empty() {
        return Err(bad);
    }
    let mut out = uint_to_fixed(r, width).ok_or(bad)?;
    out.extend(uint_to_fixed(s, width).ok_or(bad)?);
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64, ignoring whitespace.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    (padding <= 2).then_some(out)
}

/// A PEM document with `label` around `der`.
pub fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

/// The DER inside a PEM document labelled `label`.
pub fn unpem(label: &str, text: &[u8]) -> CResult<Vec<u8>> {
    let bad = Errno::UNSUPPORTED_ENCODING;
    let text = std::str::from_utf8(text).map_err(|_| bad)?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).ok_or(bad)? + begin.len();
    let stop = text[start..].find(&end).ok_or(bad)? + start;
    unbase64(&text[start..stop]).ok_or(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
            assert_eq!(unbase64(enc).unwrap(), raw.as_bytes());
        }
        assert!(unbase64("Zm=9").is_none());
        let p = pem("PUBLIC KEY", &[1, 2, 3]);
        assert_eq!(unpem("PUBLIC KEY", &p).unwrap(), [1, 2, 3]);
        assert_eq!(
            unpem("PRIVATE KEY", &p).unwrap_err(),
            Errno::UNSUPPORTED_ENCODING
        );
    }

    #[test]
    fn der_and_ecdsa_signatures() {
        let mut fixed = vec![0u8; 64];
        fixed[0] = 0x80;
        fixed[63] = 1;
        let d = ecdsa_fixed_to_der(&fixed);
        assert_eq!(&d[..5], &[0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&d[d.len() - 3..], &[0x02, 0x01, 0x01]);
        assert_eq!(ecdsa_der_to_fixed(&d, 32).unwrap(), fixed);
        assert!(ecdsa_der_to_fixed(&d[..10], 32).is_err());
        let long = der(OCTET_STRING, &[7u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(Der::new(&long).read(OCTET_STRING).unwrap().len(), 300);
    }
}
