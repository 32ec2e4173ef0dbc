//! One module per subcommand; `util` holds what they share.

pub mod agree;
pub mod audit;
pub mod code;
pub mod codebook;
pub mod excerpts;
pub mod export;
pub mod freq;
pub mod import;
pub mod kwic;
pub mod speakers;
pub mod util;
pub mod words;
