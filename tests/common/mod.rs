//! Helpers shared by the end-to-end suites that talk to the embedded endpoint over HTTP.

/// A Tokio runtime with two workers, as the harness uses.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// The AWS error code of a refused SDK call ("" when the answer carries none).
#[allow(dead_code)] // each suite compiles this module; not every one reads error codes
pub fn code_of<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("")
        .to_string()
}
