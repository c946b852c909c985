//! Content-addressed storage of evidence files (photos, scanned certificates, PDFs).
//!
//! An upload is streamed into a temporary file while its SHA-256 is computed ([`PendingFile`]);
//! it is then checked by its content, never by its name or declared type, and fsynced
//! ([`SealedFile`]); only when the whole request has been accepted is it moved to
//! `sha256/ab/abcdef…` ([`SealedFile::persist`]) and the directory fsynced. A request that fails
//! part-way leaves nothing behind: dropping a pending or sealed file removes its temporary file.
//! No stored path ever comes from a client.
//!
//! Before it is persisted a file is read whole ([`inspect`]): an image must decode within
//! limits, a PDF must look like one. Previews ([`preview`]) are separate files under
//! `previews/<size>/ab/<digest>.jpg`, made from the original's pixels; the original is never
//! changed. Files no committed complaint references (a crash between persisting and
//! committing) are removed by [`EvidenceStore::sweep`]; [`EvidenceStore::verify`] re-hashes
//! what the database says is stored.

pub mod inspect;
pub mod near;
pub mod preview;
mod sniff;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio::fs::{self, File};
use tokio::io::AsyncWriteExt;

pub use inspect::{DecodeLimits, InspectError, Inspection, PhotoMeta};
pub use preview::PreviewSize;
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
    /// Digests persisted by requests not yet committed or refused, with how many hold each:
    /// never removed from under them.
    held: Arc<Mutex<HashMap<String, usize>>>,
    /// Decoding is CPU and memory: at most this many files at once, whatever the load, so
    /// that twenty bombs sent together cost no more than two.
    decoding: Arc<tokio::sync::Semaphore>,
    limits: DecodeLimits,
    /// Perceptual hashes of the stored photos, for near-duplicates across complaints.
    near: Arc<std::sync::RwLock<near::NearIndex<String>>>,
    /// Whether this process is the only one receiving files into this directory (a server on
    /// SQLite holding `evidence/.lock`): then every temporary at start is a crash's leftover.
    exclusive: bool,
    /// The lock file, held for as long as this store lives.
    _lock: Option<Arc<std::fs::File>>,
}

/// Said on standard error (this crate does not log): another process holds the directory.
fn tracing_free_warning(root: &Path) {
    eprintln!(
        "evidence directory {} is in use by another process: files are swept only when an hour old",
        root.display()
    );
}

/// Temporary files older than this are a crash's leftovers.
const TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// Files decoded at once (inspections and previews together): one per core, at most four. A
/// decode holds up to [`DecodeLimits::max_alloc`], so the cap bounds memory as well as CPU.
pub fn decoding_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
}

/// An evidence file now stored for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
    /// Whether this call put it there (it was not stored already).
    pub created: bool,
}

