//! `wasmedge validate FILE` (decode and validate) and `wasmedge parse FILE` (decode only, like
//! WasmEdge's loader without its validator).
//!
//! Both print nothing on success and exit 0; on failure they log the error and exit 1. This file
//! must not compile or instantiate modules.

use crate::cli::args::CheckArgs;
use crate::cli::{EXIT_FAILURE, EXIT_SUCCESS, Log};
use wasmedge_runtime::{Config, Engine, Error, Module, Phase, WasmFeatures};
use wasmparser::{BinaryReaderError, ElementItems, ElementKind, Parser, Payload};

/// Reads FILE and converts text to binary.
pub(crate) fn read_binary(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(
            Phase::Loading,
            format!("cannot read \"{}\": {e}", path.display()),
            None,
        )
    })?;
    Ok(wasmedge_environ::loader::to_binary(&bytes)?.into_owned())
}

fn features(args: &CheckArgs) -> WasmFeatures {
    args.features.apply(Config::new().features())
}

/// `wasmedge validate`.
pub fn validate(args: &CheckArgs, log: &Log) -> i32 {
    let mut config = Config::new();
    config.wasm_features(features(args));
    let result = Engine::new(&config)
        .and_then(|engine| Module::validate(&engine, &read_binary(&args.file)?));
    match result {
        Ok(()) => EXIT_SUCCESS,
        Err(e) => {
            log.error(&e.to_string());
            EXIT_FAILURE
        }
    }
}

/// `wasmedge parse`.
pub fn parse(args: &CheckArgs, log: &Log) -> i32 {
    let result = read_binary(&args.file).and_then(|binary| decode(&binary, features(args)));
    match result {
        Ok(()) => EXIT_SUCCESS,
        Err(e) => {
            log.error(&e.to_string());
            EXIT_FAILURE
        }
    }
}

/// Decodes every section, entry, constant expression and instruction of a core module without
/// validating it. Errors are `loading failed: …` errors with the byte offset.
pub fn decode(binary: &[u8], features: WasmFeatures) -> Result<(), Error> {
    decode_payloads(binary, features).map_err(|e| match e {
        Malformed::Reader(e) => Error::new(Phase::Loading, e.message(), Some(e.offset())),
        Malformed::Other(message, offset) => Error::new(Phase::Loading, message, Some(offset)),
    })
}

enum Malformed {
    Reader(BinaryReaderError),
    Other(String, u64),
}

impl From<BinaryReaderError> for Malformed {
    fn from(e: BinaryReaderError) -> Malformed {
        Malformed::Reader(e)
    }
}

fn decode_payloads(binary: &[u8], features: WasmFeatures) -> Result<(), Malformed> {
    fn all<'a, T: wasmparser::FromReader<'a>>(
        reader: wasmparser::SectionLimited<'a, T>,
    ) -> Result<Vec<T>, Malformed> {
        Ok(reader.into_iter().collect::<Result<_, _>>()?)
    }
    fn expr(e: &wasmparser::ConstExpr<'_>) -> Result<(), Malformed> {
        let mut ops = e.get_operators_reader();
        while !ops.eof() {
            ops.read()?;
        }
        Ok(ops.finish()?)
    }
    let mut parser = Parser::new(0);
    parser.set_features(features);
    for payload in parser.parse_all(binary) {
        match payload? {
            Payload::Version {
                encoding, range, ..
            } if encoding != wasmparser::Encoding::Module => {
                return Err(Malformed::Other(
                    "components are not supported".into(),
                    range.start,
                ));
            }
            Payload::TypeSection(r) => drop(all(r)?),
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    import?;
                }
            }
            Payload::FunctionSection(r) => drop(all(r)?),
            Payload::TableSection(r) => drop(all(r)?),
            Payload::MemorySection(r) => drop(all(r)?),
            Payload::TagSection(r) => drop(all(r)?),
            Payload::GlobalSection(r) => {
                for global in all(r)? {
                    expr(&global.init_expr)?;
                }
            }
            Payload::ExportSection(r) => drop(all(r)?),
            Payload::ElementSection(r) => {
                for element in all(r)? {
                    if let ElementKind::Active { offset_expr, .. } = &element.kind {
                        expr(offset_expr)?;
                    }
                    match element.items {
                        ElementItems::Functions(f) => drop(all(f)?),
                        ElementItems::Expressions(_, e) => {
                            for e in all(e)? {
                                expr(&e)?;
                            }
                        }
                    }
                }
            }
            Payload::DataSection(r) => {
                for data in all(r)? {
                    if let wasmparser::DataKind::Active { offset_expr, .. } = &data.kind {
                        expr(offset_expr)?;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                for local in body.get_locals_reader()? {
                    local?;
                }
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    ops.read()?;
                }
                ops.finish()?;
            }
            Payload::UnknownSection { id, range, .. } => {
                return Err(Malformed::Other(
                    format!("malformed section id: {id}"),
                    range.start,
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn decodes_a_valid_module() {
        let m = wasm(
            r#"(module (memory 1) (global i32 (i32.const 1)) (table 1 funcref)
                 (func $f (export "f") (param i32) (result i32) (local i64) local.get 0)
                 (elem (i32.const 0) $f) (data (i32.const 0) "hi"))"#,
        );
        decode(&m, WasmFeatures::default()).unwrap();
    }

    #[test]
    fn decoding_does_not_validate() {
        // Type error (i64 result from an i32 function): decodes fine, does not validate.
        let m = wasm(r#"(module (func (result i32) i64.const 1))"#);
        decode(&m, WasmFeatures::default()).unwrap();
    }

    #[test]
    fn malformed_bytes_fail() {
        let mut m = wasm(r#"(module (func (result i32) i32.const 1))"#);
        let last = m.len() - 1;
        m.truncate(last);
        assert!(decode(&m, WasmFeatures::default()).is_err());
        assert!(decode(b"\0asm\x01\0\0\0\x0d\x00", WasmFeatures::default()).is_err());
        assert!(decode(b"\0asm\x02\0\0\0", WasmFeatures::default()).is_err());
    }
}
