//! What a stored file is, checked by reading it whole: an image must decode as its type within
//! limits (no decompression bombs), a PDF must have a PDF's structure, a HEIC photo must declare
//! bounded dimensions. What it tells about itself is kept: size in pixels or pages, the EXIF
//! capture time, device and GPS position (evidence of where and when a booth was photographed,
//! shown to the handling officer only), and a perceptual hash for finding the same photo in
//! other complaints.
//!
//! Blocking work: callers run it on a blocking thread, a few at a time.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::MediaType;

/// Bounds on what a file may make the server allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Widest and tallest image accepted, in pixels.
    pub max_side: u32,
    /// Most pixels accepted (a 48-megapixel phone photo is 8,000 × 6,000).
    pub max_pixels: u64,
    /// Most bytes a decoder may allocate at once.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> DecodeLimits {
        DecodeLimits {
            max_side: 12_000,
            max_pixels: 50_000_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// It does not decode as the type its first bytes claim (a polyglot, a truncated photo).
    #[error("not a valid {kind}: {detail}")]
    Invalid { kind: &'static str, detail: String },
    /// It declares more pixels than the limits allow (a decompression bomb).
    #[error("{width} × {height} pixels is over the limit")]
    TooManyPixels { width: u64, height: u64 },
    #[error("reading the file: {0}")]
    Io(String),
}

/// EXIF facts of a photo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoMeta {
    /// `DateTimeOriginal` as the camera wrote it (local time, no zone): `2026:04:15 10:31:02`.
    pub captured_at: Option<String>,
    /// Make and model: `Apple iPhone 15`.
    pub device: Option<String>,
    /// Latitude and longitude in degrees (south and west negative).
    pub gps: Option<(f64, f64)>,
}

impl PhotoMeta {
    pub fn is_empty(&self) -> bool {
        self.captured_at.is_none() && self.device.is_none() && self.gps.is_none()
    }
}

/// What a file told about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub pages: Option<u32>,
    pub meta: PhotoMeta,
    /// 64-bit perceptual hash of the picture (images that decode only).
    pub phash: Option<u64>,
}

/// Checks the file at `path` (already sniffed as `media`) and reads what it tells.
pub fn inspect(
    path: &Path,
    media: MediaType,
    limits: &DecodeLimits,
) -> Result<Inspection, InspectError> {
    match media {
        MediaType::Jpeg | MediaType::Png | MediaType::Webp => {
            let img = decode(path, media, limits)?;
            let (width, height) = (img.width(), img.height());
            Ok(Inspection {
                width: Some(width),
                height: Some(height),
                pages: None,
                meta: exif_of(path),
                phash: Some(phash(&img)),
            })
        }
        MediaType::Heic => {
            let (width, height) = heif_dimensions(path)?;
            check_pixels(u64::from(width), u64::from(height), limits)?;
            Ok(Inspection {
                width: Some(width),
                height: Some(height),
                meta: exif_of(path),
                ..Inspection::default()
            })
        }
        MediaType::Pdf => Ok(Inspection {
            pages: pdf_pages(path)?,
            ..Inspection::default()
        }),
    }
}

fn format_of(media: MediaType) -> Option<ImageFormat> {
    match media {
        MediaType::Jpeg => Some(ImageFormat::Jpeg),
        MediaType::Png => Some(ImageFormat::Png),
        MediaType::Webp => Some(ImageFormat::WebP),
        MediaType::Heic | MediaType::Pdf => None,
    }
}

fn kind(media: MediaType) -> &'static str {
    match media {
        MediaType::Jpeg => "JPEG",
        MediaType::Png => "PNG",
        MediaType::Webp => "WebP",
        MediaType::Heic => "HEIC",
        MediaType::Pdf => "PDF",
    }
}

fn io(e: std::io::Error) -> InspectError {
    InspectError::Io(e.to_string())
}

/// Decoded bytes a file may declare per byte of itself (deflate's best is about 1,032).
const MAX_RATIO: u64 = 4_096;
/// Pictures up to this many decoded bytes are never refused for their ratio.
const SMALL_PICTURE: u64 = 16 * 1024 * 1024;

