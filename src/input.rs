//! Reading the files a user names (a submission, a challenge TOML) without trusting what they are.
//!
//! Only regular files are read: a FIFO would block until some writer appears, `/dev/zero` never
//! ends, and a directory or socket is not a file. A file is read up to its limit plus one byte, so
//! one that is too large is known to be so without reading all of it. Symlinks to regular files
//! are fine.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// `size` is the file's size, or `limit + 1` when it grew while being read.
    #[error("it is {size} bytes; pygrade reads at most {limit} bytes here")]
    TooLarge { size: u64, limit: u64 },
}

/// The contents of the regular file at `path` (symlinks followed), at most `limit` bytes.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    // A `stat` first: opening a device can have effects of its own (a tape rewinds).
    regular(&std::fs::metadata(path)?)?;
    // Non-blocking, so that a FIFO swapped in after the `stat` cannot block the open; the `fstat`
    // below then refuses it. For a regular file the flag changes nothing.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let metadata = file.metadata()?;
    regular(&metadata)?;
    if metadata.len() > limit {
        return Err(InputError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    read_at_most(file, metadata.len(), limit)
}

fn read_at_most(file: File, expected: u64, limit: u64) -> Result<Vec<u8>, InputError> {
    // The size is only a hint (files in /proc report 0, a file can grow): `take` is the bound.
    let capacity = usize::try_from(expected.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(InputError::TooLarge { size: read, limit });
    }
    Ok(bytes)
}

/// Refuses anything but a regular file, naming what it is.
fn regular(metadata: &Metadata) -> Result<(), InputError> {
    let kind = metadata.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "something other than a file"
    };
    Err(InputError::NotRegular(what))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{InputError, read_regular};

    #[test]
    fn refuses_devices_and_directories_and_bounds_the_read() {
        let error = |path: &str| read_regular(Path::new(path), 16).unwrap_err().to_string();
        assert_eq!(
            error("/dev/zero"),
            "it is a character device, not a regular file"
        );
        assert_eq!(error("/"), "it is a directory, not a regular file");
        // /proc files say they are empty; the read is bounded all the same.
        #[cfg(target_os = "linux")]
        assert!(matches!(
            read_regular(Path::new("/proc/self/maps"), 16),
            Err(InputError::TooLarge {
                size: 17,
                limit: 16
            })
        ));
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        assert!(matches!(
            read_regular(Path::new(manifest), 16),
            Err(InputError::TooLarge { limit: 16, .. })
        ));
        assert!(read_regular(Path::new(manifest), 1 << 20).is_ok());
    }
}
