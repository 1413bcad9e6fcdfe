//! The API documentation beside the book: `cargo doc --no-deps`, copied into the
//! built book as `api/`, so that Appendix A links every Python name to its Rust item.
//!
//! Shared by `examples/read_book.rs` and `tests/book.rs` (`#[path]` includes it).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo doc --no-deps` for this crate and copies the result to `out/api`.
pub fn copy_api_docs(out: &Path) -> io::Result<()> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["doc", "--no-deps", "--quiet"])
        .current_dir(&manifest)
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!("cargo doc failed: {status}")));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    copy_tree(&target.join("doc"), &out.join("api"))
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
