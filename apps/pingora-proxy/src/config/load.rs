//! Reading the configuration: file, YAML with key paths, environment overrides, validation.

use super::{
    apply_env_overrides, Config, ConfigError, EnvError, CONFIG_PATH_ENV, DEFAULT_CONFIG_PATH,
};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why the configuration could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
    /// YAML syntax or shape, with the key path (e.g. `upstreams[0].health_check`).
    Parse {
        file: PathBuf,
        key: String,
        message: String,
    },
    Env(EnvError),
    Invalid {
        file: PathBuf,
        errors: Vec<ConfigError>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LoadError::Read { file, error } => write!(f, "cannot read {}: {error}", file.display()),
            LoadError::Parse { file, key, message } => {
                write!(f, "{}: {key}: {message}", file.display())
            }
            LoadError::Env(e) => write!(f, "{e}"),
            LoadError::Invalid { file, errors } => {
                write!(f, "{}: {} error(s)", file.display(), errors.len())?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl Config {
    /// Parses YAML; `Err` carries the key path of the offending value.
    pub fn from_yaml_str(text: &str) -> Result<Config, (String, String)> {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let key = if key == "." {
                "(root)".to_string()
            } else {
                key
            };
            (key, e.into_inner().to_string())
        })
    }

    /// Reads, applies environment overrides (see [`apply_env_overrides`]) and validates.
    pub fn load(file: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, LoadError> {
        let text = std::fs::read_to_string(file).map_err(|error| LoadError::Read {
            file: file.to_path_buf(),
            error,
        })?;
        let mut config =
            Config::from_yaml_str(&text).map_err(|(key, message)| LoadError::Parse {
                file: file.to_path_buf(),
                key,
                message,
            })?;
        apply_env_overrides(&mut config, env).map_err(LoadError::Env)?;
        config.validate().map_err(|errors| LoadError::Invalid {
            file: file.to_path_buf(),
            errors,
        })?;
        Ok(config)
    }

    pub fn upstream_index(&self, name: &str) -> Option<usize> {
        self.upstreams.iter().position(|u| u.name == name)
    }

    /// Files the configuration refers to that do not exist here (reported by `--validate`
    /// as warnings: production paths rarely exist on the machine that checks the file).
    pub fn missing_files(&self) -> Vec<(String, String)> {
        let mut missing = Vec::new();
        if self.server.tls.enabled {
            for (key, file) in [
                ("server.tls.cert_file", &self.server.tls.cert_file),
                ("server.tls.key_file", &self.server.tls.key_file),
            ] {
                if !file.is_empty() && !Path::new(file).exists() {
                    missing.push((key.to_string(), file.clone()));
                }
            }
        }
        missing
    }
}

/// The config path: `--config` if given, else `PINGORA_CONFIG`, else `config/default.yaml`.
pub fn resolve_path(cli: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    cli.map(PathBuf::from)
        .or_else(|| {
            env(CONFIG_PATH_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH))
}
