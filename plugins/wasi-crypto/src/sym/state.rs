//! The symmetric state machine (`symmetric_state_*`): what each algorithm family does on
//! open, absorb, squeeze, squeeze_tag, squeeze_key, encrypt and decrypt, with WasmEdge's
//! length rules. Operations a family does not have give `invalid_operation`.
//!
//! - hash: absorb = data; squeeze(n ≤ digest length) = truncated digest, more is
//!   `invalid_length`; a key is `key_not_supported`.
//! - HMAC: key required; absorb = data; squeeze_tag = the MAC.
//! - HKDF-EXTRACT: key = IKM; absorb = salt; squeeze_key(HKDF-EXPAND/same hash) = the PRK.
//! - HKDF-EXPAND: key = PRK; absorb = info; squeeze(n) = OKM (n ≤ 255 × hash length).
//! - AEAD: key required; options `nonce` required (12 bytes, else `invalid_nonce`); absorb =
//!   associated data; encrypt writes ciphertext ‖ tag (out = in + 16 exactly), decrypt the
//!   reverse; a wrong tag is `invalid_tag` and nothing is written.
//!
//! No guest memory and no handle tables here.

use super::{AEAD_NONCE_LEN, AEAD_TAG_LEN, Aead, Hash, SymAlg, SymKey};
use crate::errno::{CResult, Errno};
use crate::options::{AlgType, Options};
use crate::secret::Secret;
use ring::{aead, digest, hkdf, hmac};

/// The per-family state.
#[derive(Clone)]
enum Kind {
    Hash(digest::Context),
    Hmac(hmac::Context),
    Extract {
        ikm: Secret,
        salt: Vec<u8>,
    },
    Expand {
        prk: Secret,
        info: Vec<u8>,
    },
    Aead {
        key: Secret,
        nonce: [u8; AEAD_NONCE_LEN],
        ad: Vec<u8>,
    },
}

/// A symmetric state.
#[derive(Clone)]
pub struct SymState {
    pub alg: SymAlg,
    options: Option<Options>,
    kind: Kind,
}

