// SPDX-License-Identifier: Apache-2.0
//! The single-writer lock: an OS advisory lock (`flock`) on `$POND/control/write.lock`.
//! The kernel releases it when the holder exits, however it exits, so a crashed writer
//! never leaves a stale lock. The file holds the holder's pid so a refused writer can name it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Code, Error, Result};

pub struct WriteLock {
    file: File,
}

impl WriteLock {
    /// Take the lock, waiting up to `wait` for another writer to finish.
    pub async fn acquire(path: &Path, wait: Duration) -> Result<WriteLock> {
        let deadline = Instant::now() + wait;
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| Error::from(e).context(format!("cannot open {}", path.display())))?;
            match file.try_lock() {
                Ok(()) => {
                    file.set_len(0)?;
                    file.seek(SeekFrom::Start(0))?;
                    write!(file, "{}", std::process::id())?;
                    file.flush()?;
                    return Ok(WriteLock { file });
                }
                Err(TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let mut holder = String::new();
                        let _ = file.read_to_string(&mut holder);
                        let holder = holder.trim();
                        let who = if holder.is_empty() {
                            "another process".to_string()
                        } else {
                            format!("process {holder}")
                        };
                        return Err(Error::new(
                            Code::Locked,
                            format!(
                                "pond is locked: a write transaction is in progress in {who} (lock file {})",
                                path.display()
                            ),
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(TryLockError::Error(e)) => return Err(e.into()),
            }
        }
    }

    pub fn release(self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
