//! Why a proxied request failed, and the problem+json the client gets for it.

use crate::problem::Problem;
use pingora_error::{Error, ErrorSource, ErrorType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// Every server is down (active checks or passive ejection): nothing was attempted.
    NoHealthyServer,
    /// Attempts were made and all failed to connect.
    ConnectFailed,
    BodyTooLarge,
}

pub(super) fn body_too_large(limit: u64) -> Problem {
    Problem::new(
        413,
        "body_too_large",
        format!("The request body exceeds this route's limit of {limit} bytes."),
    )
}

/// The answer to a request that failed after routing; `None` when the client is gone.
/// `upstream` names the route's upstream, `body_limit` is the route's body limit.
pub(super) fn failure_problem(
    failure: Option<Failure>,
    e: &Error,
    upstream: &str,
    body_limit: u64,
) -> Option<Problem> {
    match (failure, e.etype()) {
        (Some(Failure::BodyTooLarge), _) => Some(body_too_large(body_limit)),
        (Some(Failure::NoHealthyServer), _) => Some(
            Problem::new(
                503,
                "upstream_unavailable",
                format!("No healthy server is available for {upstream}."),
            )
            .with_header("retry-after", "1"),
        ),
        (Some(Failure::ConnectFailed), _) => Some(Problem::new(
            502,
            "bad_gateway",
            format!("Could not connect to any server of {upstream}."),
        )),
        (_, ErrorType::HTTPStatus(code)) => Some(Problem::new(
            *code,
            "gateway_error",
            "The gateway could not complete the request.",
        )),
        (_, ErrorType::ReadTimedout | ErrorType::WriteTimedout)
            if *e.esource() == ErrorSource::Upstream =>
        {
            Some(Problem::new(
                504,
                "upstream_timeout",
                format!("{upstream} did not answer in time."),
            ))
        }
        _ => problem_by_source(e, upstream),
    }
}

fn problem_by_source(e: &Error, upstream: &str) -> Option<Problem> {
    match e.esource() {
        ErrorSource::Upstream => Some(Problem::new(
            502,
            "bad_gateway",
            format!("{upstream} failed to answer."),
        )),
        ErrorSource::Downstream => match e.etype() {
            // The client is gone: nobody to answer.
            ErrorType::ReadError | ErrorType::WriteError | ErrorType::ConnectionClosed => None,
            _ => Some(Problem::new(
                400,
                "bad_request",
                "The request could not be read.",
            )),
        },
        _ => Some(Problem::new(
            500,
            "internal_error",
            "The gateway failed to process the request.",
        )),
    }
}