/// An HKDF output length for ring.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl SymState {
    /// `symmetric_state_open`.
    pub fn open(alg: SymAlg, key: Option<&SymKey>, options: Option<&Options>) -> CResult<SymState> {
        if let Some(o) = options
            && o.alg_type != AlgType::Symmetric
        {
            return Err(Errno::INVALID_HANDLE);
        }
        if let Some(k) = key
            && k.alg != alg
        {
            return Err(Errno::INVALID_KEY);
        }
        let need_key = || key.map(|k| k.bytes.clone()).ok_or(Errno::KEY_REQUIRED);
        let kind = match alg {
            SymAlg::Hash(h) => {
                if key.is_some() {
                    return Err(Errno::KEY_NOT_SUPPORTED);
                }
                Kind::Hash(digest::Context::new(h.digest()))
            }
            SymAlg::Hmac(h) => {
                let k = need_key()?;
                Kind::Hmac(hmac::Context::with_key(&hmac::Key::new(
                    h.hmac(),
                    k.bytes(),
                )))
            }
            SymAlg::HkdfExtract(_) => Kind::Extract {
                ikm: need_key()?,
                salt: Vec::new(),
            },
            SymAlg::HkdfExpand(_) => Kind::Expand {
                prk: need_key()?,
                info: Vec::new(),
            },
            SymAlg::Aead(_) => {
                let key = need_key()?;
                let nonce = match options.map(|o| o.get("nonce")) {
                    None | Some(Err(Errno::OPTION_NOT_SET)) => return Err(Errno::NONCE_REQUIRED),
                    Some(Err(e)) => return Err(e),
                    Some(Ok(n)) => n,
                };
                let nonce = nonce.try_into().map_err(|_| Errno::INVALID_NONCE)?;
                Kind::Aead {
                    key,
                    nonce,
                    ad: Vec::new(),
                }
            }
        };
        Ok(SymState {
            alg,
            options: options.cloned(),
            kind,
        })
    }

    /// `symmetric_state_options_get`.
    pub fn options_get(&self, name: &str) -> CResult<&[u8]> {
        match &self.options {
            Some(o) => o.get(name),
            None => Options::new(AlgType::Symmetric).get(name).map(|_| &[][..]),
        }
    }

    /// `symmetric_state_options_get_u64`.
    pub fn options_get_u64(&self, name: &str) -> CResult<u64> {
        match &self.options {
            Some(o) => o.get_u64(name),
            None => Options::new(AlgType::Symmetric).get_u64(name),
        }
    }

    /// `symmetric_state_absorb`.
    pub fn absorb(&mut self, data: &[u8]) -> CResult<()> {
        match &mut self.kind {
            Kind::Hash(c) => c.update(data),
            Kind::Hmac(c) => c.update(data),
            Kind::Extract { salt, .. } => salt.extend_from_slice(data),
            Kind::Expand { info, .. } => info.extend_from_slice(data),
            Kind::Aead { ad, .. } => ad.extend_from_slice(data),
        }
        Ok(())
    }

    /// `symmetric_state_squeeze`: `n` bytes of output.
    pub fn squeeze(&mut self, n: usize) -> CResult<Secret> {
        match (&self.kind, self.alg) {
            (Kind::Hash(c), SymAlg::Hash(h)) => {
                if n > h.output_len() {
                    return Err(Errno::INVALID_LENGTH);
                }
                let d = c.clone().finish();
                Ok(Secret::from_slice(&d.as_ref()[..n]))
            }
            (Kind::Expand { prk, info }, SymAlg::HkdfExpand(h)) => {
                let prk = hkdf::Prk::new_less_safe(h.hkdf(), prk.bytes());
                let info = [info.as_slice()];
                let okm = prk
                    .expand(&info, Len(n))
                    .map_err(|_| Errno::INVALID_LENGTH)?;
                let mut out = Secret::new(vec![0; n]);
                okm.fill(out.bytes_mut())
                    .map_err(|_| Errno::INVALID_LENGTH)?;
                Ok(out)
            }
            _ => Err(Errno::INVALID_OPERATION),
        }
    }

    /// `symmetric_state_squeeze_tag`: the MAC of everything absorbed so far.
    pub fn squeeze_tag(&mut self) -> CResult<Vec<u8>> {
        match &self.kind {
            Kind::Hmac(c) => Ok(c.clone().sign().as_ref().to_vec()),
            _ => Err(Errno::INVALID_OPERATION),
        }
    }

    /// `symmetric_state_squeeze_key`: the PRK of HKDF-EXTRACT as an `HKDF-EXPAND` key of the
    /// same hash.
    pub fn squeeze_key(&mut self, alg: SymAlg) -> CResult<SymKey> {
        let (Kind::Extract { ikm, salt }, SymAlg::HkdfExtract(h)) = (&self.kind, self.alg) else {
            return Err(Errno::INVALID_OPERATION);
        };
        if alg != SymAlg::HkdfExpand(h) {
            return Err(Errno::UNSUPPORTED_ALGORITHM);
        }
        Ok(SymKey {
            alg,
            bytes: extract(h, salt, ikm.bytes()),
        })
    }

    /// `symmetric_state_max_tag_len`.
    pub fn max_tag_len(&self) -> CResult<usize> {
        match self.alg {
            SymAlg::Aead(_) => Ok(AEAD_TAG_LEN),
            SymAlg::Hmac(h) => Ok(h.output_len()),
            _ => Err(Errno::INVALID_OPERATION),
        }
    }

    fn aead(&self) -> CResult<(aead::LessSafeKey, aead::Nonce, &[u8])> {
        let (Kind::Aead { key, nonce, ad }, SymAlg::Aead(a)) = (&self.kind, self.alg) else {
            return Err(Errno::INVALID_OPERATION);
        };
        Ok((
            less_safe_key(a, key)?,
            aead::Nonce::assume_unique_for_key(*nonce),
            ad,
        ))
    }

    /// `symmetric_state_encrypt_detached`: the ciphertext (as long as `data`) and the tag.
    pub fn encrypt_detached(&mut self, out_len: usize, data: &[u8]) -> CResult<(Vec<u8>, Vec<u8>)> {
        let (key, nonce, ad) = self.aead()?;
        if out_len != data.len() {
            return Err(Errno::INVALID_LENGTH);
        }
        let mut buf = data.to_vec();
        let tag = key
            .seal_in_place_separate_tag(nonce, aead::Aad::from(ad), &mut buf)
            .map_err(|_| Errno::ALGORITHM_FAILURE)?;
        Ok((buf, tag.as_ref().to_vec()))
    }

    /// `symmetric_state_encrypt`: ciphertext ‖ tag; `out_len` must be `data.len() + 16`.
    pub fn encrypt(&mut self, out_len: usize, data: &[u8]) -> CResult<Vec<u8>> {
        self.aead()?;
        if out_len != data.len() + AEAD_TAG_LEN {
            return Err(Errno::INVALID_LENGTH);
        }
        let (mut ct, tag) = self.encrypt_detached(data.len(), data)?;
        ct.extend_from_slice(&tag);
        Ok(ct)
    }

    /// `symmetric_state_decrypt_detached`: the plaintext of `data` authenticated by `tag`.
    pub fn decrypt_detached(&mut self, out_len: usize, data: &[u8], tag: &[u8]) -> CResult<Secret> {
        let (key, nonce, ad) = self.aead()?;
        if out_len != data.len() {
            return Err(Errno::INVALID_LENGTH);
        }
        if tag.len() != AEAD_TAG_LEN {
            return Err(Errno::INVALID_TAG);
        }
        let mut buf = Secret::new([data, tag].concat());
        let plain = key
            .open_in_place(nonce, aead::Aad::from(ad), buf.bytes_mut())
            .map_err(|_| Errno::INVALID_TAG)?;
        Ok(Secret::from_slice(plain))
    }

    /// `symmetric_state_decrypt`: `data` is ciphertext ‖ tag; `out_len` must be
    /// `data.len() - 16`.
    pub fn decrypt(&mut self, out_len: usize, data: &[u8]) -> CResult<Secret> {
        self.aead()?;
        if data.len() < AEAD_TAG_LEN || out_len != data.len() - AEAD_TAG_LEN {
            return Err(Errno::INVALID_LENGTH);
        }
        let (ct, tag) = data.split_at(data.len() - AEAD_TAG_LEN);
        self.decrypt_detached(ct.len(), ct, tag)
    }

    /// `symmetric_state_ratchet`: none of the supported algorithms can ratchet.
    pub fn ratchet(&mut self) -> CResult<()> {
        Err(Errno::UNSUPPORTED_FEATURE)
    }
}

