//! The `files` option and result field: the in-memory filesystem as a JS object mapping paths
//! relative to `/` to file contents, `{ type: 'dir' }` or `{ type: 'symlink', target }`.

use napi::Property;
use napi::bindgen_prelude::{BufferSlice, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};

use super::error::{JsResult, invalid_options};
use super::js::{bytes_or_string, describe, record, string};
use crate::sandbox::vfs::Entry;

const WHAT: &str = "options.files";

/// The entries of `options.files`: the object's own enumerable string keys, in order. Paths
/// are checked by the engine (relative, no `..`, no conflicts), which words those errors.
pub fn from_js(value: &Unknown<'_>) -> JsResult<Vec<(String, Entry)>> {
    record(
        value,
        WHAT,
        "an object mapping paths to entries",
        |path, item| entry(item, &format!("{WHAT}[{path:?}]")),
    )
}

fn entry(value: &Unknown<'_>, what: &str) -> JsResult<Entry> {
    let wrong = || {
        invalid_options(format!(
            "{what} must be a string, a Uint8Array, {{ type: 'dir' }} or \
             {{ type: 'symlink', target: string }}, got {}",
            describe(value)
        ))
    };
    if value.get_type().ok() == Some(ValueType::String) || value.is_typedarray().unwrap_or(false) {
        return bytes_or_string(value, what).map(|bytes| Entry::File(bytes.into()));
    }
    if value.get_type().ok() != Some(ValueType::Object) {
        return Err(wrong());
    }
    // SAFETY: checked to be an object just above.
    let object = unsafe { value.cast::<Object>() }.map_err(|_| wrong())?;
    let kind: Unknown = object.get_named_property("type").map_err(|_| wrong())?;
    if kind.get_type().ok() != Some(ValueType::String) {
        return Err(wrong());
    }
    match string(&kind, &format!("{what}.type"))?.as_str() {
        "dir" => Ok(Entry::Dir),
        "symlink" => {
            let target: Unknown = object.get_named_property("target").map_err(|_| wrong())?;
            string(&target, &format!("{what}.target")).map(Entry::Symlink)
        }
        _ => Err(wrong()),
    }
}

/// The result's `files`: an object in path order, files as Buffers. Properties are defined, not
/// assigned, so a file named `__proto__` is an own property like any other.
pub fn to_js<'env>(env: &'env Env, files: &[(String, Entry)]) -> napi::Result<Object<'env>> {
    let mut object = Object::new(env)?;
    for (path, entry) in files {
        let property = Property::new().with_utf8_name(path)?;
        let property = match entry {
            Entry::File(bytes) => {
                property.with_value(&BufferSlice::copy_from(env, bytes.as_slice())?)
            }
            Entry::Dir => {
                let mut dir = Object::new(env)?;
                dir.set_named_property("type", "dir")?;
                property.with_value(&dir)
            }
            Entry::Symlink(target) => {
                let mut link = Object::new(env)?;
                link.set_named_property("type", "symlink")?;
                link.set_named_property("target", target.as_str())?;
                property.with_value(&link)
            }
        };
        object.define_properties(&[property])?;
    }
    Ok(object)
}
