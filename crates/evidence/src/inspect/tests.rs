use image::ImageFormat;

use super::*;
use crate::preview::{PreviewSize, render};
use crate::testing::{encoded, heif, jpeg_with_gps, minimal_pdf, picture, png_bomb};

fn written(bytes: &[u8]) -> (tempdir::Dir, std::path::PathBuf) {
    let dir = tempdir::Dir::new();
    let p = dir.0.join("f");
    std::fs::write(&p, bytes).unwrap();
    (dir, p)
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let mut n = [0u8; 8];
            getrandom::fill(&mut n).unwrap();
            let p = std::env::temp_dir().join(format!("kuaiwei-inspect-{}", hex::encode(n)));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn photos_decode_with_their_size_and_a_hash() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
        let (_d, p) = written(&encoded(&picture(640, 480, 1), format));
        let media = crate::sniff(&std::fs::read(&p).unwrap()[..16]).unwrap();
        let i = inspect(&p, media, &DecodeLimits::default()).unwrap();
        assert_eq!((i.width, i.height), (Some(640), Some(480)), "{format:?}");
        assert!(i.phash.is_some());
        assert!(i.meta.is_empty());
    }
}

#[test]
fn a_png_declaring_fifty_thousand_pixels_square_is_refused_before_decoding() {
    let bomb = png_bomb(50_000, 50_000);
    assert!(bomb.len() < 1024);
    let (_d, p) = written(&bomb);
    assert!(matches!(
        inspect(&p, MediaType::Png, &DecodeLimits::default()),
        Err(InspectError::TooManyPixels { .. })
    ));
    // within every limit but declaring far more than a 100-byte file can hold: refused before
    // the decoder allocates 147 MB
    let (_d, p) = written(&png_bomb(7_000, 7_000));
    assert!(matches!(
        inspect(&p, MediaType::Png, &DecodeLimits::default()),
        Err(InspectError::TooManyPixels { .. })
    ));
    // a real white screenshot compresses about 1,000 to 1, and is a picture
    let white = image::RgbImage::from_pixel(3000, 2000, image::Rgb([255, 255, 255]));
    let (_d, p) = written(&encoded(&white, ImageFormat::Png));
    assert!(inspect(&p, MediaType::Png, &DecodeLimits::default()).is_ok());
    // within each side, over the pixel count
    let (_d, p) = written(&png_bomb(11_000, 11_000));
    assert!(matches!(
        inspect(&p, MediaType::Png, &DecodeLimits::default()),
        Err(InspectError::TooManyPixels { .. })
    ));
}

#[test]
fn a_jpeg_header_before_an_html_body_is_not_a_jpeg() {
    let mut polyglot = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    polyglot.extend_from_slice(b"JFIF\0<html><script>alert(document.cookie)</script></html>");
    let (_d, p) = written(&polyglot);
    assert!(matches!(
        inspect(&p, MediaType::Jpeg, &DecodeLimits::default()),
        Err(InspectError::Invalid { kind: "JPEG", .. })
    ));
}

#[test]
fn truncated_photos_are_refused() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png] {
        let full = encoded(&picture(640, 480, 2), format);
        let (_d, p) = written(&full[..full.len() / 2]);
        let media = crate::sniff(&full[..16]).unwrap();
        assert!(
            inspect(&p, media, &DecodeLimits::default()).is_err(),
            "{format:?} cut in half"
        );
    }
}

