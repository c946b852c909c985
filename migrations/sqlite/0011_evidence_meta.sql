-- What an evidence file told about itself when it was checked at intake (JSON: width, height,
-- pages, EXIF capture time, device, GPS), shown to the handling officer only; and the photo's
-- 64-bit perceptual hash, for finding the same picture in other complaints. Files stored
-- before have neither.
alter table evidence_files add column meta text;
alter table evidence_files add column phash integer;
