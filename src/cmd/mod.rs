//! One module per subcommand; `util` holds what they share.

pub mod adjudicate;
pub mod agree;
pub mod amounts;
pub mod audit;
pub mod code;
pub mod codebook;
pub mod cooccur;
pub mod excerpts;
pub mod export;
pub mod freq;
pub mod import;
pub mod kwic;
pub mod report;
pub mod similar;
pub mod speakers;
pub mod suggest;
pub mod util;
pub mod words;
