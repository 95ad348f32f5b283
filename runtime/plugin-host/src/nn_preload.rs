//! `--nn-preload alias:ENCODING:TARGET:path[:path…]`: parsing the option's values into
//! [`Preload`]s for `load_by_name` (WasmEdge's rules: split on `:`, case-insensitive encoding
//! and target, an unusable entry is skipped with a warning, not fatal).
//!
//! Parsing only: no file is read and no backend is called here.

use std::path::Path;
use wasmedge_plugin_sdk::nn::{ExecutionTarget, GraphEncoding};

/// One usable `--nn-preload` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preload {
    /// The name guests pass to `load_by_name`.
    pub alias: String,
    /// The graph encoding (never `AUTODETECT`: that is resolved from the file names).
    pub encoding: GraphEncoding,
    /// The execution target (`AUTO` allowed here).
    pub target: ExecutionTarget,
    /// The model files, in builder order.
    pub paths: Vec<String>,
}

/// Parses every value; returns the usable entries and one warning per skipped one. A later
/// entry with the same alias replaces an earlier one.
pub fn parse_all(values: &[String]) -> (Vec<Preload>, Vec<String>) {
    let mut out: Vec<Preload> = Vec::new();
    let mut warnings = Vec::new();
    for v in values {
        match parse(v) {
            Ok(p) => {
                out.retain(|o| o.alias != p.alias);
                out.push(p);
            }
            Err(e) => warnings.push(format!("--nn-preload {v}: {e}; the entry is skipped")),
        }
    }
    (out, warnings)
}

/// Parses one `alias:ENCODING:TARGET:path[:path…]`.
pub fn parse(value: &str) -> Result<Preload, String> {
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() < 4 || parts[..3].iter().any(|p| p.is_empty()) {
        return Err("expected ALIAS:ENCODING:TARGET:PATH[:PATH…]".to_string());
    }
    let mut paths: Vec<String> = parts[3..].iter().map(|p| p.to_string()).collect();
    // A Windows drive letter ("C:\models\m.onnx") was split off its path: join it back.
    let mut i = 0;
    while i + 1 < paths.len() {
        if paths[i].len() == 1 && paths[i].as_bytes()[0].is_ascii_alphabetic() {
            let rest = paths.remove(i + 1);
            paths[i] = format!("{}:{rest}", paths[i]);
        }
        i += 1;
    }
    if paths.iter().any(String::is_empty) {
        return Err("a model path is empty".to_string());
    }
    let target = ExecutionTarget::from_name(parts[2]).ok_or_else(|| {
        format!(
            "unknown execution target \"{}\" (expected cpu, gpu, tpu or auto)",
            parts[2]
        )
    })?;
    let mut encoding = GraphEncoding::from_name(parts[1]).ok_or_else(|| {
        format!(
            "unknown graph encoding \"{}\" (expected openvino, onnx, tensorflow, pytorch, \
             tensorflowlite, autodetect or ggml)",
            parts[1]
        )
    })?;
    if encoding == GraphEncoding::AUTODETECT {
        encoding = detect(&paths[0]).ok_or_else(|| {
            format!(
                "autodetect cannot tell the encoding of {} from its extension (.onnx, .xml, \
                 .pt, .pth, .jit, .gguf, .tflite)",
                paths[0]
            )
        })?;
    }
    Ok(Preload {
        alias: parts[0].to_string(),
        encoding,
        target,
        paths,
    })
}

/// The encoding a model file's extension names.
fn detect(path: &str) -> Option<GraphEncoding> {
    let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "onnx" => GraphEncoding::ONNX,
        "xml" => GraphEncoding::OPENVINO,
        "pt" | "pth" | "jit" | "torchscript" => GraphEncoding::PYTORCH,
        "gguf" => GraphEncoding::GGML,
        "tflite" => GraphEncoding::TENSORFLOWLITE,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preloads_parse_like_wasmedge() {
        let p = parse("cls:ONNX:cpu:models/cls.onnx").unwrap();
        assert_eq!(
            (p.alias.as_str(), p.encoding, p.target),
            ("cls", GraphEncoding::ONNX, ExecutionTarget::CPU)
        );
        assert_eq!(p.paths, ["models/cls.onnx"]);
        let p = parse("ir:OpenVINO:AUTO:m.xml:m.bin").unwrap();
        assert_eq!(p.encoding, GraphEncoding::OPENVINO);
        assert_eq!(p.target, ExecutionTarget::AUTO);
        assert_eq!(p.paths, ["m.xml", "m.bin"]);
        let p = parse(r"w:pytorch:gpu:C:\m\a.pt").unwrap();
        assert_eq!(p.paths, [r"C:\m\a.pt"]);
        let p = parse("a:autodetect:cpu:x/model.ONNX").unwrap();
        assert_eq!(p.encoding, GraphEncoding::ONNX);
        assert!(parse("a:autodetect:cpu:model.bin").is_err());
        assert!(parse("a:onnx:cpu").unwrap_err().contains("ALIAS:ENCODING"));
        assert!(parse("a:bogus:cpu:m").unwrap_err().contains("bogus"));
        assert!(parse("a:onnx:npu:m").unwrap_err().contains("npu"));
        assert!(parse(":onnx:cpu:m").is_err());
        assert!(parse("a:onnx:cpu:").is_err());
    }

    #[test]
    fn bad_entries_are_skipped_and_later_aliases_win() {
        let (p, w) = parse_all(&[
            "a:onnx:cpu:1.onnx".into(),
            "b:nope:cpu:2".into(),
            "a:onnx:cpu:3.onnx".into(),
        ]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].paths, ["3.onnx"]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("b:nope:cpu:2") && w[0].contains("skipped"));
    }
}
