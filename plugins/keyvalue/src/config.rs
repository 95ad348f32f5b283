//! The plug-in's options (`--kv-dir`, `--kv-url`, `--kv-bucket`, `--kv-max-key-size`,
//! `--kv-max-value-size`) parsed into a [`Config`], and the rules for bucket identifiers.
//!
//! Parsing and validation only: opening a backend is `backend`'s job.

use std::path::PathBuf;
use wasmedge_plugin_sdk::InitContext;

/// `--kv-dir DIR`: the folder holding the redb database file.
pub const DIR_OPTION: &str = "kv-dir";
/// `--kv-url redis://HOST:PORT/DB`: use Redis instead of the embedded store.
pub const URL_OPTION: &str = "kv-url";
/// `--kv-bucket NAME[:ro]` (repeatable): the only buckets guests may open.
pub const BUCKET_OPTION: &str = "kv-bucket";
/// `--kv-max-key-size BYTES`.
pub const MAX_KEY_OPTION: &str = "kv-max-key-size";
/// `--kv-max-value-size BYTES`.
pub const MAX_VALUE_OPTION: &str = "kv-max-value-size";

/// The default largest key, in bytes.
pub const DEFAULT_MAX_KEY: usize = 4096;
/// The default largest value, in bytes (1 MiB).
pub const DEFAULT_MAX_VALUE: usize = 1 << 20;
/// The largest limit accepted for either (Redis's own string limit is 512 MiB).
pub const LIMIT_CEILING: usize = 512 << 20;
/// The longest bucket identifier.
pub const MAX_BUCKET_NAME: usize = 64;
/// The file name of the redb database inside the store folder.
pub const DB_FILE: &str = "keyvalue.redb";

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The embedded redb store in this folder.
    Dir(PathBuf),
    /// A Redis server (the URL as given).
    Redis(String),
}

/// One bucket allowed by `--kv-bucket`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedBucket {
    pub name: String,
    pub read_only: bool,
}

/// The plug-in's configuration for one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub location: Location,
    /// Empty: every well-formed identifier may be opened.
    pub buckets: Vec<AllowedBucket>,
    pub max_key: usize,
    pub max_value: usize,
}

/// What `open(identifier)` may do with a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

impl Config {
    /// Builds the configuration from the command-line option values.
    pub fn from_init(init: &InitContext) -> Result<Config, String> {
        let values = |name: &str| init.values(name).into_iter().map(str::to_string).collect();
        Config::parse(
            init.value(DIR_OPTION),
            init.value(URL_OPTION),
            values(BUCKET_OPTION),
            init.value(MAX_KEY_OPTION),
            init.value(MAX_VALUE_OPTION),
            &|name| std::env::var_os(name),
        )
    }

    /// The same from plain values (`env` looks up environment variables).
    pub fn parse(
        dir: Option<&str>,
        url: Option<&str>,
        buckets: Vec<String>,
        max_key: Option<&str>,
        max_value: Option<&str>,
        env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Config, String> {
        let location = match (dir, url) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "--{DIR_OPTION} and --{URL_OPTION} exclude each other (redb store or Redis)"
                ));
            }
            (_, Some(url)) => {
                if !(url.starts_with("redis://") || url.starts_with("redis+unix://")) {
                    return Err(format!(
                        "--{URL_OPTION} {url}: expected redis://HOST:PORT/DB (or redis+unix://PATH)"
                    ));
                }
                Location::Redis(url.to_string())
            }
            (Some(""), None) => return Err(format!("--{DIR_OPTION}: empty path")),
            (Some(dir), None) => Location::Dir(PathBuf::from(dir)),
            (None, None) => Location::Dir(default_dir(env)?),
        };
        let mut allowed = Vec::new();
        for spec in buckets.iter().flat_map(|v| v.split(',')) {
            let (name, read_only) = match spec.strip_suffix(":ro") {
                Some(name) => (name, true),
                None => (spec.strip_suffix(":rw").unwrap_or(spec), false),
            };
            if !valid_bucket_name(name) {
                return Err(format!(
                    "--{BUCKET_OPTION} {spec}: a bucket name is 1 to {MAX_BUCKET_NAME} of the \
                     characters A-Z a-z 0-9 _ . - (optionally followed by :ro)"
                ));
            }
            allowed.retain(|b: &AllowedBucket| b.name != name);
            allowed.push(AllowedBucket {
                name: name.to_string(),
                read_only,
            });
        }
        Ok(Config {
            location,
            buckets: allowed,
            max_key: limit(MAX_KEY_OPTION, max_key, DEFAULT_MAX_KEY)?,
            max_value: limit(MAX_VALUE_OPTION, max_value, DEFAULT_MAX_VALUE)?,
        })
    }

    /// The bucket name `identifier` opens and how, or `None` (`no-such-store`). The empty
    /// identifier (what wasmtime's provider serves) is the bucket `default`.
    pub fn resolve(&self, identifier: &str) -> Option<(String, Access)> {
        let name = if identifier.is_empty() {
            "default"
        } else {
            identifier
        };
        if !valid_bucket_name(name) {
            return None;
        }
        if self.buckets.is_empty() {
            return Some((name.to_string(), Access::ReadWrite));
        }
        self.buckets.iter().find(|b| b.name == name).map(|b| {
            let access = if b.read_only {
                Access::ReadOnly
            } else {
                Access::ReadWrite
            };
            (b.name.clone(), access)
        })
    }
}