fn check_pixels(width: u64, height: u64, limits: &DecodeLimits) -> Result<(), InspectError> {
    let side = u64::from(limits.max_side);
    if width > side || height > side || width.saturating_mul(height) > limits.max_pixels {
        return Err(InspectError::TooManyPixels { width, height });
    }
    Ok(())
}

/// Decodes an image whole, upright (EXIF orientation applied), within the limits: its declared
/// size is checked before any pixel buffer is allocated.
pub fn decode(
    path: &Path,
    media: MediaType,
    limits: &DecodeLimits,
) -> Result<DynamicImage, InspectError> {
    let format = format_of(media).ok_or(InspectError::Invalid {
        kind: kind(media),
        detail: "no decoder for this type".into(),
    })?;
    let invalid = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => InspectError::TooManyPixels {
            width: 0,
            height: 0,
        },
        other => InspectError::Invalid {
            kind: kind(media),
            detail: other.to_string(),
        },
    };
    if media == MediaType::Jpeg && !jpeg_has_end(path)? {
        return Err(InspectError::Invalid {
            kind: "JPEG",
            detail: "no end-of-image marker after the image data (truncated)".into(),
        });
    }
    let mut reader =
        ImageReader::with_format(BufReader::new(File::open(path).map_err(io)?), format);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    l.max_alloc = Some(limits.max_alloc);
    reader.limits(l);
    let mut decoder = reader.into_decoder().map_err(invalid)?;
    let (w, h) = decoder.dimensions();
    check_pixels(u64::from(w), u64::from(h), limits)?;
    // the decoder allocates the whole picture before reading its data: a file cannot hold
    // more than deflate's best ratio (about 1,000 to 1) allows, so one that declares far more
    // is a bomb, refused before the allocation
    let file_len = std::fs::metadata(path).map_err(io)?.len();
    // nor more than the decoder may allocate (not every decoder applies `max_alloc` itself:
    // a 16-bit RGBA PNG of 7,000 × 7,000 is 392 MB)
    if decoder.total_bytes() > limits.max_alloc
        || decoder.total_bytes() > file_len.saturating_mul(MAX_RATIO) + SMALL_PICTURE
    {
        return Err(InspectError::TooManyPixels {
            width: u64::from(w),
            height: u64::from(h),
        });
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(invalid)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// Whether a JPEG's main image ends with its end-of-image marker: the decoder fills a cut photo
/// with grey instead of refusing it. The marker segments are walked from the start by their
/// lengths (so that the complete thumbnail inside a phone's EXIF segment is skipped) to the
/// main image's first scan; inside entropy-coded data a 0xFF byte is always followed by 0x00 or
/// a restart marker, so the first FF D9 after the scan starts is the image's end.
fn jpeg_has_end(path: &Path) -> Result<bool, InspectError> {
    let bytes = std::fs::read(path).map_err(io)?;
    let mut at = 2; // after SOI
    loop {
        // fill bytes before a marker are allowed
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Ok(false);
        };
        if marker == 0xD9 {
            return Ok(false); // an end before any scan
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let (Some(&hi), Some(&lo)) = (bytes.get(at + 2), bytes.get(at + 3)) else {
            return Ok(false);
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        if len < 2 {
            return Ok(false);
        }
        let next = at + 2 + len;
        if marker == 0xDA {
            return Ok(next <= bytes.len() && find(&bytes[next..], &[0xFF, 0xD9]).is_some());
        }
        at = next;
    }
}

/// A 64-bit perceptual hash (pHash: the median of the low frequencies of a DCT): the same
/// picture resized or recompressed differs in a few bits, another picture in about half. Of
/// the hashes image_hasher offers, it kept resized copies closest and unrelated pictures
/// farthest on the test pictures (gradient: copies 4 bits, others from 21).
pub fn phash(img: &DynamicImage) -> u64 {
    // the hash looks at 16 × 16 pixels: a quick reduction first (the hasher's own Lanczos
    // resize of a 12-megapixel photo took longer than decoding it)
    let small;
    let img = if img.width() > 512 || img.height() > 512 {
        small = img.thumbnail(256, 256);
        &small
    } else {
        img
    };
    let hasher = image_hasher::HasherConfig::new()
        .hash_size(8, 8)
        .hash_alg(image_hasher::HashAlg::Median)
        .preproc_dct()
        .to_hasher();
    let h = hasher.hash_image(img);
    let mut bytes = [0u8; 8];
    for (b, v) in bytes.iter_mut().zip(h.as_bytes()) {
        *b = *v;
    }
    u64::from_be_bytes(bytes)
}

/// The EXIF facts of a photo; none when it carries no EXIF or unreadable EXIF (that is no
/// reason to refuse a photo).
pub fn exif_of(path: &Path) -> PhotoMeta {
    let Ok(file) = File::open(path) else {
        return PhotoMeta::default();
    };
    let Ok(exif) = exif::Reader::new().read_from_container(&mut BufReader::new(file)) else {
        return PhotoMeta::default();
    };
    let text = |tag| {
        exif.get_field(tag, exif::In::PRIMARY)
            .and_then(|f| match &f.value {
                exif::Value::Ascii(parts) => parts
                    .first()
                    .map(|p| String::from_utf8_lossy(p).trim().to_string())
                    .filter(|s| !s.is_empty()),
                _ => None,
            })
    };
    let device = match (text(exif::Tag::Make), text(exif::Tag::Model)) {
        (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (one, other) => one.or(other),
    };
    let degrees = |tag, reference, negative: &str| {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(dms) = &f.value else {
            return None;
        };
        let [d, m, s] = dms.as_slice() else {
            return None;
        };
        let v = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        if !v.is_finite() {
            return None;
        }
        let sign = if text(reference).as_deref() == Some(negative) {
            -1.0
        } else {
            1.0
        };
        Some(sign * v)
    };
    let gps = degrees(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, "S")
        .zip(degrees(
            exif::Tag::GPSLongitude,
            exif::Tag::GPSLongitudeRef,
            "W",
        ))
        .filter(|(lat, lon)| lat.abs() <= 90.0 && lon.abs() <= 180.0);
    PhotoMeta {
        captured_at: text(exif::Tag::DateTimeOriginal).or_else(|| text(exif::Tag::DateTime)),
        device,
        gps,
    }
}

/// The largest image size a HEIF file declares (its `ispe` properties), read from the box
/// structure without decoding (no HEVC decoder is built in).
fn heif_dimensions(path: &Path) -> Result<(u32, u32), InspectError> {
    let invalid = |detail: &str| InspectError::Invalid {
        kind: "HEIC",
        detail: detail.to_string(),
    };
    let mut f = File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    // the meta box is near the start; 4 MiB bounds what is read whatever the file says
    let mut buf = Vec::new();
    (&mut f)
        .take(len.min(4 * 1024 * 1024))
        .read_to_end(&mut buf)
        .map_err(io)?;
    let mut best: Option<(u32, u32)> = None;
    walk_boxes(&buf, 0, &mut |kind, body| {
        if kind == b"ispe" && body.len() >= 12 {
            let w = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            let h = u32::from_be_bytes([body[8], body[9], body[10], body[11]]);
            if best
                .is_none_or(|(bw, bh)| u64::from(w) * u64::from(h) > u64::from(bw) * u64::from(bh))
            {
                best = Some((w, h));
            }
        }
    })
    .map_err(&invalid)?;
    best.filter(|(w, h)| *w > 0 && *h > 0)
        .ok_or_else(|| invalid("no image size (ispe) found"))
}

/// Visits ISO-BMFF boxes depth-first, descending into the containers HEIF keeps its item
/// properties in.
fn walk_boxes(
    buf: &[u8],
    depth: u32,
    visit: &mut dyn FnMut(&[u8; 4], &[u8]),
) -> Result<(), &'static str> {
    if depth > 8 {
        return Err("boxes nested too deep");
    }
    let mut at = 0usize;
    while at + 8 <= buf.len() {
        let size32 = u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]);
        let kind: [u8; 4] = [buf[at + 4], buf[at + 5], buf[at + 6], buf[at + 7]];
        let (header, size) = match size32 {
            0 => (8, buf.len() - at),
            1 => {
                if at + 16 > buf.len() {
                    return Err("truncated box");
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&buf[at + 8..at + 16]);
                (
                    16,
                    usize::try_from(u64::from_be_bytes(b)).map_err(|_| "box too large")?,
                )
            }
            n => (8, n as usize),
        };
        if size < header {
            return Err("malformed box size");
        }
        // a box that runs past what was read is cut there (mdat usually does)
        let end = at.saturating_add(size).min(buf.len());
        let body = &buf[at + header..end];
        visit(&kind, body);
        match &kind {
            // full box: version and flags first
            b"meta" => walk_boxes(body.get(4..).unwrap_or(&[]), depth + 1, visit)?,
            b"iprp" | b"ipco" => walk_boxes(body, depth + 1, visit)?,
            _ => {}
        }
        at = end;
    }
    Ok(())
}

