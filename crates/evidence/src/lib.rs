//! Content-addressed storage of evidence files (photos, scanned certificates, PDFs).
//!
//! An upload is streamed into a temporary file while its SHA-256 is computed ([`PendingFile`]);
//! it is then checked by its content, never by its name or declared type, and fsynced
//! ([`SealedFile`]); only when the whole request has been accepted is it moved to
//! `sha256/ab/abcdef…` ([`SealedFile::persist`]) and the directory fsynced. A request that fails
//! part-way leaves nothing behind: dropping a pending or sealed file removes its temporary file.
//! No stored path ever comes from a client.

mod sniff;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::fs::{self, File};
use tokio::io::AsyncWriteExt;

pub use sniff::{MediaType, sniff};

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("file larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("unsupported file type")]
    UnsupportedType,
    #[error("empty file")]
    Empty,
    #[error("evidence storage failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The evidence directory of one data directory.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    root: PathBuf,
}

/// An evidence file now stored for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
}

impl EvidenceStore {
    /// Creates `root/tmp` and `root/sha256` if missing, and clears temporaries left by a crash.
    pub async fn open(root: &Path) -> Result<EvidenceStore, EvidenceError> {
        fs::create_dir_all(root.join("sha256")).await?;
        let tmp = root.join("tmp");
        if fs::try_exists(&tmp).await? {
            fs::remove_dir_all(&tmp).await?;
        }
        fs::create_dir_all(&tmp).await?;
        Ok(EvidenceStore {
            root: root.to_path_buf(),
        })
    }

    /// Starts receiving one file of at most `limit` bytes.
    pub async fn receive(&self, limit: u64) -> Result<PendingFile, EvidenceError> {
        let mut name = [0u8; 16];
        getrandom::fill(&mut name).map_err(|e| std::io::Error::other(e.to_string()))?;
        let path = self.root.join("tmp").join(hex::encode(name));
        let file = File::create_new(&path).await?;
        Ok(PendingFile {
            file: Some(file),
            temp: TempPath(Some(path)),
            hasher: Sha256::new(),
            head: Vec::with_capacity(sniff::HEAD_LEN),
            size: 0,
            limit,
            root: self.root.clone(),
        })
    }

    /// Where the file with this digest lives, if the digest is well-formed.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let ok = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| self.root.join("sha256").join(&sha256[..2]).join(sha256))
    }
}

/// Removes its file when dropped, unless disarmed.
#[derive(Debug)]
struct TempPath(Option<PathBuf>);

impl Drop for TempPath {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A file being received.
#[derive(Debug)]
pub struct PendingFile {
    file: Option<File>,
    temp: TempPath,
    hasher: Sha256,
    head: Vec<u8>,
    size: u64,
    limit: u64,
    root: PathBuf,
}

impl PendingFile {
    /// Appends a chunk; refuses the file as soon as it passes its limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), EvidenceError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(EvidenceError::TooLarge { limit: self.limit });
        }
        if self.head.len() < sniff::HEAD_LEN {
            let take = (sniff::HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await?;
        }
        Ok(())
    }

    /// Checks the content type and makes the bytes durable, still under a temporary name.
    pub async fn seal(mut self) -> Result<SealedFile, EvidenceError> {
        if self.size == 0 {
            return Err(EvidenceError::Empty);
        }
        let media_type = sniff(&self.head).ok_or(EvidenceError::UnsupportedType)?;
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        Ok(SealedFile {
            sha256: hex::encode(self.hasher.finalize_reset()),
            size: self.size,
            media_type,
            temp: TempPath(self.temp.0.take()),
            root: self.root.clone(),
        })
    }
}

/// A complete, checked and fsynced file, not yet visible under its digest.
#[derive(Debug)]
pub struct SealedFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
    temp: TempPath,
    root: PathBuf,
}

impl SealedFile {
    /// Moves the file to `sha256/ab/<digest>` (keeping an identical file already there) and
    /// fsyncs the directory, so that the name survives a power cut too.
    pub async fn persist(mut self) -> Result<StoredFile, EvidenceError> {
        let dir = self.root.join("sha256").join(&self.sha256[..2]);
        fs::create_dir_all(&dir).await?;
        let target = dir.join(&self.sha256);
        if let Some(temp) = self.temp.0.take() {
            if fs::try_exists(&target).await? {
                fs::remove_file(&temp).await?;
            } else {
                fs::rename(&temp, &target).await?;
                File::open(&dir).await?.sync_all().await?;
            }
        }
        Ok(StoredFile {
            sha256: self.sha256.clone(),
            size: self.size,
            media_type: self.media_type,
        })
    }
}

#[cfg(test)]
mod tests;
