//! The network permission policy of a guest: which sockets it may create and which addresses
//! it may bind, connect or send to.
//!
//! As in WasmEdge, IP networking is allowed by default and AF_UNIX needs an explicit switch
//! (without it `sock_open(AF_UNIX)` is `ENOSYS`, WasmEdge's answer). On top of that an embedder
//! (the CLI's `--net-deny-all` / `--net-allow`) can deny all IP networking or allow only listed
//! addresses; a refused guest gets `EACCES` before any system call is made, so a refusal never
//! opens a connection. Rules are checked against the addresses the guest names (bind, connect,
//! send_to targets); IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry.
//! This module only decides; it must not perform I/O.

use crate::errno::{Errno, WasiResult};
use crate::net::addr::{Addr, family};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One `--net-allow` rule: `ADDR[/PREFIX][:PORT]` (IPv6 with a port in brackets:
/// `[::1]:8080`, `[fd00::]/8:443`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetRule {
    pub net: IpAddr,
    pub prefix: u8,
    /// `None`: every port.
    pub port: Option<u16>,
}

impl NetRule {
    /// True if `ip:port` is covered by the rule.
    pub fn matches(&self, ip: IpAddr, port: u16) -> bool {
        if self.port.is_some_and(|p| p != port) {
            return false;
        }
        match (canonical(self.net), canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(&n.octets(), &a.octets(), self.prefix.min(32))
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                prefix_eq(&n.octets(), &a.octets(), self.prefix.min(128))
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

impl FromStr for NetRule {
    type Err = String;

    fn from_str(s: &str) -> Result<NetRule, String> {
        let bad = |why: &str| {
            format!(
                "invalid network rule \"{s}\": {why} (expected ADDR[/PREFIX][:PORT], IPv6 with a port as [ADDR]/PREFIX:PORT)"
            )
        };
        let (addr_text, rest) = if let Some(inner) = s.strip_prefix('[') {
            let (a, r) = inner.split_once(']').ok_or_else(|| bad("missing ']'"))?;
            (a, r)
        } else if s.matches(':').count() > 1 {
            // A bare IPv6 address (with an optional prefix): no port possible.
            match s.split_once('/') {
                Some((a, _)) => (a, &s[a.len()..]),
                None => (s, ""),
            }
        } else {
            match s.find(['/', ':']) {
                Some(i) => (&s[..i], &s[i..]),
                None => (s, ""),
            }
        };
        let net: IpAddr = addr_text.parse().map_err(|_| bad("not an IP address"))?;
        let (prefix_text, port_text) = match rest.strip_prefix('/') {
            Some(r) => match r.split_once(':') {
                Some((p, port)) => (Some(p), Some(port)),
                None => (Some(r), None),
            },
            None if rest.is_empty() => (None, None),
            None => match rest.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return Err(bad("unexpected text after the address")),
            },
        };
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_text {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| bad("bad prefix length"))?,
            None => max,
        };
        let port = match port_text {
            Some(p) => Some(p.parse::<u16>().map_err(|_| bad("bad port"))?),
            None => None,
        };
        Ok(NetRule { net, prefix, port })
    }
}

impl fmt::Display for NetRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.net, self.port) {
            (IpAddr::V6(a), Some(p)) => write!(f, "[{a}]/{}:{p}", self.prefix),
            (a, Some(p)) => write!(f, "{a}/{}:{p}", self.prefix),
            (a, None) => write!(f, "{a}/{}", self.prefix),
        }
    }
}

/// What IP networking a guest may do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IpAccess {
    /// Everything (WasmEdge's default).
    #[default]
    All,
    /// Nothing: `sock_open` and `sock_getaddrinfo` fail with `EACCES`.
    None,
    /// Sockets may be created and names resolved, but only addresses matching a rule may be
    /// bound, connected or sent to.
    Only(Vec<NetRule>),
}

/// A guest's network permissions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetPolicy {
    pub ip: IpAccess,
    /// AF_UNIX sockets (`--allow-af-unix`); independent of `ip`.
    pub allow_unix: bool,
}

impl NetPolicy {
    /// May a socket of this WASI family be created? AF_UNIX without permission is `ENOSYS`
    /// (as in WasmEdge), denied IP networking `EACCES`.
    pub fn check_open(&self, fam: u8) -> WasiResult<()> {
        match fam {
            family::UNIX if self.allow_unix => Ok(()),
            family::UNIX => Err(Errno::NoSys),
            _ if self.ip == IpAccess::None => Err(Errno::Acces),
            _ => Ok(()),
        }
    }

    /// May the guest bind, connect or send to `addr:port`?
    pub fn check_addr(&self, addr: &Addr, port: u16) -> WasiResult<()> {
        match addr {
            Addr::Unix(_) if self.allow_unix => Ok(()),
            Addr::Unix(_) => Err(Errno::Acces),
            Addr::Ip(ip) => match &self.ip {
                IpAccess::All => Ok(()),
                IpAccess::None => Err(Errno::Acces),
                IpAccess::Only(rules) if rules.iter().any(|r| r.matches(*ip, port)) => Ok(()),
                IpAccess::Only(_) => Err(Errno::Acces),
            },
        }
    }

