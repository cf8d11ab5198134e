//! 28 × 28 images as inline PNG: a grid of grey-scale tiles, encoded in memory and embedded
//! as a `data:` URI, so the report needs no file beside it.

use base64::Engine;
use image::{GrayImage, ImageEncoder, Luma};
use ndarray::ArrayView2;

use crate::Error;

/// Renders the rows of `images` (each `side × side`, values in [0, 1]) as one row of tiles,
/// each scaled up `scale` times, with a 1-pixel gap; returns PNG bytes.
pub fn tile_row_png(images: ArrayView2<f32>, side: usize, scale: u32) -> Result<Vec<u8>, Error> {
    if images.ncols() != side * side {
        return Err(Error::Invalid(format!(
            "{} values per image do not make {side}×{side} tiles",
            images.ncols()
        )));
    }
    let n = images.nrows() as u32;
    let tile = side as u32 * scale;
    let width = (n * (tile + 1)).max(1);
    let mut img = GrayImage::from_pixel(width, tile, Luma([255]));
    for (i, row) in images.rows().into_iter().enumerate() {
        let x0 = i as u32 * (tile + 1);
        for (p, &v) in row.iter().enumerate() {
            // Dark digits on white, as on paper.
            let g = 255 - (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            let (py, px) = ((p / side) as u32, (p % side) as u32);
            for dy in 0..scale {
                for dx in 0..scale {
                    img.put_pixel(x0 + px * scale + dx, py * scale + dy, Luma([g]));
                }
            }
        }
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, tile, image::ColorType::L8)
        .map_err(|e| Error::Invalid(format!("png: {e}")))?;
    Ok(out)
}

/// A `data:` URI for PNG bytes.
pub fn png_data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}