/// True for 1 to 64 characters from `A-Z a-z 0-9 _ . -` (no glob or separator characters, so
/// a name is safe inside a Redis key prefix and a `SCAN MATCH` pattern).
pub fn valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_BUCKET_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn limit(option: &str, value: Option<&str>, default: usize) -> Result<usize, String> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.parse::<usize>() {
        Ok(n) if (1..=LIMIT_CEILING).contains(&n) => Ok(n),
        _ => Err(format!(
            "--{option} {text}: expected a number of bytes from 1 to {LIMIT_CEILING}"
        )),
    }
}

/// `$XDG_DATA_HOME/wasmedge/keyvalue`, else `$HOME/.local/share/wasmedge/keyvalue`.
fn default_dir(env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    let non_empty = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(data) = non_empty("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return Ok(data.join("wasmedge/keyvalue"));
    }
    match non_empty("HOME") {
        Some(home) => Ok(home.join(".local/share/wasmedge/keyvalue")),
        None => Err(format!(
            "no store folder: neither XDG_DATA_HOME nor HOME is set; pass --{DIR_OPTION} DIR"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(
        vars: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<std::ffi::OsString> {
        move |n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.into())
    }

    #[test]
    fn default_folder_follows_xdg_then_home() {
        let c = Config::parse(None, None, vec![], None, None, &env(&[("HOME", "/h")])).unwrap();
        assert_eq!(
            c.location,
            Location::Dir("/h/.local/share/wasmedge/keyvalue".into())
        );
        let c = Config::parse(
            None,
            None,
            vec![],
            None,
            None,
            &env(&[("HOME", "/h"), ("XDG_DATA_HOME", "/x")]),
        )
        .unwrap();
        assert_eq!(c.location, Location::Dir("/x/wasmedge/keyvalue".into()));
        assert!(Config::parse(None, None, vec![], None, None, &env(&[])).is_err());
    }

    #[test]
    fn options_are_validated() {
        let e = env(&[("HOME", "/h")]);
        assert!(Config::parse(Some("/d"), Some("redis://x"), vec![], None, None, &e).is_err());
        assert!(Config::parse(None, Some("http://x"), vec![], None, None, &e).is_err());
        assert!(Config::parse(None, None, vec!["a b".into()], None, None, &e).is_err());
        assert!(Config::parse(None, None, vec![], Some("0"), None, &e).is_err());
        assert!(Config::parse(None, None, vec![], None, Some("lots"), &e).is_err());
        let c = Config::parse(None, None, vec![], Some("10"), Some("20"), &e).unwrap();
        assert_eq!((c.max_key, c.max_value), (10, 20));
    }

    #[test]
    fn buckets_resolve_through_the_allow_list() {
        let e = env(&[("HOME", "/h")]);
        let open = Config::parse(None, None, vec![], None, None, &e).unwrap();
        assert_eq!(
            open.resolve(""),
            Some(("default".into(), Access::ReadWrite))
        );
        assert_eq!(
            open.resolve("a.b-c_9"),
            Some(("a.b-c_9".into(), Access::ReadWrite))
        );
        assert_eq!(open.resolve("a*"), None);
        assert_eq!(open.resolve(&"x".repeat(65)), None);
        let listed = Config::parse(None, None, vec!["cfg:ro,data".into()], None, None, &e).unwrap();
        assert_eq!(
            listed.resolve("cfg"),
            Some(("cfg".into(), Access::ReadOnly))
        );
        assert_eq!(
            listed.resolve("data"),
            Some(("data".into(), Access::ReadWrite))
        );
        assert_eq!(listed.resolve("other"), None);
    }
}