    /// May the guest resolve names (`sock_getaddrinfo`)?
    pub fn check_resolve(&self) -> WasiResult<()> {
        if self.ip == IpAccess::None {
            Err(Errno::Acces)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn rule(s: &str) -> NetRule {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }
    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        Ipv4Addr::new(a, b, c, d).into()
    }

    #[test]
    fn rule_syntax() {
        let r = rule("127.0.0.1");
        assert_eq!((r.net, r.prefix, r.port), (v4(127, 0, 0, 1), 32, None));
        let r = rule("10.0.0.0/8:443");
        assert_eq!((r.net, r.prefix, r.port), (v4(10, 0, 0, 0), 8, Some(443)));
        let r = rule("127.0.0.1:8080");
        assert_eq!((r.prefix, r.port), (32, Some(8080)));
        let r = rule("::1");
        assert_eq!(
            (r.net, r.prefix, r.port),
            (Ipv6Addr::LOCALHOST.into(), 128, None)
        );
        let r = rule("fd00::/8");
        assert_eq!((r.prefix, r.port), (8, None));
        let r = rule("[::1]:80");
        assert_eq!((r.prefix, r.port), (128, Some(80)));
        let r = rule("[fd00::]/16:53");
        assert_eq!((r.prefix, r.port), (16, Some(53)));
        for bad in [
            "",
            "localhost",
            "1.2.3",
            "1.2.3.4/33",
            "::1/129",
            "1.2.3.4:99999",
            "1.2.3.4:",
            "[::1",
            "[::1]x",
            "1.2.3.4/8/9",
            "1.2.3.4x",
            "[::1]/",
            "1.2.3.4/-1",
        ] {
            assert!(bad.parse::<NetRule>().is_err(), "{bad:?} was accepted");
        }
        // Display is parseable again.
        for s in ["10.0.0.0/8:443", "[fd00::]/16:53", "::1", "1.2.3.4"] {
            assert_eq!(rule(&rule(s).to_string()), rule(s));
        }
    }

    #[test]
    fn rule_matching() {
        let r = rule("10.1.0.0/16");
        assert!(r.matches(v4(10, 1, 200, 3), 1));
        assert!(!r.matches(v4(10, 2, 0, 0), 1));
        let r = rule("192.168.1.128/25:80");
        assert!(r.matches(v4(192, 168, 1, 200), 80));
        assert!(!r.matches(v4(192, 168, 1, 127), 80));
        assert!(!r.matches(v4(192, 168, 1, 200), 81));
        let r = rule("0.0.0.0/0");
        assert!(r.matches(v4(8, 8, 8, 8), 53));
        assert!(
            !r.matches(Ipv6Addr::LOCALHOST.into(), 53),
            "v4 rule, v6 address"
        );
        // IPv4-mapped IPv6 is checked as IPv4 (no bypass through ::ffff:a.b.c.d).
        let mapped: IpAddr = Ipv4Addr::LOCALHOST.to_ipv6_mapped().into();
        assert!(rule("127.0.0.1").matches(mapped, 5));
        assert!(!rule("10.0.0.0/8").matches(mapped, 5));
        let r = rule("fd00::/8");
        assert!(r.matches("fdff::1".parse().unwrap(), 9));
        assert!(!r.matches("fe00::1".parse().unwrap(), 9));
    }

    #[test]
    fn default_allows_ip_but_not_unix() {
        let p = NetPolicy::default();
        assert_eq!(p.check_open(family::INET4), Ok(()));
        assert_eq!(p.check_open(family::INET6), Ok(()));
        assert_eq!(p.check_open(family::UNIX), Err(Errno::NoSys));
        assert_eq!(p.check_addr(&Addr::Ip(v4(1, 2, 3, 4)), 80), Ok(()));
        assert_eq!(
            p.check_addr(&Addr::Unix(b"/x".to_vec()), 0),
            Err(Errno::Acces)
        );
        assert_eq!(p.check_resolve(), Ok(()));
    }

    #[test]
    fn deny_all() {
        let p = NetPolicy {
            ip: IpAccess::None,
            allow_unix: false,
        };
        assert_eq!(p.check_open(family::INET4), Err(Errno::Acces));
        assert_eq!(p.check_open(family::INET6), Err(Errno::Acces));
        assert_eq!(p.check_open(family::UNIX), Err(Errno::NoSys));
        assert_eq!(
            p.check_addr(&Addr::Ip(v4(127, 0, 0, 1)), 80),
            Err(Errno::Acces)
        );
        assert_eq!(p.check_resolve(), Err(Errno::Acces));
        let p = NetPolicy {
            ip: IpAccess::None,
            allow_unix: true,
        };
        assert_eq!(p.check_open(family::UNIX), Ok(()));
        assert_eq!(p.check_addr(&Addr::Unix(b"/x".to_vec()), 0), Ok(()));
    }

    #[test]
    fn allow_list() {
        let p = NetPolicy {
            ip: IpAccess::Only(vec![rule("127.0.0.1:8080"), rule("[::1]")]),
            allow_unix: false,
        };
        assert_eq!(p.check_open(family::INET4), Ok(()));
        assert_eq!(p.check_resolve(), Ok(()));
        assert_eq!(p.check_addr(&Addr::Ip(v4(127, 0, 0, 1)), 8080), Ok(()));
        assert_eq!(
            p.check_addr(&Addr::Ip(v4(127, 0, 0, 1)), 8081),
            Err(Errno::Acces)
        );
        assert_eq!(
            p.check_addr(&Addr::Ip(v4(127, 0, 0, 2)), 8080),
            Err(Errno::Acces)
        );
        assert_eq!(
            p.check_addr(&Addr::Ip(Ipv6Addr::LOCALHOST.into()), 1),
            Ok(())
        );
        // Ephemeral bind (port 0) is only covered by a rule without a port.
        assert_eq!(
            p.check_addr(&Addr::Ip(v4(127, 0, 0, 1)), 0),
            Err(Errno::Acces)
        );
    }
}
