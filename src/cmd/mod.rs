//! One module per subcommand; `util` holds what they share.

pub mod code;
pub mod codebook;
pub mod excerpts;
pub mod freq;
pub mod util;
