//! Printing results: JSON on stdout for `--json`, readable text otherwise; and the small file
//! formats of the CLI (labels one per line).

use std::path::Path;

use latent_kmeans::util::write_atomic;
use latent_kmeans::Error;

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let s = serde_json::to_string_pretty(value).map_err(|e| Error::Invalid(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// Writes one label per line, in dataset order (atomically).
pub fn write_labels(path: &Path, labels: &[usize]) -> Result<(), Error> {
    write_atomic(path, |w| {
        for l in labels {
            writeln!(w, "{l}")?;
        }
        Ok(())
    })
    .map_err(|source| Error::Io {
        path: path.into(),
        source,
    })
}

/// Reads a labels file written by [`write_labels`] (blank lines ignored).
pub fn read_labels(path: &Path) -> Result<Vec<usize>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        out.push(t.parse::<usize>().map_err(|_| {
            Error::Invalid(format!(
                "{}:{}: expected a non-negative integer label, found '{t}'",
                path.display(),
                i + 1
            ))
        })?);
    }
    if out.is_empty() {
        return Err(Error::Invalid(format!("{}: no labels", path.display())));
    }
    Ok(out)
}
