//! Runs one `.wast` script: parses it with the `wast` crate and executes its directives in
//! order against a [`Context`], recording one pass or one fail per directive in a
//! [`FileReport`].
//!
//! Judges outcomes only; must not catch panics, spawn threads or print (that is `harness.rs`),
//! and must never skip a directive silently: unsupported ones are counted as failures.

use crate::spec::context::{
    CompileError, Context, describe_execute, describe_invoke, id_name, is_component,
};
use crate::spec::report::FileReport;
use crate::spec::traps::{expect_exhaustion, expect_trap};
use crate::spec::values::{check_ret, describe_vals};
use wasmedge_runtime::{Engine, Phase};
use wast::lexer::Lexer;
use wast::parser::ParseBuffer;
use wast::{QuoteWat, Wast, WastDirective};

/// The directive's keyword, for reports.
pub fn directive_name(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// Runs the script `text` with `engine`, adding its results to `report` (which is updated
/// as the script runs, so a caller that catches a panic still has the counts so far).
pub fn run_script(engine: &Engine, text: &str, report: &mut FileReport) {
    let linecol = |offset: usize| {
        let (line, col) = wast::token::Span::from_offset(offset).linecol_in(text);
        (line + 1, col + 1)
    };
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let parse_failed = |report: &mut FileReport, e: wast::Error| {
        let (line, col) = linecol(e.span().offset());
        report.fail(
            line,
            col,
            "parse",
            format!("the script does not parse: {}", e.message()),
        );
    };
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => return parse_failed(report, e),
    };
    let wast = match wast::parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => wast,
        Err(e) => return parse_failed(report, e),
    };

    let mut cx = match Context::new(engine) {
        Ok(cx) => cx,
        Err(e) => {
            report.fail(1, 1, "setup", e);
            return;
        }
    };
    for directive in wast.directives {
        let (line, col) = linecol(directive.span().offset());
        let name = directive_name(&directive);
        report.position = Some((line, col, name));
        match run_directive(&mut cx, directive) {
            Ok(()) => report.pass(),
            Err(message) => report.fail(line, col, name, message),
        }
    }
    report.position = None;
}

fn unsupported(what: &str) -> Result<(), String> {
    Err(format!(
        "unsupported directive: {what} (counted as a failure)"
    ))
}

/// Runs one directive; `Err` is the failure message.
fn run_directive(cx: &mut Context, directive: WastDirective<'_>) -> Result<(), String> {
    match directive {
        WastDirective::Module(mut module) => {
            let id = id_name(module.name());
            cx.forget_instance(id.as_deref());
            let compiled = cx
                .compile(&mut module)
                .map_err(|e| format!("module failed to load: {e}"))?;
            let instance = cx
                .instantiate(&compiled)
                .map_err(|e| format!("module failed to instantiate: {e}"))?;
            cx.add_instance(id, instance);
            Ok(())
        }
        WastDirective::ModuleDefinition(mut module) => {
            let id = id_name(module.name());
            let compiled = cx
                .compile(&mut module)
                .map_err(|e| format!("module failed to load: {e}"))?;
            cx.add_definition(id, compiled);
            Ok(())
        }
        WastDirective::ModuleInstance {
            instance, module, ..
        } => {
            cx.forget_instance(id_name(instance).as_deref());
            let compiled = cx.definition(id_name(module))?;
            let created = cx
                .instantiate(&compiled)
                .map_err(|e| format!("module failed to instantiate: {e}"))?;
            cx.add_instance(id_name(instance), created);
            Ok(())
        }
        WastDirective::Register { name, module, .. } => cx.register(name, id_name(module)),
        WastDirective::Invoke(invoke) => match cx.invoke(&invoke)? {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("invoke {} failed: {e}", describe_invoke(&invoke))),
        },
        WastDirective::AssertReturn { exec, results, .. } => {
            let what = describe_execute(&exec);
            let got = cx
                .execute(exec)?
                .map_err(|e| format!("{what}: expected a return, got error: {e}"))?;
            if got.len() != results.len() {
                return Err(format!(
                    "{what}: expected {} results, got {}: {}",
                    results.len(),
                    got.len(),
                    describe_vals(&got)
                ));
            }
            for (i, (expected, actual)) in results.iter().zip(&got).enumerate() {
                check_ret(expected, actual).map_err(|m| format!("{what}: result {i}: {m}"))?;
            }
            Ok(())
        }
        WastDirective::AssertTrap { exec, message, .. } => {
            let what = describe_execute(&exec);
            let result = cx.execute(exec)?;
            expect_trap(result, message, |v| describe_vals(&v)).map_err(|m| format!("{what}: {m}"))
        }
        WastDirective::AssertExhaustion { call, message, .. } => {
            let what = describe_invoke(&call);
            let result = cx.invoke(&call)?;
            expect_exhaustion(result, message, |v| describe_vals(&v))
                .map_err(|m| format!("invoke {what}: {m}"))
        }
        WastDirective::AssertInvalid {
            mut module,
            message,
            ..
        } => expect_rejected(cx, &mut module, "invalid", message),
        WastDirective::AssertMalformed {
            mut module,
            message,
            ..
        } => expect_rejected(cx, &mut module, "malformed", message),
        WastDirective::AssertUnlinkable {
            module, message, ..
        } => {
            let mut module = QuoteWat::Wat(module);
            if is_component(&module) {
                return unsupported("assert_unlinkable of a component");
            }
            let compiled = cx.compile(&mut module).map_err(|e| {
                format!("expected unlinkable (\"{message}\"), but the module failed to load: {e}")
            })?;
            match cx.instantiate(&compiled) {
                Ok(_) => Err(format!(
                    "expected unlinkable (\"{message}\"), but instantiation succeeded"
                )),
                Err(_) => Ok(()),
            }
        }
        WastDirective::AssertInvalidCustom { .. } => unsupported("assert_invalid_custom"),
        WastDirective::AssertMalformedCustom { .. } => unsupported("assert_malformed_custom"),
        WastDirective::AssertException { .. } => {
            unsupported("assert_exception (exception handling)")
        }
        WastDirective::AssertSuspension { .. } => {
            unsupported("assert_suspension (stack switching)")
        }
        WastDirective::Thread(_) => unsupported("thread (threads proposal)"),
        WastDirective::Wait { .. } => unsupported("wait (threads proposal)"),
    }
}

/// `assert_invalid` / `assert_malformed`: the module must fail to encode, decode or validate.
fn expect_rejected(
    cx: &mut Context,
    module: &mut QuoteWat<'_>,
    kind: &str,
    message: &str,
) -> Result<(), String> {
    if is_component(module) {
        return unsupported(&format!("assert_{kind} of a component"));
    }
    match cx.compile(module) {
        Ok(_) => Err(format!(
            "expected a {kind} module (\"{message}\"), but it loaded"
        )),
        Err(CompileError::Unsupported(m)) => Err(format!("unsupported: {m}")),
        Err(CompileError::Encode(_)) => Ok(()),
        // Rejected while decoding or validating, as the assertion means. (wasmparser's split
        // between "malformed" and "invalid" differs from the spec's, so either phase counts.)
        Err(CompileError::Runtime(e))
            if matches!(e.phase(), Phase::Loading | Phase::Validation) =>
        {
            Ok(())
        }
        // A valid module the compiler could not handle does not show that it is invalid.
        Err(CompileError::Runtime(e)) => Err(format!(
            "expected a {kind} module (\"{message}\"), but it was rejected only in the {:?} phase: {e}",
            e.phase()
        )),
    }
}
