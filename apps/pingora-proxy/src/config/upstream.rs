//! `upstreams[]`: server lists, active health checks, load balancing and timeouts.

use super::defaults;
use super::units::de_duration;
use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    pub name: String,
    pub servers: Vec<ServerEntry>,
    #[serde(default)]
    pub health_check: HealthCheckConfig,
    #[serde(default)]
    pub load_balancing: LoadBalancingConfig,
    #[serde(
        default = "defaults::connect_timeout",
        deserialize_with = "de_duration"
    )]
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response (also between SSE events).
    #[serde(default = "defaults::read_timeout", deserialize_with = "de_duration")]
    pub read_timeout: Duration,
    /// How long an idle pooled upstream connection is kept.
    #[serde(
        default = "defaults::upstream_idle_timeout",
        deserialize_with = "de_duration"
    )]
    pub idle_timeout: Duration,
}

/// One upstream server: `"host:port"` or `{address: "host:port", weight: 3}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    pub address: String,
    pub weight: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckConfig {
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    #[serde(default = "defaults::health_path")]
    pub path: String,
    #[serde(
        default = "defaults::health_interval",
        deserialize_with = "de_duration"
    )]
    pub interval: Duration,
    #[serde(default = "defaults::health_timeout", deserialize_with = "de_duration")]
    pub timeout: Duration,
    /// Consecutive failed checks before a server is marked down.
    #[serde(default = "defaults::health_retries")]
    pub retries: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Weighted round-robin (every weight defaults to 1).
    RoundRobin,
    /// Same algorithm as `round_robin`; the name states that weights are meant.
    Weighted,
    /// Ketama consistent hashing on the client IP, so a client sticks to one server.
    ConsistentHash,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancingConfig {
    #[serde(default = "defaults::algorithm")]
    pub algorithm: Algorithm,
    /// Passive health, as nginx: this many failures within `fail_timeout` take a server out of
    /// rotation for `fail_timeout`. 0 disables it.
    #[serde(default = "defaults::max_fails")]
    pub max_fails: u32,
    #[serde(default = "defaults::fail_timeout", deserialize_with = "de_duration")]
    pub fail_timeout: Duration,
}

impl<'de> Deserialize<'de> for ServerEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            address: String,
            #[serde(default = "one")]
            weight: usize,
        }
        fn one() -> usize {
            1
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServerEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"host:port\" or {address: \"host:port\", weight: N}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ServerEntry, E> {
                Ok(ServerEntry {
                    address: v.to_string(),
                    weight: 1,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ServerEntry, A::Error> {
                let full = Full::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ServerEntry {
                    address: full.address,
                    weight: full.weight,
                })
            }
        }
        d.deserialize_any(V)
    }
}