#[test]
fn a_photo_cut_after_a_complete_embedded_thumbnail_is_still_refused() {
    // a phone's EXIF segment carries a whole small JPEG (thumbnail), with its own scan and end
    let thumb = encoded(&picture(64, 48, 8), ImageFormat::Jpeg);
    let photo = encoded(&picture(640, 480, 9), ImageFormat::Jpeg);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((thumb.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(&thumb);
    let mut with_thumb = photo[..2].to_vec();
    with_thumb.extend(app1);
    with_thumb.extend_from_slice(&photo[2..]);
    let (_d, whole) = written(&with_thumb);
    assert!(inspect(&whole, MediaType::Jpeg, &DecodeLimits::default()).is_ok());
    let (_d, cut) = written(&with_thumb[..with_thumb.len() * 2 / 3]);
    assert!(matches!(
        inspect(&cut, MediaType::Jpeg, &DecodeLimits::default()),
        Err(InspectError::Invalid { kind: "JPEG", .. })
    ));
}

#[test]
fn exif_capture_time_device_and_gps_are_read() {
    let (_d, p) = written(&jpeg_with_gps(&picture(320, 240, 3)));
    let i = inspect(&p, MediaType::Jpeg, &DecodeLimits::default()).unwrap();
    assert_eq!(i.meta.captured_at.as_deref(), Some("2026:04:15 10:31:02"));
    assert_eq!(i.meta.device.as_deref(), Some("Apple iPhone 15"));
    let (lat, lon) = i.meta.gps.unwrap();
    assert!((lat - 23.11).abs() < 1e-6, "{lat}");
    assert!((lon - 113.355).abs() < 1e-6, "{lon}");
}

#[test]
fn previews_are_smaller_upright_copies_without_metadata() {
    let (_d, p) = written(&jpeg_with_gps(&picture(2400, 1800, 4)));
    let img = decode(&p, MediaType::Jpeg, &DecodeLimits::default()).unwrap();
    for size in PreviewSize::ALL {
        let bytes = render(&img, size).unwrap();
        let (_d2, q) = written(&bytes);
        let back = decode(&q, MediaType::Jpeg, &DecodeLimits::default()).unwrap();
        assert_eq!(back.width().max(back.height()), size.longest_side());
        assert!(exif_of(&q).is_empty(), "{size:?} carries EXIF");
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{size:?} has an Exif segment"
        );
    }
}

#[test]
fn pdfs_are_counted_and_what_is_not_one_is_refused() {
    let (_d, p) = written(&minimal_pdf(3));
    assert_eq!(
        inspect(&p, MediaType::Pdf, &DecodeLimits::default())
            .unwrap()
            .pages,
        Some(3)
    );
    let mut fake = b"%PDF-1.7\n".to_vec();
    fake.extend_from_slice(b"<html><body>not a document</body></html>");
    let (_d, p) = written(&fake);
    assert!(inspect(&p, MediaType::Pdf, &DecodeLimits::default()).is_err());
    let whole = minimal_pdf(2);
    let (_d, p) = written(&whole[..whole.len() - 30]);
    assert!(
        inspect(&p, MediaType::Pdf, &DecodeLimits::default()).is_err(),
        "truncated"
    );
}

#[test]
fn heic_is_bounded_by_its_declared_size() {
    let (_d, p) = written(&heif(4032, 3024));
    let i = inspect(&p, MediaType::Heic, &DecodeLimits::default()).unwrap();
    assert_eq!((i.width, i.height), (Some(4032), Some(3024)));
    assert_eq!(i.phash, None, "no decoder, no hash");
    let (_d, p) = written(&heif(60_000, 60_000));
    assert!(matches!(
        inspect(&p, MediaType::Heic, &DecodeLimits::default()),
        Err(InspectError::TooManyPixels { .. })
    ));
    let (_d, p) = written(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic");
    assert!(inspect(&p, MediaType::Heic, &DecodeLimits::default()).is_err());
}

#[test]
fn a_resized_recompressed_copy_hashes_close_and_another_photo_does_not() {
    let original = picture(1600, 1200, 5);
    let (_d, p) = written(&encoded(&original, ImageFormat::Png));
    let a = inspect(&p, MediaType::Png, &DecodeLimits::default())
        .unwrap()
        .phash
        .unwrap();
    let smaller =
        image::imageops::resize(&original, 800, 600, image::imageops::FilterType::Triangle);
    let (_d, q) = written(&encoded(&smaller, ImageFormat::Jpeg));
    let b = inspect(&q, MediaType::Jpeg, &DecodeLimits::default())
        .unwrap()
        .phash
        .unwrap();
    let other = picture(1600, 1200, 9);
    let (_d, r) = written(&encoded(&other, ImageFormat::Jpeg));
    let c = inspect(&r, MediaType::Jpeg, &DecodeLimits::default())
        .unwrap()
        .phash
        .unwrap();
    assert!((a ^ b).count_ones() <= 6, "copy: {}", (a ^ b).count_ones());
    assert!((a ^ c).count_ones() > 12, "other: {}", (a ^ c).count_ones());
}