/// HKDF-Extract: PRK = HMAC-Hash(salt, IKM) (RFC 5869 §2.2; an empty salt is the same as
/// HashLen zero bytes, as HMAC pads its key with zeroes).
pub fn extract(h: Hash, salt: &[u8], ikm: &[u8]) -> Secret {
    let tag = hmac::sign(&hmac::Key::new(h.hmac(), salt), ikm);
    Secret::from_slice(tag.as_ref())
}

fn less_safe_key(a: Aead, key: &Secret) -> CResult<aead::LessSafeKey> {
    let unbound = aead::UnboundKey::new(a.ring(), key.bytes()).map_err(|_| Errno::INVALID_KEY)?;
    Ok(aead::LessSafeKey::new(unbound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(alg: SymAlg, bytes: &[u8]) -> SymKey {
        SymKey {
            alg,
            bytes: Secret::from_slice(bytes),
        }
    }

    #[test]
    fn hash_and_aead_rules() {
        let sha = SymAlg::parse("SHA-256").unwrap();
        let mut s = SymState::open(sha, None, None).unwrap();
        s.absorb(b"abc").unwrap();
        assert_eq!(s.squeeze(4).unwrap().bytes(), [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(s.squeeze(33).unwrap_err(), Errno::INVALID_LENGTH);
        assert_eq!(s.squeeze_tag().unwrap_err(), Errno::INVALID_OPERATION);

        let gcm = SymAlg::parse("AES-128-GCM").unwrap();
        let k = key(gcm, &[7; 16]);
        assert_eq!(
            SymState::open(gcm, Some(&k), None).err().unwrap(),
            Errno::NONCE_REQUIRED
        );
        let mut o = Options::new(AlgType::Symmetric);
        o.set("nonce", &[1; 11]).unwrap();
        assert_eq!(
            SymState::open(gcm, Some(&k), Some(&o)).err().unwrap(),
            Errno::INVALID_NONCE
        );
        o.set("nonce", &[1; 12]).unwrap();
        let mut s = SymState::open(gcm, Some(&k), Some(&o)).unwrap();
        s.absorb(b"ad").unwrap();
        let mut d = s.clone();
        assert_eq!(s.encrypt(5, b"hello").unwrap_err(), Errno::INVALID_LENGTH);
        let mut ct = s.encrypt(21, b"hello").unwrap();
        assert_eq!(d.decrypt(5, &ct).unwrap().bytes(), b"hello");
        ct[0] ^= 1;
        assert_eq!(d.decrypt(5, &ct).unwrap_err(), Errno::INVALID_TAG);
        assert_eq!(d.decrypt(0, &ct[..15]).unwrap_err(), Errno::INVALID_LENGTH);
    }
}