/// Checks a PDF's structure enough to trust it is one, and counts its pages: the header, an
/// end-of-file marker with a cross-reference offset near the end (a truncated or disguised file
/// has none), and page objects. The count is the page tree's `/Count` where it is readable, or
/// the page objects counted; `None` when compressed object streams hide both.
pub fn pdf_pages(path: &Path) -> Result<Option<u32>, InspectError> {
    let invalid = |detail: &str| InspectError::Invalid {
        kind: "PDF",
        detail: detail.to_string(),
    };
    let mut f = File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut head = [0u8; 8];
    f.read_exact(&mut head).map_err(|_| invalid("too short"))?;
    if !head.starts_with(b"%PDF-") || !head[5].is_ascii_digit() {
        return Err(invalid("no %PDF- header"));
    }
    let tail_len = len.min(2048);
    f.seek(SeekFrom::End(-(tail_len as i64))).map_err(io)?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    (&mut f).take(tail_len).read_to_end(&mut tail).map_err(io)?;
    if find(&tail, b"%%EOF").is_none() || find(&tail, b"startxref").is_none() {
        return Err(invalid(
            "no end-of-file marker or cross-reference (truncated?)",
        ));
    }
    f.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut all = Vec::new();
    (&mut f)
        .take(64 * 1024 * 1024)
        .read_to_end(&mut all)
        .map_err(io)?;
    let mut count: Option<u32> = None;
    let mut objects = 0u32;
    let mut at = 0;
    while let Some(i) = find(&all[at..], b"/Type") {
        let rest = &all[at + i + 5..];
        let rest = skip_ws(rest);
        if rest.starts_with(b"/Pages") {
            if let Some(n) = count_after(&all[at..at + i], rest) {
                count = Some(count.map_or(n, |c| c.max(n)));
            }
        } else if rest.starts_with(b"/Page") {
            objects += 1;
        }
        at += i + 5;
    }
    let pages = count.filter(|n| *n > 0).unwrap_or(objects);
    if pages == 0 {
        // object streams may hide the page tree; the trailer still names a catalog
        if find(&all, b"/ObjStm").is_some() {
            return Ok(None);
        }
        return Err(invalid("no pages"));
    }
    Ok(Some(pages))
}

/// The `/Count n` of the dictionary around a `/Type /Pages`: looked for in the 512 bytes on
/// either side.
fn count_after(before: &[u8], after: &[u8]) -> Option<u32> {
    let back = &before[before.len().saturating_sub(512)..];
    let ahead = &after[..after.len().min(512)];
    for window in [ahead, back] {
        if let Some(i) = find(window, b"/Count") {
            let digits: Vec<u8> = skip_ws(&window[i + 6..])
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .copied()
                .collect();
            if let Ok(n) = std::str::from_utf8(&digits).unwrap_or("").parse::<u32>() {
                return Some(n);
            }
        }
    }
    None
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests;
