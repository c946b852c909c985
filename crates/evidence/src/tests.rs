use super::*;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
];

fn temp_root(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kuaiwei-evidence-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn temp_files(root: &Path) -> usize {
    std::fs::read_dir(root.join("tmp")).unwrap().count()
}

#[test]
fn accepted_types_are_told_by_content() {
    assert_eq!(sniff(JPEG), Some(MediaType::Jpeg));
    assert_eq!(
        sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Some(MediaType::Png)
    );
    assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MediaType::Webp));
    assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(MediaType::Heic));
    assert_eq!(
        sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        Some(MediaType::Pdf)
    );
    assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"), None);
    assert_eq!(sniff(b"<svg xmlns="), None);
    assert_eq!(
        sniff(b"\0\0\0\x18ftypisom\0\0\0\0"),
        None,
        "mp4 video is not evidence here"
    );
}

#[tokio::test]
async fn a_persisted_file_lives_under_its_digest_and_duplicates_share_it() {
    let root = temp_root("persist");
    let store = EvidenceStore::open(&root).await.unwrap();
    let mut body = JPEG.to_vec();
    body.extend(std::iter::repeat_n(7u8, 100_000));
    let mut stored = Vec::new();
    for _ in 0..2 {
        let mut f = store.receive(1 << 20).await.unwrap();
        for chunk in body.chunks(4096) {
            f.write(chunk).await.unwrap();
        }
        stored.push(f.seal().await.unwrap().persist().await.unwrap());
    }
    assert!(stored[0].created && !stored[1].created, "{stored:?}");
    assert_eq!(stored[0].sha256, stored[1].sha256);
    let expected = hex::encode(Sha256::digest(&body));
    assert_eq!(stored[0].sha256, expected);
    assert_eq!(stored[0].media_type, MediaType::Jpeg);
    let on_disk = std::fs::read(store.path_of(&expected).unwrap()).unwrap();
    assert_eq!(on_disk, body);
    assert_eq!(temp_files(&root), 0);
}

#[tokio::test]
async fn refused_and_abandoned_files_leave_nothing_behind() {
    let root = temp_root("refuse");
    let store = EvidenceStore::open(&root).await.unwrap();

    let mut big = store.receive(10).await.unwrap();
    assert!(matches!(
        big.write(&[0u8; 11]).await,
        Err(EvidenceError::TooLarge { limit: 10 })
    ));
    drop(big);

    let mut exe = store.receive(1000).await.unwrap();
    exe.write(b"MZ\x90\0 this is not a photo").await.unwrap();
    assert!(matches!(
        exe.seal().await,
        Err(EvidenceError::UnsupportedType)
    ));

    let empty = store.receive(1000).await.unwrap();
    assert!(matches!(empty.seal().await, Err(EvidenceError::Empty)));

    let mut sealed_then_dropped = store.receive(1000).await.unwrap();
    sealed_then_dropped.write(JPEG).await.unwrap();
    drop(sealed_then_dropped.seal().await.unwrap());

    assert_eq!(temp_files(&root), 0);
    assert_eq!(std::fs::read_dir(root.join("sha256")).unwrap().count(), 0);
}

#[test]
fn only_well_formed_digests_map_to_paths() {
    let store = EvidenceStore {
        root: PathBuf::from("/data/evidence"),
        held: Default::default(),
        decoding: Arc::new(tokio::sync::Semaphore::new(1)),
        limits: DecodeLimits::default(),
        near: Default::default(),
        exclusive: false,
        _lock: None,
    };
    assert!(store.path_of(&"ab".repeat(32)).is_some());
    assert!(store.path_of("../../etc/passwd").is_none());
    assert!(store.path_of(&"AB".repeat(32)).is_none());
}
