//! The command line and the output format shared by the two `infer` guests (they differ only
//! in the guest crate that makes the WASI-NN calls).
//!
//! ```text
//! infer RUN [+ RUN]...
//! RUN = ENCODING TARGET (--model FILE... | --preload NAME)
//!       [--input TYPE:DIMS:FILE]... [--output TYPE]... [--out-buf BYTES] [--top K]
//! ```
//! ENCODING is openvino, onnx or pytorch; TARGET cpu, gpu or tpu; TYPE f16, f32, f64, u8, i32
//! or i64; DIMS comma-separated (`-` for a scalar); FILE holds the raw little-endian elements.
//! Each output is printed as `run R output I TYPE N: V V …` (N elements, full precision), then
//! for float outputs `run R top I: IDX=V …` (the K largest, default 5).
//!
//! No WASI-NN calls here.

/// A tensor element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    F16,
    F32,
    F64,
    U8,
    I32,
    I64,
}

impl Ty {
    fn parse(s: &str) -> Result<Ty, String> {
        Ok(match s {
            "f16" => Ty::F16,
            "f32" => Ty::F32,
            "f64" => Ty::F64,
            "u8" => Ty::U8,
            "i32" => Ty::I32,
            "i64" => Ty::I64,
            _ => return Err(format!("unknown tensor type {s:?}")),
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Ty::U8 => 1,
            Ty::F16 => 2,
            Ty::F32 | Ty::I32 => 4,
            Ty::F64 | Ty::I64 => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ty::F16 => "f16",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::U8 => "u8",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        }
    }
}

/// One input tensor.
pub struct Input {
    pub ty: Ty,
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// Where the model comes from.
pub enum Model {
    /// Files read by the guest and passed as builders.
    Files(Vec<String>),
    /// A `--nn-preload` name for `load_by_name`.
    Preload(String),
}

/// One inference.
pub struct Run {
    pub encoding: String,
    pub target: String,
    pub model: Model,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Ty>,
    pub out_buf: usize,
    pub top: usize,
}

fn parse_input(spec: &str) -> Result<Input, String> {
    let mut parts = spec.splitn(3, ':');
    let (Some(ty), Some(dims), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("--input {spec}: expected TYPE:DIMS:FILE"));
    };
    let ty = Ty::parse(ty)?;
    let dims = if dims == "-" {
        Vec::new()
    } else {
        dims.split(',')
            .map(|d| {
                d.parse()
                    .map_err(|_| format!("--input {spec}: bad dimension {d:?}"))
            })
            .collect::<Result<_, _>>()?
    };
    let data =
        std::fs::read(file).map_err(|e| format!("--input {spec}: cannot read {file}: {e}"))?;
    Ok(Input { ty, dims, data })
}

fn parse_run(args: &[String]) -> Result<Run, String> {
    let [encoding, target, rest @ ..] = args else {
        return Err("a run starts with ENCODING TARGET".into());
    };
    let mut run = Run {
        encoding: encoding.clone(),
        target: target.clone(),
        model: Model::Files(Vec::new()),
        inputs: Vec::new(),
        outputs: Vec::new(),
        out_buf: 1 << 20,
        top: 5,
    };
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--model" => match &mut run.model {
                Model::Files(f) => f.push(value.clone()),
                Model::Preload(_) => return Err("--model and --preload exclude each other".into()),
            },
            "--preload" => run.model = Model::Preload(value.clone()),
            "--input" => run.inputs.push(parse_input(value)?),
            "--output" => run.outputs.push(Ty::parse(value)?),
            "--out-buf" => run.out_buf = value.parse().map_err(|_| "bad --out-buf".to_string())?,
            "--top" => run.top = value.parse().map_err(|_| "bad --top".to_string())?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(run)
}

/// The runs of the command line (separated by `+`).
pub fn parse_args() -> Result<Vec<Run>, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.split(|a| a == "+").map(parse_run).collect()
}

fn f16_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((bits >> 10) & 0x1f) as i32;
    let frac = (bits & 0x3ff) as f32;
    sign * match exp {
        0 => frac * 2f32.powi(-24),
        31 if frac == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}

/// Prints output `index` of run `run` (its bytes) and, for floats, its top `top` elements.
pub fn print_output(run: usize, index: usize, ty: Ty, bytes: &[u8], top: usize) {
    let n = bytes.len() / ty.size();
    let chunks = bytes.chunks_exact(ty.size());
    let values: Vec<String> = match ty {
        Ty::F16 => chunks
            .map(|c| format!("{:?}", f16_to_f32(u16::from_le_bytes([c[0], c[1]]))))
            .collect(),
        Ty::F32 => chunks
            .map(|c| format!("{:?}", f32::from_le_bytes(c.try_into().unwrap())))
            .collect(),
        Ty::F64 => chunks
            .map(|c| format!("{:?}", f64::from_le_bytes(c.try_into().unwrap())))
            .collect(),
        Ty::U8 => chunks.map(|c| c[0].to_string()).collect(),
        Ty::I32 => chunks
            .map(|c| i32::from_le_bytes(c.try_into().unwrap()).to_string())
            .collect(),
        Ty::I64 => chunks
            .map(|c| i64::from_le_bytes(c.try_into().unwrap()).to_string())
            .collect(),
    };
    println!(
        "run {run} output {index} {} {n}: {}",
        ty.name(),
        values.join(" ")
    );
    if matches!(ty, Ty::F16 | Ty::F32 | Ty::F64) && top > 0 {
        let mut ranked: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i, v.parse::<f64>().unwrap_or(f64::NAN)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best: Vec<String> = ranked
            .iter()
            .take(top)
            .map(|(i, v)| {
                format!(
                    "{i}={}",
                    values[*i]
                        .parse::<f64>()
                        .map(|_| v.to_string())
                        .unwrap_or_default()
                )
            })
            .collect();
        println!("run {run} top {index}: {}", best.join(" "));
    }
}

/// Prints `message` to stderr and exits with 1.
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("infer: {message}");
    std::process::exit(1)
}