impl EvidenceStore {
    /// Creates `root/tmp` and `root/sha256` if missing, and removes temporaries a crash left
    /// (those older than an hour: a server running beside this command, such as `kuaiwei
    /// report`, may be receiving files into the younger ones).
    pub async fn open(root: &Path) -> Result<EvidenceStore, EvidenceError> {
        fs::create_dir_all(root.join("sha256")).await?;
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).await?;
        let mut entries = fs::read_dir(&tmp).await?;
        let now = SystemTime::now();
        while let Some(e) = entries.next_entry().await? {
            let old = e
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > TEMP_AGE);
            if old {
                let _ = fs::remove_file(e.path()).await;
            }
        }
        Ok(EvidenceStore {
            root: root.to_path_buf(),
            held: Arc::default(),
            decoding: Arc::new(tokio::sync::Semaphore::new(decoding_at_once())),
            limits: DecodeLimits::default(),
            near: Arc::default(),
            exclusive: false,
            _lock: None,
        })
    }

    /// [`EvidenceStore::open`] for the one process that receives files into `root` (a server
    /// on SQLite): every temporary file is removed at once.
    /// Exclusive only if it can take the lock `root/.lock` (another server on the same data
    /// directory keeps it): without it, it opens as [`EvidenceStore::open`] does.
    pub async fn open_exclusive(root: &Path) -> Result<EvidenceStore, EvidenceError> {
        fs::create_dir_all(root).await?;
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join(".lock"))?;
        if lock.try_lock().is_err() {
            tracing_free_warning(root);
            return EvidenceStore::open(root).await;
        }
        for tmp in [root.join("tmp"), root.join("previews").join("tmp")] {
            if fs::try_exists(&tmp).await? {
                fs::remove_dir_all(&tmp).await?;
            }
        }
        let mut store = EvidenceStore::open(root).await?;
        store.exclusive = true;
        store._lock = Some(Arc::new(lock));
        Ok(store)
    }

    /// See [`EvidenceStore::open_exclusive`].
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }

    /// Remembers a stored photo's perceptual hash.
    pub fn remember_hash(&self, sha256: &str, hash: u64) {
        self.near
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(hash, sha256.to_string());
    }

    /// Stored photos within `distance` bits of `hash` (other digests only), nearest first.
    pub fn similar(&self, sha256: &str, hash: u64, distance: u32) -> Vec<(String, u32)> {
        let index = self.near.read().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<(String, u32)> = index
            .within(hash, distance)
            .filter(|(_, d, _)| d.as_str() != sha256)
            .map(|(_, d, dist)| (d.clone(), dist))
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        found
    }

    /// How many photo hashes are remembered.
    pub fn hashes_remembered(&self) -> usize {
        self.near.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The same store with other decoding limits.
    pub fn with_limits(mut self, limits: DecodeLimits) -> EvidenceStore {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Checks a sealed file by reading it whole ([`inspect::inspect`]), on a blocking thread,
    /// at most [`decoding_at_once`] at a time.
    pub async fn inspect(&self, file: &SealedFile) -> Result<Inspection, InspectError> {
        let path = file
            .temp
            .0
            .clone()
            .ok_or_else(|| InspectError::Io("the file is gone".into()))?;
        let media = file.media_type;
        let limits = self.limits;
        // owned by the blocking work: a request given up mid-decode keeps its slot until the
        // decode ends, so the bound holds whatever clients do
        let permit = self
            .decoding
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| InspectError::Io(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            inspect::inspect(&path, media, &limits)
        })
        .await
        .map_err(|e| InspectError::Io(e.to_string()))?
    }

    /// [`EvidenceStore::make_previews`] on a blocking thread, at most [`decoding_at_once`]
    /// decodes at a time.
    pub async fn previews(&self, sha256: &str, media: MediaType) -> Result<bool, EvidenceError> {
        let permit = self
            .decoding
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let store = self.clone();
        let sha256 = sha256.to_string();
        let limits = self.limits;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            store.make_previews(&sha256, media, &limits)
        })
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
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
        well_formed(sha256).then(|| self.root.join("sha256").join(&sha256[..2]).join(sha256))
    }

    /// Where the preview of this size of the file with this digest lives (made or not).
    pub fn preview_path(&self, sha256: &str, size: PreviewSize) -> Option<PathBuf> {
        well_formed(sha256).then(|| {
            self.root
                .join("previews")
                .join(size.key())
                .join(&sha256[..2])
                .join(format!("{sha256}.jpg"))
        })
    }

    /// Makes the previews of a stored image that lack one (blocking: decodes the original).
    /// `Ok(false)` for a type without previews (PDF, HEIC: no decoder).
    pub fn make_previews(
        &self,
        sha256: &str,
        media: MediaType,
        limits: &DecodeLimits,
    ) -> Result<bool, EvidenceError> {
        if !media.has_preview() {
            return Ok(false);
        }
        let original = self.path_of(sha256).ok_or(EvidenceError::UnsupportedType)?;
        let missing: Vec<(PreviewSize, PathBuf)> = PreviewSize::ALL
            .into_iter()
            .filter_map(|s| self.preview_path(sha256, s).map(|p| (s, p)))
            .filter(|(_, p)| !p.exists())
            .collect();
        if missing.is_empty() {
            return Ok(true);
        }
        let img = inspect::decode(&original, media, limits)
            .map_err(|e| EvidenceError::Io(std::io::Error::other(e.to_string())))?;
        for (size, path) in missing {
            let bytes = preview::render(&img, size)
                .map_err(|e| EvidenceError::Io(std::io::Error::other(e.to_string())))?;
            // their own temporaries: `tmp/` holds uploads in flight only
            write_atomically(&self.root.join("previews").join("tmp"), &path, &bytes)?;
        }
        Ok(true)
    }

    /// Files under `sha256/` that no committed complaint references (`referenced`), no request
    /// in flight holds, and that were last changed more than `older_than` ago (older than any
    /// request still in flight on another server could be): removed with their previews.
    /// Blocking.
    pub fn sweep(
        &self,
        referenced: &HashSet<String>,
        older_than: Duration,
    ) -> Result<SweepReport, EvidenceError> {
        let mut report = SweepReport::default();
        let now = SystemTime::now();
        for (digest, path) in self.stored_files()? {
            report.checked += 1;
            if referenced.contains(&digest) || self.is_held(&digest) {
                continue;
            }
            // a file may go while the sweep walks (another sweep, an operator): not an error
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if age < older_than {
                report.kept_recent += 1;
                continue;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            }
            self.remove_previews(&digest);
            report.removed_bytes += meta.len();
            report.removed.push(digest);
        }
        report.removed.sort();
        Ok(report)
    }

    /// Re-hashes every file the database lists (`expected`: digest and size) and names the
    /// ones missing or changed. Blocking.
    pub fn verify(&self, expected: &[(String, u64)]) -> Result<VerifyReport, EvidenceError> {
        use std::io::Read;
        let mut report = VerifyReport::default();
        for (digest, size) in expected {
            let Some(path) = self.path_of(digest) else {
                report.missing.push(digest.clone());
                continue;
            };
            let mut file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    report.missing.push(digest.clone());
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 256 * 1024];
            let mut len = 0u64;
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                len += n as u64;
                hasher.update(&buf[..n]);
            }
            report.checked += 1;
            report.bytes += len;
            if hex::encode(hasher.finalize()) != *digest || len != *size {
                report.changed.push(digest.clone());
            }
        }
        Ok(report)
    }

    /// Every file under `sha256/` whose name is a digest.
    fn stored_files(&self) -> Result<Vec<(String, PathBuf)>, EvidenceError> {
        let mut out = Vec::new();
        let top = self.root.join("sha256");
        for dir in std::fs::read_dir(&top)? {
            let dir = dir?;
            if !dir.file_type()?.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(dir.path())? {
                let f = f?;
                let name = f.file_name().to_string_lossy().to_string();
                if well_formed(&name) && f.file_type()?.is_file() {
                    out.push((name, f.path()));
                }
            }
        }
        Ok(out)
    }

    fn remove_previews(&self, sha256: &str) {
        for size in PreviewSize::ALL {
            if let Some(p) = self.preview_path(sha256, size) {
                let _ = std::fs::remove_file(p);
            }
        }
    }

    fn is_held(&self, sha256: &str) -> bool {
        self.held
            .lock()
            .map(|h| h.contains_key(sha256))
            .unwrap_or(true)
    }

    /// Holds `sha256` against sweeps and refusals until the returned hold is dropped.
    pub fn hold(&self, sha256: &str) -> Hold {
        if let Ok(mut h) = self.held.lock() {
            *h.entry(sha256.to_string()).or_insert(0) += 1;
        }
        Hold {
            sha256: sha256.to_string(),
            held: self.held.clone(),
        }
    }

    /// After a refused request that still holds its files (`holds`): removes those it created
    /// (`created`) that `referenced` (the digests a committed complaint references, among
    /// these, read while the holds were kept) does not name and that no other request holds.
    /// The check and the removal happen under the holds' lock, so a request that takes a hold
    /// on the same digest meanwhile either keeps the file or stores it again. The holds are
    /// released at the end. Returns how many files were removed.
    pub fn discard(
        &self,
        created: &[String],
        referenced: &HashSet<String>,
        holds: Vec<Hold>,
    ) -> Result<usize, EvidenceError> {
        let mut removed = 0;
        {
            let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            for digest in created {
                let mine = holds.iter().filter(|h| &h.sha256 == digest).count();
                if referenced.contains(digest) || held.get(digest).copied().unwrap_or(0) > mine {
                    continue;
                }
                if let Some(p) = self.path_of(digest) {
                    match std::fs::remove_file(&p) {
                        Ok(()) => removed += 1,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        drop(holds);
        for digest in created {
            if !referenced.contains(digest) {
                self.remove_previews(digest);
            }
        }
        Ok(removed)
    }
}

/// A request's claim on a persisted file, released when dropped.
#[derive(Debug)]
pub struct Hold {
    sha256: String,
    held: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Ok(mut h) = self.held.lock()
            && let Some(n) = h.get_mut(&self.sha256)
        {
            *n -= 1;
            if *n == 0 {
                h.remove(&self.sha256);
            }
        }
    }
}

/// What a sweep found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Files looked at.
    pub checked: u64,
    /// Unreferenced files left alone because they are recent (a request may still commit them).
    pub kept_recent: u64,
    /// Digests of the files removed.
    pub removed: Vec<String>,
    pub removed_bytes: u64,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: u64,
    pub bytes: u64,
    /// Listed in the database, not on disk.
    pub missing: Vec<String>,
    /// On disk with other content (or another length) than the database says.
    pub changed: Vec<String>,
}

fn well_formed(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Writes `bytes` to `target` through a temporary file in `tmp` and a rename, so that a reader
/// never sees half a file.
fn write_atomically(tmp: &Path, target: &Path, bytes: &[u8]) -> Result<(), EvidenceError> {
    use std::io::Write;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::create_dir_all(tmp)?;
    let mut name = [0u8; 16];
    getrandom::fill(&mut name).map_err(|e| std::io::Error::other(e.to_string()))?;
    let temp = TempPath(Some(tmp.join(hex::encode(name))));
    let path = temp.0.clone().unwrap_or_default();
    let mut f = std::fs::File::create_new(&path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&path, target)?;
    let mut temp = temp;
    temp.0 = None;
    Ok(())
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
        let mut created = false;
        if let Some(temp) = self.temp.0.take() {
            if fs::try_exists(&target).await? {
                fs::remove_file(&temp).await?;
                // the file may be a crash's leftover about to be swept as old: it is this
                // request's now, and young again (a sweep spares young files)
                let target = target.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::File::options()
                        .append(true)
                        .open(&target)
                        .and_then(|f| f.set_modified(SystemTime::now()))
                })
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??;
            } else {
                fs::rename(&temp, &target).await?;
                File::open(&dir).await?.sync_all().await?;
                created = true;
            }
        }
        Ok(StoredFile {
            sha256: self.sha256.clone(),
            size: self.size,
            media_type: self.media_type,
            created,
        })
    }
}

#[cfg(test)]
mod tests;
