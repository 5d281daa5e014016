//! JS values into Rust values, each refused with a precise `ERR_INVALID_OPTIONS` message that
//! names the option (`what`) and says what it got.

use napi::bindgen_prelude::{
    BigInt, FromNapiValue, JsObjectValue, JsValue, KeyCollectionMode, KeyConversion, KeyFilter,
    Object, Uint8ArraySlice, Unknown,
};
use napi::{JsString, ValueType};

use super::error::{JsResult, invalid_options};

/// Whether `value` is `undefined` or `null`.
pub fn is_nullish(value: &Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// `value` unless it is `undefined` or `null`.
pub fn present(value: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    value.filter(|v| !is_nullish(v))
}

/// A short description of a JS value's type for error messages.
pub fn describe(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::BigInt) => "a bigint",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array",
        Ok(ValueType::Object) if value.is_typedarray().unwrap_or(false) => "a typed array",
        Ok(ValueType::Object) => "an object",
        _ => "an unknown value",
    }
}

// SAFETY for the casts below: each follows a `get_type` check that matches the target type.

/// A string of well-formed Unicode (a lone surrogate would silently become U+FFFD).
pub fn string(value: &Unknown<'_>, what: &str) -> JsResult<String> {
    let text: String = typed(value, what, ValueType::String, "a string")?;
    well_formed(value, &text, &format!("{what} is"))?;
    Ok(text)
}

/// Refuses the JS string `value` (read as `text`) if it holds a lone surrogate: UTF-8 has no
/// code for one, so it arrived as U+FFFD; only then is the string read again, as UTF-16.
fn well_formed(value: &Unknown<'_>, text: &str, what_is: &str) -> JsResult<()> {
    if !text.contains('\u{FFFD}') {
        return Ok(());
    }
    // SAFETY: `value` is a string (its text was read from it).
    let units = unsafe { value.cast::<JsString>() }
        .and_then(|s| s.into_utf16())
        .map_err(|e| invalid_options(e.reason))?;
    match char::decode_utf16(units.as_slice().iter().copied()).find_map(Result::err) {
        None => Ok(()),
        Some(lone) => Err(invalid_options(format!(
            "{what_is} not well-formed Unicode: it holds a lone surrogate (\\u{:x}), which \
             UTF-8 cannot encode (String.prototype.toWellFormed() replaces it)",
            lone.unpaired_surrogate()
        ))),
    }
}

/// A boolean.
pub fn boolean(value: &Unknown<'_>, what: &str) -> JsResult<bool> {
    typed(value, what, ValueType::Boolean, "a boolean")
}

/// A value of JS type `ty` (`expected` in words), as `T`.
fn typed<T: FromNapiValue>(
    value: &Unknown<'_>,
    what: &str,
    ty: ValueType,
    expected: &str,
) -> JsResult<T> {
    if value.get_type().ok() != Some(ty) {
        return Err(invalid_options(format!(
            "{what} must be {expected}, got {}",
            describe(value)
        )));
    }
    unsafe { value.cast::<T>() }.map_err(|e| invalid_options(format!("{what}: {}", e.reason)))
}

/// An array of strings.
pub fn string_array(value: &Unknown<'_>, what: &str) -> JsResult<Vec<String>> {
    if !value.is_array().unwrap_or(false) {
        return Err(invalid_options(format!(
            "{what} must be an array of strings, got {}",
            describe(value)
        )));
    }
    let array = unsafe { value.cast::<Object>() }.map_err(|e| invalid_options(e.reason))?;
    let len = array
        .get_array_length()
        .map_err(|e| invalid_options(e.reason))?;
    (0..len)
        .map(|i| {
            let item: Unknown = array
                .get_element(i)
                .map_err(|e| invalid_options(e.reason))?;
            string(&item, &format!("{what}[{i}]"))
        })
        .collect()
}

/// An object of strings, as `(key, value)` pairs in property order.
pub fn string_record(value: &Unknown<'_>, what: &str) -> JsResult<Vec<(String, String)>> {
    record(value, what, "an object of strings", |key, item| {
        string(item, &format!("{what}.{key}"))
    })
}

