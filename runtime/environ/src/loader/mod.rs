//! The loader: decodes a binary module with `wasmparser`, validates it (module structure and
//! every function body) against the configured feature set, and produces a `ModuleInfo`.
//!
//! Every failure is an `Error` naming the phase (`loading` for malformed bytes, `validation`
//! for invalid modules), the cause and the byte offset; never a panic. The loader must not
//! compile anything.

pub mod const_expr;
pub mod features;
pub mod info;

use crate::error::{Error, Phase, Result};
use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
use const_expr::ConstExpr;
use info::{DataMode, DataSegment, ElementMode, ElementSegment, EntityIndex, Import, ModuleInfo};
use rayon::prelude::*;
use wasmparser::{
    BinaryReaderError, FuncToValidate, FunctionBody, Parser, Payload, ValidPayload, Validator,
    ValidatorResources, WasmFeatures,
};

fn malformed(e: BinaryReaderError) -> Error {
    Error::new(Phase::Loading, e.message(), Some(e.offset()))
}

fn invalid(e: BinaryReaderError) -> Error {
    Error::new(Phase::Validation, e.message(), Some(e.offset()))
}

/// When `binary` failed validation with `features`, the first switched-off proposal that makes
/// it valid: the error is then "unsupported", with the switch that fixes it. Found by
/// validating again with each proposal added (only on this error path), not by reading
/// wasmparser's message text.
fn disabled_proposal_needed(binary: &[u8], features: WasmFeatures) -> Option<&'static str> {
    features::PROPOSALS
        .iter()
        .filter(|(_, f)| !features.contains(*f) && features::implemented_features().contains(*f))
        .find(|(_, f)| load_checked(binary, features | *f | features::implied_by(*f), true).is_ok())
        .map(|(name, _)| *name)
}

/// Returns the binary form of `bytes`: binary modules as they are, text (`.wat`) parsed.
pub fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    let looks_textual = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'(' || *b == b';');
    if !looks_textual {
        return Err(Error::new(
            Phase::Loading,
            "magic header not detected: the file is neither a WebAssembly binary nor text",
            Some(0),
        ));
    }
    #[cfg(feature = "wat")]
    {
        wat::parse_bytes(bytes).map_err(|e| Error::new(Phase::Loading, e.to_string(), None))
    }
    #[cfg(not(feature = "wat"))]
    Err(Error::coded(
        crate::error::ErrorCode::Unsupported,
        Phase::Loading,
        "this is a text (.wat) module and this build reads binary modules only; convert it with `wat2wasm` or use a build with text support",
        Some(0),
    ))
}

fn valtype(t: wasmparser::ValType, offset: u64) -> Result<ValType> {
    ValType::from_wasmparser(t).ok_or_else(|| {
        Error::coded(
            crate::error::ErrorCode::Unsupported,
            Phase::Validation,
            format!("unsupported value type {t:?}"),
            Some(offset),
        )
    })
}

fn reftype(t: wasmparser::RefType, offset: u64) -> Result<RefType> {
    RefType::from_wasmparser(t).ok_or_else(|| {
        Error::coded(
            crate::error::ErrorCode::Unsupported,
            Phase::Validation,
            format!("unsupported reference type {t:?}"),
            Some(offset),
        )
    })
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType> {
    Ok(TableType {
        element: reftype(t.element_type, offset)?,
        minimum: t.initial,
        maximum: t.maximum,
    })
}

fn memory_type(t: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        minimum: t.initial,
        maximum: t.maximum,
        shared: t.shared,
        memory64: t.memory64,
    }
}

