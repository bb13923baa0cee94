// SPDX-License-Identifier: Apache-2.0
//! Template rendering for the `template` factory, with minijinja: Jinja syntax, filters,
//! loops and macros over a JSON context, and nothing else. A template stored in a pond may
//! have come from anyone, so the engine is a sandbox: it has no loader (no `include` of host
//! files), no access to host objects or functions, and a fuel budget that bounds the work one
//! render may do, so `{% for i in range(10**9) %}` fails instead of hanging.

use minijinja::{Environment, UndefinedBehavior, Value};
use napi_derive::napi;

use crate::error::{guard_sync, Code, Error};

/// Instructions one render may execute.
const FUEL: u64 = 50_000_000;
/// Largest output one render may produce.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

fn render(template: &str, context_json: &str) -> crate::error::Result<String> {
    let context: serde_json::Value = serde_json::from_str(context_json)
        .map_err(|e| Error::new(Code::Internal, format!("bad template context: {e}")))?;
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    // As nunjucks did: a template file's final newline is part of its output.
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| Error::new(Code::Internal, e.to_string()))?,
    );
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(200);
    let invalid = |e: minijinja::Error| Error::new(Code::InvalidConfig, template_error(&e));
    let tpl = env.template_from_str(template).map_err(invalid)?;
    let out = tpl.render(to_value(&context)).map_err(invalid)?;
    if out.len() > MAX_OUTPUT {
        return Err(Error::new(
            Code::InvalidConfig,
            format!("template output is over {MAX_OUTPUT} bytes"),
        ));
    }
    Ok(out)
}

/// The JSON context as template values (mapping keys iterate in sorted order).
fn to_value(json: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::from(()),
        J::Bool(b) => Value::from(*b),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => Value::from(n.to_string()),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(items) => Value::from(items.iter().map(to_value).collect::<Vec<_>>()),
        J::Object(map) => Value::from(
            map.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

fn template_error(e: &minijinja::Error) -> String {
    let mut text = e.to_string();
    if let Some(line) = e.line() {
        text = format!("line {line}: {text}");
    }
    text
}

/// Render a Jinja template with a JSON context. Errors are INVALID_CONFIG with the line.
#[napi]
pub fn render_template(template: String, context_json: String) -> napi::Result<String> {
    guard_sync(|| render(&template, &context_json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_captures_loops_and_filters() {
        let out = render(
            "{{ captures[0] }} of {{ matches | length }}:{% for m in matches %} {{ m.name | upper }}{% endfor %}",
            r#"{"captures":["a"],"matches":[{"name":"x"},{"name":"y"}]}"#,
        )
        .unwrap();
        assert_eq!(out, "a of 2: X Y");
    }

    #[test]
    fn host_objects_are_out_of_reach() {
        for escape in [
            "{{ range.constructor('return process')() }}",
            "{{ ''.__class__.__mro__ }}",
            "{{ captures.constructor.constructor('return 1')() }}",
            "{% include '/etc/hostname' %}",
        ] {
            match render(escape, r#"{"captures":[]}"#) {
                Ok(out) => assert!(!out.contains("function") && !out.contains("process")),
                Err(e) => assert_eq!(e.code, Code::InvalidConfig),
            }
        }
    }

    #[test]
    fn runaway_loops_run_out_of_fuel() {
        let err = render("{% for i in range(100000000) %}x{% endfor %}", "{}").unwrap_err();
        assert_eq!(err.code, Code::InvalidConfig);
    }
}
