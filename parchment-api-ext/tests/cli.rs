//! The `parchment` command line, end to end (filled in by the next commit).
