//! Loads the service configuration from a TOML-like `key = value` file.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::Path;

/// Default port when the file does not set one.
pub const DEFAULT_PORT: u16 = 8080;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub workers: usize,
}

#[derive(Debug)]
pub enum ConfigError {
    Io(std::io::Error),
    Parse { line: usize, message: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io(err) => write!(f, "cannot read config: {err}"),
            ConfigError::Parse { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

fn parse_pairs(text: &str) -> Result<HashMap<String, String>, ConfigError> {
    let mut pairs = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or(ConfigError::Parse {
            line: index + 1,
            message: "expected key = value".into(),
        })?;
        pairs.insert(key.trim().to_string(), value.trim().trim_matches('"').to_string());
    }
    Ok(pairs)
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = fs::read_to_string(path).map_err(ConfigError::Io)?;
    let pairs = parse_pairs(&text)?;
    Ok(Config {
        host: pairs.get("host").cloned().unwrap_or_else(|| "127.0.0.1".into()),
        port: pairs.get("port").and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT),
        workers: pairs.get("workers").and_then(|w| w.parse().ok()).unwrap_or(2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_skips_comments() {
        let pairs = parse_pairs("# c\nhost = \"a\"\nport=1\n").unwrap();
        assert_eq!(pairs["host"], "a");
        assert_eq!(pairs["port"], "1");
    }
}
