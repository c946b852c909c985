//! Evidence: what checking a phone photo at intake costs beside only storing it, how fast
//! previews are made, and near-duplicate look-ups among a million photo hashes.
//!
//! Photos are made to look like phone photos to a JPEG encoder (4,000 × 3,000, noise and
//! texture, quality 92: about 4 MB each, as a 12-megapixel phone writes). The hashes of the
//! look-up benchmark are half those of real decoded pictures (generated scenes, resized and
//! recompressed copies among them, so that buckets are as crowded as real photos make them)
//! and half spread over all 64 bits.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use image::{ImageFormat, Rgb, RgbImage};
use kuaiwei_evidence::near::NearIndex;
use kuaiwei_evidence::{DecodeLimits, EvidenceStore, MediaType};

pub struct Spec {
    pub photos: usize,
    pub hashes: usize,
    pub lookups: usize,
    pub distance: u32,
    pub dir: PathBuf,
}

/// A photo-like picture: smooth shapes under sensor-like noise and fine texture, which is what
/// makes a phone's JPEG big.
pub fn phone_photo(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let (cx, cy, r) = (
        (next() % u64::from(w)) as i64,
        (next() % u64::from(h)) as i64,
        (u64::from(h) / 4 + next() % u64::from(h / 3)) as i64,
    );
    let base = [next() as u8, next() as u8, next() as u8];
    RgbImage::from_fn(w, h, |x, y| {
        let n = next();
        let noise = (n % 23) as i32 - 11;
        let inside = (x as i64 - cx).pow(2) + (y as i64 - cy).pow(2) < r * r;
        let texture = (((x / 3) ^ (y / 5)) % 17) as i32;
        let c = |b: u8, g: u32| -> u8 {
            let v = if inside {
                i32::from(b) / 2 + 90
            } else {
                ((g * 255) / (w + h)) as i32
            };
            (v + noise + texture).clamp(0, 255) as u8
        };
        Rgb([c(base[0], x + y), c(base[1], x), c(base[2], y)])
    })
}

pub fn jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img)?;
    Ok(out.into_inner())
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

async fn store_only(store: &EvidenceStore, bytes: &[u8]) -> Result<String> {
    let mut f = store.receive(64 << 20).await?;
    for chunk in bytes.chunks(64 * 1024) {
        f.write(chunk).await?;
    }
    let sealed = f.seal().await?;
    let stored = sealed.persist().await?;
    Ok(stored.sha256)
}

async fn store_checked(store: &EvidenceStore, bytes: &[u8]) -> Result<String> {
    let mut f = store.receive(64 << 20).await?;
    for chunk in bytes.chunks(64 * 1024) {
        f.write(chunk).await?;
    }
    let sealed = f.seal().await?;
    store
        .inspect(&sealed)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let stored = sealed.persist().await?;
    Ok(stored.sha256)
}

