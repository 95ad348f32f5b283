//! The bytes the GGML backend hands back, formatted exactly as WasmEdge's plug-in formats them:
//! the output metadata JSON of output index 1 and the embedding JSON of embedding mode
//! (`{"n_embedding": N, "embedding": [..]}`, each value printed like C's `%.10g`), plus the
//! embedding normalisations of llama.cpp's `common_embd_normalize`.
//!
//! Formatting only: no llama.cpp calls and no guest memory here.

/// Output 1: `{"input_tokens": N, "output_tokens": N, "llama_build_number": N, "llama_commit": "…"}`
/// (WasmEdge's spacing).
pub fn metadata(input_tokens: usize, output_tokens: usize, build: i64, commit: &str) -> String {
    format!(
        "{{\"input_tokens\": {input_tokens}, \"output_tokens\": {output_tokens}, \
         \"llama_build_number\": {build}, \"llama_commit\": \"{commit}\"}}"
    )
}

/// The embedding output: `{"n_embedding": N, "embedding": [v,v,…]}`.
pub fn embedding(values: &[f32]) -> String {
    let body: Vec<String> = values.iter().map(|v| g10(*v as f64)).collect();
    format!(
        "{{\"n_embedding\": {}, \"embedding\": [{}]}}",
        values.len(),
        body.join(",")
    )
}

/// `x` with 10 significant digits, as C's `printf("%.10g")` writes it.
pub fn g10(x: f64) -> String {
    const P: i32 = 10;
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // The exponent after rounding to P significant digits decides the style.
    let sci = format!("{:.*e}", (P - 1) as usize, x);
    let (mantissa, exp) = sci.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().expect("a number");
    if !(-4..P).contains(&exp) {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (P - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// llama.cpp's `common_embd_normalize`, with its float/double mix: -1 none, 0 max-absolute
/// (scaled to the int16 range), 2 euclidean, any other p a p-norm.
pub fn normalize(inp: &[f32], norm: i64) -> Vec<f32> {
    let sum: f64 = match norm {
        -1 => 1.0,
        0 => inp.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64)) / 32760.0,
        2 => inp.iter().map(|v| (v * v) as f64).sum::<f64>().sqrt(),
        p => inp
            .iter()
            .map(|v| (v.abs() as f64).powf(p as f64))
            .sum::<f64>()
            .powf(1.0 / p as f64),
    };
    let scale: f32 = if sum > 0.0 { (1.0 / sum) as f32 } else { 0.0 };
    inp.iter().map(|v| v * scale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_wasmedges_text() {
        assert_eq!(
            metadata(5, 32, 0, "unknown"),
            r#"{"input_tokens": 5, "output_tokens": 32, "llama_build_number": 0, "llama_commit": "unknown"}"#
        );
    }

    #[test]
    fn numbers_print_like_percent_10g() {
        for (x, want) in [
            (0.5, "0.5"),
            (1.0, "1"),
            (-0.125, "-0.125"),
            (0.1234567891234, "0.1234567891"),
            (1.23456789012e-5, "1.23456789e-05"),
            (0.0001, "0.0001"),
            (123456789012.0, "1.23456789e+11"),
            (0.0, "0"),
            (9.99999999996, "10"),
        ] {
            assert_eq!(g10(x), want, "{x}");
        }
        assert_eq!(
            embedding(&[0.5, -0.25]),
            r#"{"n_embedding": 2, "embedding": [0.5,-0.25]}"#
        );
    }

    #[test]
    fn normalisations() {
        let v = normalize(&[3.0, 4.0], 2);
        assert_eq!(v, [0.6, 0.8]);
        assert_eq!(normalize(&[1.0, -3.0], 1), [0.25, -0.75]);
        assert_eq!(normalize(&[1.0, 2.0], -1), [1.0, 2.0]);
        assert_eq!(normalize(&[0.0, 0.0], 2), [0.0, 0.0]);
    }
}
