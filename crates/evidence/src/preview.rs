//! Previews of photos: a thumbnail for lists and a screen-size copy for reading, re-encoded
//! from the pixels so that they carry no metadata at all (no EXIF, no GPS), upright. The
//! original is never touched; previews live beside it, by its digest.

use std::io::Cursor;

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;

/// The sizes a preview is made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewSize {
    /// At most 320 pixels on its longer side.
    Thumb,
    /// At most 1,600 pixels on its longer side.
    Screen,
}

impl PreviewSize {
    pub const ALL: [PreviewSize; 2] = [PreviewSize::Thumb, PreviewSize::Screen];

    pub fn key(self) -> &'static str {
        match self {
            PreviewSize::Thumb => "thumb",
            PreviewSize::Screen => "screen",
        }
    }

    pub fn parse(s: &str) -> Option<PreviewSize> {
        PreviewSize::ALL.into_iter().find(|p| p.key() == s)
    }

    pub fn longest_side(self) -> u32 {
        match self {
            PreviewSize::Thumb => 320,
            PreviewSize::Screen => 1_600,
        }
    }
}

/// A JPEG of `img` no larger than `size` (never enlarged), without metadata.
pub fn render(img: &DynamicImage, size: PreviewSize) -> Result<Vec<u8>, image::ImageError> {
    let side = size.longest_side();
    let scaled = if img.width() > side || img.height() > side {
        img.thumbnail(side, side)
    } else {
        img.clone()
    };
    let rgb = scaled.to_rgb8();
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 82).encode_image(&rgb)?;
    Ok(out.into_inner())
}