pub async fn run(spec: Spec) -> Result<()> {
    let _ = std::fs::remove_dir_all(&spec.dir);
    std::fs::create_dir_all(&spec.dir)?;
    crate::report::print_header();

    // ---- photos: storing, checking, previews
    println!(
        "making {} phone-like photos (4000 × 3000, JPEG q92) …",
        spec.photos
    );
    let mut photos = Vec::with_capacity(spec.photos);
    for i in 0..spec.photos {
        photos.push(jpeg(&phone_photo(4000, 3000, 1000 + i as u64), 92)?);
    }
    let mean = photos.iter().map(Vec::len).sum::<usize>() / photos.len().max(1);
    println!("mean photo size {:.2} MB", mean as f64 / 1e6);

    let mut plain = Vec::new();
    let mut checked = Vec::new();
    // alternate, so that both see the same machine
    for round in 0..3 {
        for (mode, out) in [("store", &mut plain), ("checked", &mut checked)] {
            let root = spec.dir.join(format!("{mode}-{round}"));
            let store = EvidenceStore::open(&root).await?;
            let started = Instant::now();
            // two photos per complaint, two complaints at a time (the server's decode limit)
            let mut tasks = Vec::new();
            for pair in photos.chunks(2) {
                let store = store.clone();
                let pair: Vec<Vec<u8>> = pair.to_vec();
                let checked = mode == "checked";
                tasks.push(tokio::spawn(async move {
                    for p in &pair {
                        if checked {
                            store_checked(&store, p).await?;
                        } else {
                            store_only(&store, p).await?;
                        }
                    }
                    anyhow::Ok(())
                }));
            }
            for t in tasks {
                t.await??;
            }
            out.push(started.elapsed());
            std::fs::remove_dir_all(&root)?;
        }
    }
    let complaints = (photos.len() / 2).max(1) as f64;
    let (p, c) = (median(&mut plain), median(&mut checked));
    println!(
        "intake of {complaints} complaints with two ~{:.1} MB photos each (median of 3):",
        mean as f64 / 1e6
    );
    println!(
        "  storing only (hash, fsync, rename): {:.1} complaints/s ({:.0} ms a complaint)",
        complaints / p.as_secs_f64(),
        p.as_secs_f64() * 1000.0 / complaints
    );
    println!(
        "  decoded and checked as well:        {:.1} complaints/s ({:.0} ms a complaint)",
        complaints / c.as_secs_f64(),
        c.as_secs_f64() * 1000.0 / complaints
    );
    println!(
        "  checks cost {:.1}× the time of storing alone",
        c.as_secs_f64() / p.as_secs_f64()
    );

    // previews: each photo's two previews, from the stored original
    let root = spec.dir.join("previews");
    let store = EvidenceStore::open(&root).await?;
    let mut digests = Vec::new();
    for p in &photos {
        digests.push(store_only(&store, p).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for d in digests.clone() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.previews(&d, MediaType::Jpeg).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    let took = started.elapsed();
    println!(
        "previews: {:.1} photos/s (thumbnail and screen size each, {} at a time), {:.0} ms a photo",
        digests.len() as f64 / took.as_secs_f64(),
        kuaiwei_evidence::decoding_at_once(),
        took.as_secs_f64() * 1000.0 / digests.len() as f64
    );
    let thumb = store
        .preview_path(&digests[0], kuaiwei_evidence::PreviewSize::Thumb)
        .context("a preview path")?;
    println!(
        "  preview sizes: thumb {} bytes, screen {} bytes, original {} bytes",
        std::fs::metadata(&thumb)?.len(),
        std::fs::metadata(
            store
                .preview_path(&digests[0], kuaiwei_evidence::PreviewSize::Screen)
                .context("a preview path")?
        )?
        .len(),
        photos[0].len()
    );

    lookup(&spec, &spec.dir)
}

/// Hashes of decoded pictures: scenes, and resized, recompressed copies of some.
fn picture_hashes(n: usize) -> Result<Vec<u64>> {
    let limits = DecodeLimits::default();
    let tmp = std::env::temp_dir().join(format!("kuaiwei-bench-hash-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let mut out = Vec::with_capacity(n);
    let mut i = 0u64;
    while out.len() < n {
        let img = phone_photo(96, 72, 50_000 + i);
        let dynamic = image::DynamicImage::ImageRgb8(img.clone());
        out.push(kuaiwei_evidence::inspect::phash(&dynamic));
        if i.is_multiple_of(4) && out.len() < n {
            // a copy resized and recompressed, as a second shop would post it
            let small =
                image::imageops::resize(&img, 64, 48, image::imageops::FilterType::Triangle);
            let path = tmp.join("copy.jpg");
            small.save_with_format(&path, ImageFormat::Jpeg)?;
            let back = kuaiwei_evidence::inspect::decode(&path, MediaType::Jpeg, &limits)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            out.push(kuaiwei_evidence::inspect::phash(&back));
        }
        i += 1;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(out)
}

fn lookup(spec: &Spec, _dir: &Path) -> Result<()> {
    let real = spec.hashes / 2;
    println!(
        "near-duplicate look-up: hashing {real} pictures, plus {} spread hashes …",
        spec.hashes - real
    );
    let started = Instant::now();
    let mut hashes = picture_hashes(real.min(200_000))?;
    // beyond 200,000 pictures, the same hashes again with a few bits changed: as crowded
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let base = hashes.len();
    while hashes.len() < real {
        let h = hashes[(next() % base as u64) as usize];
        hashes.push(h ^ (1 << (next() % 64)) ^ (1 << (next() % 64)));
    }
    while hashes.len() < spec.hashes {
        hashes.push(next());
    }
    println!("  hashes ready in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut index = NearIndex::new();
    for (i, h) in hashes.iter().enumerate() {
        index.insert(*h, i as u32);
    }
    println!(
        "  index of {} photos built in {:.1} s",
        index.len(),
        started.elapsed().as_secs_f64()
    );
    let mut times = Vec::with_capacity(spec.lookups);
    let mut found = 0usize;
    for _ in 0..spec.lookups {
        let q = hashes[(next() % hashes.len() as u64) as usize] ^ (1 << (next() % 64));
        let t = Instant::now();
        found += index.within(q, spec.distance).count();
        times.push(t.elapsed());
    }
    let scan_started = Instant::now();
    let q = hashes[0];
    let scanned = hashes
        .iter()
        .filter(|h| (*h ^ q).count_ones() <= spec.distance)
        .count();
    let scan = scan_started.elapsed();
    println!(
        "  {} look-ups at distance {}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {:.1} photos found a look-up; one full scan {:.1} ms ({scanned} found)",
        spec.lookups,
        spec.distance,
        percentile(&mut times, 0.5).as_secs_f64() * 1000.0,
        percentile(&mut times, 0.99).as_secs_f64() * 1000.0,
        percentile(&mut times, 1.0).as_secs_f64() * 1000.0,
        found as f64 / spec.lookups as f64,
        scan.as_secs_f64() * 1000.0
    );
    Ok(())
}