/// A plain object (not an array, which is refused as not `expected`), as its own enumerable
/// string keys in property order, each with its value converted by `convert(key, value)`.
pub fn record<T>(
    value: &Unknown<'_>,
    what: &str,
    expected: &str,
    convert: impl Fn(&str, &Unknown<'_>) -> JsResult<T>,
) -> JsResult<Vec<(String, T)>> {
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(invalid_options(format!(
            "{what} must be {expected}, got {}",
            describe(value)
        )));
    }
    let object = unsafe { value.cast::<Object>() }.map_err(|e| invalid_options(e.reason))?;
    let names = own_names(&object).map_err(|e| invalid_options(e.reason))?;
    let len = names
        .get_array_length()
        .map_err(|e| invalid_options(e.reason))?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let name: Unknown = names
            .get_element(i)
            .map_err(|e| invalid_options(e.reason))?;
        if name.get_type().ok() != Some(ValueType::String) {
            continue;
        }
        // SAFETY: checked to be a string just above.
        let key: String = unsafe { name.cast() }.map_err(|e| invalid_options(e.reason))?;
        well_formed(&name, &key, &format!("a key of {what} ({key:?}) is"))?;
        if key.contains('\0') {
            return Err(invalid_options(format!(
                "a key of {what} ({key:?}) holds a NUL character, which no name or path may hold"
            )));
        }
        let item: Unknown = object
            .get_property(name)
            .map_err(|e| invalid_options(e.reason))?;
        let converted = convert(&key, &item)?;
        out.push((key, converted));
    }
    Ok(out)
}

/// The first own enumerable string key of the object `value` that is not in `names`.
pub fn unknown_key(value: &Unknown<'_>, names: &[&str]) -> JsResult<Option<String>> {
    // SAFETY: callers checked that `value` is an object.
    let object = unsafe { value.cast::<Object>() }.map_err(|e| invalid_options(e.reason))?;
    let keys = own_string_keys(&object).map_err(|e| invalid_options(e.reason))?;
    Ok(keys.into_iter().find(|key| !names.contains(&key.as_str())))
}

/// The object's own enumerable keys, in property order (inherited properties, such as a
/// polluted `Object.prototype`, never reach the guest), as a JS array.
fn own_names<'env>(object: &Object<'env>) -> napi::Result<Object<'env>> {
    object.get_all_property_names(
        KeyCollectionMode::OwnOnly,
        KeyFilter::Enumerable,
        KeyConversion::NumbersToStrings,
    )
}

/// The object's own enumerable string keys, in property order.
fn own_string_keys(object: &Object<'_>) -> napi::Result<Vec<String>> {
    let names = own_names(object)?;
    let mut keys = Vec::new();
    for i in 0..names.get_array_length()? {
        let key: Unknown = names.get_element(i)?;
        if key.get_type()? == ValueType::String {
            // SAFETY: checked to be a string just above.
            keys.push(unsafe { key.cast::<String>() }?);
        }
    }
    Ok(keys)
}

/// A string (UTF-8 encoded) or a `Uint8Array`, as bytes.
pub fn bytes_or_string(value: &Unknown<'_>, what: &str) -> JsResult<Vec<u8>> {
    if value.get_type().ok() == Some(ValueType::String) {
        return Ok(string(value, what)?.into_bytes());
    }
    if value.is_typedarray().unwrap_or(false)
        && let Ok(bytes) = unsafe { value.cast::<Uint8ArraySlice>() }
    {
        return Ok(bytes.to_vec());
    }
    Err(invalid_options(format!(
        "{what} must be a string or a Uint8Array, got {}",
        describe(value)
    )))
}

/// A non-negative integer up to `max`, from a number (a safe integer) or a bigint.
pub fn u64_value(value: &Unknown<'_>, what: &str, max: u64) -> JsResult<u64> {
    let out_of_range = || invalid_options(format!("{what} must be an integer from 0 to {max}"));
    match value.get_type() {
        Ok(ValueType::Number) => {
            let n = unsafe { value.cast::<f64>() }.map_err(|e| invalid_options(e.reason))?;
            const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
            if n > MAX_SAFE && n.fract() == 0.0 && n <= max as f64 {
                return Err(invalid_options(format!(
                    "{what} is {n:.0}, a number above 2^53 - 1 (Number.MAX_SAFE_INTEGER), where \
                     numbers lose their lowest digits: pass it as a bigint ({n:.0}n, or \
                     BigInt('...') from its decimal digits)"
                )));
            }
            if n.fract() != 0.0 || !(0.0..=MAX_SAFE).contains(&n) || n as u64 > max {
                return Err(out_of_range());
            }
            Ok(n as u64)
        }
        Ok(ValueType::BigInt) => {
            let n = unsafe { value.cast::<BigInt>() }.map_err(|e| invalid_options(e.reason))?;
            match n.get_u64() {
                (false, v, true) if v <= max => Ok(v),
                _ => Err(out_of_range()),
            }
        }
        _ => Err(invalid_options(format!(
            "{what} must be a number or a bigint, got {}",
            describe(value)
        ))),
    }
}