fn global_type(t: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType> {
    Ok(GlobalType {
        content: valtype(t.content_type, offset)?,
        mutable: t.mutable,
    })
}

/// Decodes and fully validates `binary` with the given features.
pub fn load(binary: &[u8], features: WasmFeatures) -> Result<ModuleInfo> {
    load_with(binary, features, true)
}

/// Decodes and validates `binary`; function bodies are validated only if `validate_bodies`
/// (an AOT artifact's module was fully validated when it was compiled).
pub fn load_with(
    binary: &[u8],
    features: WasmFeatures,
    validate_bodies: bool,
) -> Result<ModuleInfo> {
    load_checked(binary, features, validate_bodies).map_err(|e| {
        if e.code() != crate::error::ErrorCode::Invalid {
            return e;
        }
        match disabled_proposal_needed(binary, features) {
            Some(name) => Error::coded(
                crate::error::ErrorCode::Unsupported,
                Phase::Validation,
                format!(
                    "{} (the module needs the {name} proposal, which is disabled; enable it with --enable-{name})",
                    e.message()
                ),
                e.offset(),
            ),
            None => e,
        }
    })
}

fn load_checked(
    binary: &[u8],
    features: WasmFeatures,
    validate_bodies: bool,
) -> Result<ModuleInfo> {
    let mut info = ModuleInfo::default();
    let mut validator = Validator::new_with_features(features);
    let mut bodies: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'_>)> = Vec::new();
    let mut parser = Parser::new(0);
    // Decoding depends on features too (e.g. 32-bit memory limits are at most 5-byte LEBs).
    parser.set_features(features);
    for payload in parser.parse_all(binary) {
        let payload = payload.map_err(malformed)?;
        decode_payload(&mut info, &payload)?;
        match validator.payload(&payload).map_err(invalid)? {
            ValidPayload::Func(func, body) => {
                let r = body.range();
                info.bodies.push(r.start as usize..r.end as usize);
                bodies.push((func, body));
            }
            ValidPayload::End(_) => break,
            _ => {}
        }
    }
    if !validate_bodies {
        return Ok(info);
    }
    let has_data_count = info.has_data_count;
    bodies.into_par_iter().try_for_each(|(func, body)| {
        let mut v = func.into_validator(Default::default());
        v.validate(&body).map_err(|e| {
            // Body errors are validation errors unless the bytes themselves do not decode.
            if body_is_malformed(&body, has_data_count) {
                malformed(e)
            } else {
                invalid(e)
            }
        })
    })?;
    Ok(info)
}

/// Decides whether a function body that failed validation is *malformed* (its bytes do not
/// decode as the binary format says) rather than *invalid* (it decodes, but does not type-check),
/// by decoding it again without validating: the locals (whose total count must fit in a u32),
/// every operator, nothing after the final `end`, and no data-segment index without a data
/// count section (a binary-format rule). Decided on structure, never on message text.
fn body_is_malformed(body: &FunctionBody<'_>, has_data_count: bool) -> bool {
    let decodes = || -> std::result::Result<bool, BinaryReaderError> {
        let mut locals = body.get_locals_reader()?;
        let mut total: u64 = 0;
        for _ in 0..locals.get_count() {
            let (count, _ty) = locals.read()?;
            total += u64::from(count);
            if total > u64::from(u32::MAX) {
                return Ok(false);
            }
        }
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            match ops.read()? {
                wasmparser::Operator::MemoryInit { .. } | wasmparser::Operator::DataDrop { .. }
                    if !has_data_count =>
                {
                    return Ok(false);
                }
                _ => {}
            }
        }
        ops.finish()?;
        Ok(true)
    };
    !matches!(decodes(), Ok(true))
}

