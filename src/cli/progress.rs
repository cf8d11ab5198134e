//! Progress display for the CLI (the library never prints). Bars draw on stderr and hide
//! themselves when stderr is not a terminal, so `--json` output and pipes stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a message, for a step whose length is unknown.
pub fn spinner(msg: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .expect("static template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
    );
    pb.set_message(msg.into());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Runs `f` under a spinner.
pub fn with_spinner<T>(msg: impl Into<String>, f: impl FnOnce() -> T) -> T {
    let pb = spinner(msg);
    let out = f();
    pb.finish_and_clear();
    out
}
