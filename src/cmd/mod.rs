//! One module per subcommand; `util` holds what they share.

pub mod agree;
pub mod audit;
pub mod code;
pub mod codebook;
pub mod excerpts;
pub mod export;
pub mod freq;
pub mod import;
pub mod similar;
pub mod speakers;
pub mod suggest;
pub mod util;
