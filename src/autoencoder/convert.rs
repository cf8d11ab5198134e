//! The one place that converts between ndarray matrices and candle tensors.

use candle_core::{Device, Tensor};
use ndarray::{Array2, ArrayView2};

use super::error::AutoencoderError;

/// A `rows × cols` f32 tensor from a matrix view (copied once into a contiguous buffer).
pub fn tensor_from_view(x: ArrayView2<f32>, device: &Device) -> Result<Tensor, AutoencoderError> {
    let (r, c) = x.dim();
    let owned = x.as_standard_layout();
    let data = owned.as_slice().expect("standard layout is contiguous");
    Ok(Tensor::from_slice(data, (r, c), device)?)
}

/// A matrix from a 2-D (or flattenable to `(dim0, rest)`) f32 tensor.
pub fn array_from_tensor(t: &Tensor) -> Result<Array2<f32>, AutoencoderError> {
    let dims = t.dims();
    let rows = dims.first().copied().unwrap_or(0);
    let cols: usize = dims.iter().skip(1).product();
    let flat: Vec<f32> = t.flatten_all()?.to_vec1()?;
    Array2::from_shape_vec((rows, cols), flat)
        .map_err(|e| AutoencoderError::Config(format!("tensor to matrix: {e}")))
}
