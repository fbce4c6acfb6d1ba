//! `pingora-proxy [--config FILE] [--validate]`: run the gateway, or only check its configuration.

use gateway::config::{resolve_path, Config};
use std::io::Write;
use std::process::ExitCode;

// pingora allocates per request (headers, buffers); mimalloc's thread-local heaps avoid glibc
// malloc's lock contention between worker threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: pingora-proxy [--config FILE] [--validate]

  -c, --config FILE   configuration file (default: $PINGORA_CONFIG, else config/default.yaml)
  -t, --validate      load and validate the configuration, then exit (0 = valid)
  -h, --help          this help
  -V, --version       print the version

Environment: UPSTREAM_<NAME>_<N>=host:port replaces an upstream's servers (see README);
OAUTH_ISSUER / PUBLIC_URL and OAUTH_JWKS_URL set edge-auth's issuer and JWKS; RUST_LOG sets
the log filter (default: warn, info for the gateway).";

struct Args {
    config: Option<String>,
    validate: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        config: None,
        validate: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-c" | "--config" => args.config = Some(it.next().ok_or("--config needs a file")?),
            "-t" | "--validate" | "--test" => args.validate = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("pingora-proxy {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            other => match other.strip_prefix("--config=") {
                Some(path) => args.config = Some(path.to_string()),
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    Ok(Some(args))
}

fn init_logging() {
    let env = env_logger::Env::default()
        .default_filter_or("warn,gateway=info,pingora_proxy=info,pingora_load_balancing=info");
    env_logger::Builder::from_env(env)
        .format(|buf, record| {
            writeln!(
                buf,
                "{} {} {}: {}",
                gateway::access_log::now_rfc3339(),
                record.level(),
                record.target(),
                record.args()
            )
        })
        .init();
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pingora-proxy: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    let env = |key: &str| std::env::var(key).ok();
    let path = resolve_path(args.config.as_deref(), &env);
    let config = match Config::load(&path, &env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("pingora-proxy: invalid configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.validate {
        for (key, file) in config.missing_files() {
            eprintln!("warning: {key}: {file} does not exist on this machine (needed at start-up)");
        }
        println!(
            "configuration {} is valid: {} upstream(s), {} route(s)",
            path.display(),
            config.upstreams.len(),
            config.routes.len()
        );
        return ExitCode::SUCCESS;
    }
    match gateway::server::run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pingora-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}
