//! Real files for tests (of this crate and of the server): photos that decode, bombs, a photo
//! with EXIF and GPS, PDFs. Built with the `testing` feature only.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

/// A photo-like picture: gradients and a few shapes, so that hashes have something to see.
pub fn picture(w: u32, h: u32, seed: u32) -> RgbImage {
    let mut s = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let background = [next() as u8, next() as u8, next() as u8];
    let slope = [(next() % 3) as u32, (next() % 3) as u32];
    // a few discs and blocks, placed and coloured by the seed, in fractions of the picture
    let shapes: Vec<(bool, f64, f64, f64, [u8; 3])> = (0..6)
        .map(|_| {
            (
                next() % 2 == 0,
                (next() % 1000) as f64 / 1000.0,
                (next() % 1000) as f64 / 1000.0,
                0.08 + (next() % 250) as f64 / 1000.0,
                [next() as u8, next() as u8, next() as u8],
            )
        })
        .collect();
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x) / f64::from(w), f64::from(y) / f64::from(h));
        for (disc, cx, cy, r, colour) in shapes.iter().rev() {
            let inside = if *disc {
                (fx - cx).powi(2) + (fy - cy).powi(2) < r * r
            } else {
                (fx - cx).abs() < *r && (fy - cy).abs() < r / 2.0
            };
            if inside {
                return Rgb(*colour);
            }
        }
        let shade = ((fx * f64::from(slope[0]) + fy * f64::from(slope[1])) * 60.0) as u8;
        Rgb([
            background[0].wrapping_add(shade),
            background[1].wrapping_add(shade / 2),
            background[2],
        ])
    })
}

pub fn encoded(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid-looking PNG of under 100 bytes that declares `w × h` pixels.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend(chunk(b"IHDR", &ihdr));
    // a zlib stream of a few zero bytes
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A JPEG of `img` with an EXIF segment: capture time, device and a GPS position in Guangzhou.
pub fn jpeg_with_gps(img: &RgbImage) -> Vec<u8> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value};
    let ascii = |tag, s: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    };
    let dms = |tag, d: u32, m: u32, s100: u32| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational {
                num: s100,
                denom: 100,
            },
        ]),
    };
    let fields = [
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 15"),
        ascii(Tag::DateTimeOriginal, "2026:04:15 10:31:02"),
        ascii(Tag::GPSLatitudeRef, "N"),
        dms(Tag::GPSLatitude, 23, 6, 3600),
        ascii(Tag::GPSLongitudeRef, "E"),
        dms(Tag::GPSLongitude, 113, 21, 1800),
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let jpeg = encoded(img, ImageFormat::Jpeg);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn minimal_pdf(pages: u32) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
    let mut pdf = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [{}] /Count {pages} >> endobj\n",
        kids.join(" ")
    );
    for i in 0..pages {
        pdf.push_str(&format!(
            "{} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n",
            i + 3
        ));
    }
    pdf.push_str(
        "xref\n0 1\n0000000000 65535 f \ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n",
    );
    pdf.into_bytes()
}

/// A HEIF file's boxes declaring a `w × h` image (no picture data).
pub fn heif(w: u32, h: u32) -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }
    let mut ispe = vec![0, 0, 0, 0];
    ispe.extend_from_slice(&w.to_be_bytes());
    ispe.extend_from_slice(&h.to_be_bytes());
    let ipco = bx(b"ipco", &bx(b"ispe", &ispe));
    let iprp = bx(b"iprp", &ipco);
    let mut meta_body = vec![0, 0, 0, 0];
    meta_body.extend(iprp);
    let mut file = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    file.extend(bx(b"meta", &meta_body));
    file.extend(bx(b"mdat", &[0u8; 64]));
    file
}

/// A valid JPEG of `len` bytes or a little more: a picture that depends on `seed`, then
/// filler after its end marker up to `len` (decoders stop at the marker).
pub fn jpeg_of_len(len: usize, seed: u32) -> Vec<u8> {
    let mut v = encoded(&picture(32, 24, seed), ImageFormat::Jpeg);
    v.extend((v.len()..len).map(|i| (i % 251) as u8));
    v
}

/// A valid PNG of `len` bytes or a little more (filler after its last chunk).
pub fn png_of_len(len: usize, seed: u32) -> Vec<u8> {
    let mut v = encoded(&picture(16, 12, seed), ImageFormat::Png);
    v.extend((v.len()..len).map(|i| (i % 251) as u8));
    v
}

/// A one-page PDF of `len` bytes or a little more (a comment line after the header).
pub fn pdf_of_len(len: usize) -> Vec<u8> {
    let pdf = minimal_pdf(1);
    let header = b"%PDF-1.4\n".len();
    let mut v = pdf[..header].to_vec();
    v.extend_from_slice(b"% ");
    let filler = len.saturating_sub(pdf.len() + 3);
    v.extend((0..filler).map(|i| b'a' + (i % 26) as u8));
    v.push(b'\n');
    v.extend_from_slice(&pdf[header..]);
    v
}

/// A HEIC photo's structure of `len` bytes or a little more, 4032 × 3024.
pub fn heic_of_len(len: usize) -> Vec<u8> {
    let mut v = heif(4032, 3024);
    v.extend((v.len()..len).map(|i| (i % 251) as u8));
    v
}
