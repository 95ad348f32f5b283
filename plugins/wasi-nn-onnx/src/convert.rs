//! Tensor conversion between WASI-NN (type tag, dims, little-endian bytes) and ONNX Runtime
//! values, with the checks against the model's declared inputs (type, rank, fixed dimensions).
//!
//! No session handling here: only value conversion.

use ort::value::{DynValue, Outlet, Tensor, TensorElementType, ValueType};
use wasmedge_plugin_sdk::nn::{NnError, TensorRef, TensorType};

/// An output as the guest reads it.
pub enum Output {
    /// The elements' little-endian bytes.
    Bytes(Vec<u8>),
    /// An ONNX type WASI-NN cannot express (its description).
    Unsupported(String),
}

fn onnx_type(ty: TensorType) -> Option<TensorElementType> {
    Some(match ty {
        TensorType::F16 => TensorElementType::Float16,
        TensorType::F32 => TensorElementType::Float32,
        TensorType::F64 => TensorElementType::Float64,
        TensorType::U8 => TensorElementType::Uint8,
        TensorType::I32 => TensorElementType::Int32,
        TensorType::I64 => TensorElementType::Int64,
        _ => return None,
    })
}

fn wasi_name(ty: TensorElementType) -> String {
    match ty {
        TensorElementType::Float16 => "f16".into(),
        TensorElementType::Float32 => "f32".into(),
        TensorElementType::Float64 => "f64".into(),
        TensorElementType::Uint8 => "u8".into(),
        TensorElementType::Int32 => "i32".into(),
        TensorElementType::Int64 => "i64".into(),
        other => format!("{other:?} (no WASI-NN tensor type)"),
    }
}

/// Decodes little-endian elements of `N` bytes.
fn elements<T, const N: usize>(data: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
    data.chunks_exact(N)
        .map(|c| f(c.try_into().expect("chunks_exact gives N bytes")))
        .collect()
}

/// The ONNX Runtime value for a guest tensor, checked against the model input `outlet`.
pub fn input_value(outlet: &Outlet, t: &TensorRef<'_>) -> Result<DynValue, NnError> {
    let ValueType::Tensor {
        ty: want, shape, ..
    } = outlet.dtype()
    else {
        return Err(NnError::unsupported(format!(
            "input \"{}\" is not a tensor ({:?})",
            outlet.name(),
            outlet.dtype()
        )));
    };
    let got = onnx_type(t.ty)
        .ok_or_else(|| NnError::invalid_argument(format!("unknown tensor type {}", t.ty.0)))?;
    if got != *want {
        return Err(NnError::invalid_argument(format!(
            "input \"{}\" is {}, but a {} tensor was given",
            outlet.name(),
            wasi_name(*want),
            t.ty
        )));
    }
    let dims: Vec<i64> = t.dims.iter().map(|d| *d as i64).collect();
    let fixed_mismatch =
        shape.len() != dims.len() || shape.iter().zip(&dims).any(|(m, d)| *m >= 0 && m != d);
    if fixed_mismatch {
        return Err(NnError::invalid_argument(format!(
            "input \"{}\" has shape {:?} (-1 = any), but dimensions {:?} were given",
            outlet.name(),
            &shape[..],
            dims
        )));
    }
    let data = t.data.as_slice();
    let made = match t.ty {
        TensorType::F16 => Tensor::from_array((dims, elements(data, half::f16::from_le_bytes)))
            .map(|v| v.into_dyn()),
        TensorType::F32 => {
            Tensor::from_array((dims, elements(data, f32::from_le_bytes))).map(|v| v.into_dyn())
        }
        TensorType::F64 => {
            Tensor::from_array((dims, elements(data, f64::from_le_bytes))).map(|v| v.into_dyn())
        }
        TensorType::U8 => Tensor::from_array((dims, data.to_vec())).map(|v| v.into_dyn()),
        TensorType::I32 => {
            Tensor::from_array((dims, elements(data, i32::from_le_bytes))).map(|v| v.into_dyn())
        }
        _ => Tensor::from_array((dims, elements(data, i64::from_le_bytes))).map(|v| v.into_dyn()),
    };
    made.map_err(|e| NnError::invalid_argument(format!("input \"{}\": {e}", outlet.name())))
}

fn le_bytes<T: Copy, const N: usize>(v: &[T], f: fn(T) -> [u8; N]) -> Vec<u8> {
    v.iter().flat_map(|x| f(*x)).collect()
}

/// An output value as bytes (or why it cannot be read).
pub fn output_of(v: &ort::value::DynValueRef<'_>) -> Output {
    let ValueType::Tensor { ty, .. } = v.dtype() else {
        return Output::Unsupported(format!("{:?}", v.dtype()));
    };
    let bytes = match ty {
        TensorElementType::Float16 => v
            .try_extract_tensor::<half::f16>()
            .map(|(_, d)| le_bytes(d, half::f16::to_le_bytes)),
        TensorElementType::Float32 => v
            .try_extract_tensor::<f32>()
            .map(|(_, d)| le_bytes(d, f32::to_le_bytes)),
        TensorElementType::Float64 => v
            .try_extract_tensor::<f64>()
            .map(|(_, d)| le_bytes(d, f64::to_le_bytes)),
        TensorElementType::Uint8 => v.try_extract_tensor::<u8>().map(|(_, d)| d.to_vec()),
        TensorElementType::Int32 => v
            .try_extract_tensor::<i32>()
            .map(|(_, d)| le_bytes(d, i32::to_le_bytes)),
        TensorElementType::Int64 => v
            .try_extract_tensor::<i64>()
            .map(|(_, d)| le_bytes(d, i64::to_le_bytes)),
        other => return Output::Unsupported(format!("a {} tensor", wasi_name(*other))),
    };
    match bytes {
        Ok(b) => Output::Bytes(b),
        Err(e) => Output::Unsupported(format!("unreadable ({e})")),
    }
}
