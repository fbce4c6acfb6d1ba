//! `routes[]`: prefix and host matching, edge auth rules, rate limits and body limits.

use super::defaults;
use super::units::{de_duration, de_size};
use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Label in metrics and logs; defaults to the prefix.
    #[serde(default)]
    pub name: Option<String>,
    /// Path prefix; the longest matching prefix wins.
    pub prefix: String,
    /// Optional `Host` to match (exact, case-insensitive, port ignored).
    #[serde(default)]
    pub host: Option<String>,
    pub upstream: String,
    #[serde(default)]
    pub auth: RouteAuth,
    #[serde(default)]
    pub rate_limit: Option<RateLimitConfig>,
    #[serde(default = "defaults::max_body_size", deserialize_with = "de_size")]
    pub max_body_size: u64,
}

impl RouteConfig {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.prefix)
    }
}

/// `auth: none`, or `auth: {type: jwt, audience: ..., scopes: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RouteAuth {
    #[default]
    None,
    Jwt(JwtRule),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtRule {
    /// Required `aud` (RFC 8707 resource identifier).
    pub audience: String,
    /// Every one of these must be in the token's `scope`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitKey {
    /// The client's IP address.
    Ip,
    /// The verified token's `client_id` (needs `auth: jwt`).
    Client,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests allowed per `window` and key.
    pub requests: u64,
    #[serde(default = "defaults::rate_window", deserialize_with = "de_duration")]
    pub window: Duration,
    #[serde(default = "defaults::rate_key")]
    pub key: RateLimitKey,
}

impl<'de> Deserialize<'de> for RouteAuth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, PartialEq)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            None,
            Jwt,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            #[serde(rename = "type")]
            kind: Kind,
            #[serde(default)]
            audience: Option<String>,
            #[serde(default)]
            scopes: Vec<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RouteAuth;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`none` or {type: jwt, audience: \"...\", scopes: [...]}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RouteAuth, E> {
                match v {
                    "none" => Ok(RouteAuth::None),
                    "jwt" => Err(E::custom(
                        "`jwt` needs an audience: write {type: jwt, audience: \"...\", scopes: [...]}",
                    )),
                    other => Err(E::custom(format!("unknown auth {other:?}, expected `none` or `jwt`"))),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<RouteAuth, E> {
                Ok(RouteAuth::None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RouteAuth, A::Error> {
                let full = Full::deserialize(MapAccessDeserializer::new(map))?;
                match full.kind {
                    Kind::None => {
                        if full.audience.is_some() || !full.scopes.is_empty() {
                            return Err(de::Error::custom(
                                "`type: none` takes no audience or scopes",
                            ));
                        }
                        Ok(RouteAuth::None)
                    }
                    Kind::Jwt => Ok(RouteAuth::Jwt(JwtRule {
                        // An empty audience is reported by validate(), with the key path.
                        audience: full.audience.unwrap_or_default(),
                        scopes: full.scopes,
                    })),
                }
            }
        }
        d.deserialize_any(V)
    }
}