fn decode_payload(info: &mut ModuleInfo, payload: &Payload<'_>) -> Result<()> {
    match payload {
        Payload::TypeSection(reader) => {
            for rec in reader.clone().into_iter_with_offsets() {
                let (offset, rec) = rec.map_err(malformed)?;
                for sub in rec.into_types() {
                    let f = match &sub.composite_type.inner {
                        wasmparser::CompositeInnerType::Func(f) => f,
                        _ => {
                            return Err(Error::coded(
                                crate::error::ErrorCode::Unsupported,
                                Phase::Validation,
                                "GC types are not supported",
                                Some(offset),
                            ));
                        }
                    };
                    let params = f
                        .params()
                        .iter()
                        .map(|t| valtype(*t, offset))
                        .collect::<Result<Vec<_>>>()?;
                    let results = f
                        .results()
                        .iter()
                        .map(|t| valtype(*t, offset))
                        .collect::<Result<Vec<_>>>()?;
                    info.types.push(FuncType::new(params, results));
                }
            }
        }
        Payload::ImportSection(reader) => {
            for imp in reader.clone().into_imports_with_offsets() {
                let (offset, imp) = imp.map_err(malformed)?;
                let index = match imp.ty {
                    wasmparser::TypeRef::Func(t) => {
                        info.funcs.push(t);
                        info.num_imported_funcs += 1;
                        EntityIndex::Func(info.funcs.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Table(t) => {
                        info.tables.push(table_type(&t, offset)?);
                        info.num_imported_tables += 1;
                        EntityIndex::Table(info.tables.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Memory(m) => {
                        info.memories.push(memory_type(&m));
                        info.num_imported_memories += 1;
                        EntityIndex::Memory(info.memories.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Global(g) => {
                        info.globals.push(global_type(&g, offset)?);
                        info.num_imported_globals += 1;
                        EntityIndex::Global(info.globals.len() as u32 - 1)
                    }
                    other => {
                        return Err(Error::coded(
                            crate::error::ErrorCode::Unsupported,
                            Phase::Validation,
                            format!("unsupported import kind {other:?}"),
                            Some(offset),
                        ));
                    }
                };
                info.imports.push(Import {
                    module: imp.module.to_string(),
                    name: imp.name.to_string(),
                    index,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for t in reader.clone() {
                info.funcs.push(t.map_err(malformed)?);
            }
        }
        Payload::TableSection(reader) => {
            for t in reader.clone().into_iter_with_offsets() {
                let (offset, t) = t.map_err(malformed)?;
                info.tables.push(table_type(&t.ty, offset)?);
                if let wasmparser::TableInit::Expr(_) = t.init {
                    return Err(Error::coded(
                        crate::error::ErrorCode::Unsupported,
                        Phase::Validation,
                        "table initialiser expressions are not supported",
                        Some(offset),
                    ));
                }
            }
        }
        Payload::MemorySection(reader) => {
            for m in reader.clone() {
                info.memories.push(memory_type(&m.map_err(malformed)?));
            }
        }
        Payload::GlobalSection(reader) => {
            for g in reader.clone().into_iter_with_offsets() {
                let (offset, g) = g.map_err(malformed)?;
                info.globals.push(global_type(&g.ty, offset)?);
                info.global_inits.push(ConstExpr::decode(&g.init_expr)?);
            }
        }
        Payload::ExportSection(reader) => {
            for e in reader.clone() {
                let e = e.map_err(malformed)?;
                let index = match e.kind {
                    wasmparser::ExternalKind::Func => EntityIndex::Func(e.index),
                    wasmparser::ExternalKind::Table => EntityIndex::Table(e.index),
                    wasmparser::ExternalKind::Memory => EntityIndex::Memory(e.index),
                    wasmparser::ExternalKind::Global => EntityIndex::Global(e.index),
                    _ => continue,
                };
                info.exports.push((e.name.to_string(), index));
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(*func),
        Payload::DataCountSection { .. } => info.has_data_count = true,
        Payload::ElementSection(reader) => {
            for el in reader.clone().into_iter_with_offsets() {
                let (offset, el) = el.map_err(malformed)?;
                let mode = match &el.kind {
                    wasmparser::ElementKind::Active {
                        table_index,
                        offset_expr,
                    } => ElementMode::Active {
                        table: table_index.unwrap_or(0),
                        offset: ConstExpr::decode(offset_expr)?,
                    },
                    wasmparser::ElementKind::Passive => ElementMode::Passive,
                    wasmparser::ElementKind::Declared => ElementMode::Declared,
                };
                let (ty, items) = match el.items {
                    wasmparser::ElementItems::Functions(r) => {
                        let mut items = Vec::new();
                        for f in r {
                            items.push(ConstExpr(vec![const_expr::ConstOp::RefFunc(
                                f.map_err(malformed)?,
                            )]));
                        }
                        (RefType::FuncRef, items)
                    }
                    wasmparser::ElementItems::Expressions(t, r) => {
                        let mut items = Vec::new();
                        for e in r {
                            items.push(ConstExpr::decode(&e.map_err(malformed)?)?);
                        }
                        (reftype(t, offset)?, items)
                    }
                };
                info.elements.push(ElementSegment { mode, ty, items });
            }
        }
        Payload::DataSection(reader) => {
            for d in reader.clone() {
                let d = d.map_err(malformed)?;
                let mode = match &d.kind {
                    wasmparser::DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => DataMode::Active {
                        memory: *memory_index,
                        offset: ConstExpr::decode(offset_expr)?,
                    },
                    wasmparser::DataKind::Passive => DataMode::Passive,
                };
                info.data.push(DataSegment {
                    mode,
                    range: d.range.end as usize - d.data.len()..d.range.end as usize,
                });
            }
        }
        Payload::CustomSection(c) => {
            if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                // A malformed name section is ignored, as the spec requires.
                for n in names.into_iter().flatten() {
                    match n {
                        wasmparser::Name::Module { name, .. } => info.name = Some(name.to_string()),
                        wasmparser::Name::Function(map) => {
                            for naming in map.into_iter().flatten() {
                                info.func_names
                                    .insert(naming.index, naming.name.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_memory_limits_are_malformed() {
        let ok = b"\0asm\x01\0\0\0\x05\x04\x01\x01\x02\x02";
        assert!(load(ok, WasmFeatures::WASM1).is_ok());
        let bad = b"\0asm\x01\0\0\0\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00";
        let e = load(bad, WasmFeatures::WASM1).unwrap_err();
        assert_eq!(e.phase(), Phase::Loading);
        assert!(
            e.to_string().contains("integer representation too long"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_phase_and_offset() {
        let e = load(b"\0asm\x02\0\0\0", WasmFeatures::WASM1).unwrap_err();
        assert!(e.to_string().starts_with("loading failed:"), "{e}");
        let invalid = wat::parse_str("(module (func (result i32) i64.const 0))").unwrap();
        let e = load(&invalid, WasmFeatures::WASM1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("validation failed: type mismatch"),
            "{e}"
        );
        assert!(e.to_string().contains("at offset 0x"), "{e}");
    }
}
