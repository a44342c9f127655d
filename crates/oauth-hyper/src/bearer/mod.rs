//! Bearer middleware: a token on every request, and one retry when the resource refuses it.

mod error;
mod layer;
mod service;

pub use error::BearerError;
pub use layer::BearerLayer;
pub use service::{Bearer, ResponseFuture};
