//! `command <in.wasm> <out.wasm>`: turn a WASI preview1 *reactor* core module into a *command*.
//!
//! * Every import whose module is not `wasi_snapshot_preview1` (e.g. `host.call`) is removed and
//!   replaced by a local stub of the same type that returns -1 for each i32 result (0 for other
//!   numeric results). The stubs are appended after the module's own functions.
//! * An exported `_start: [] -> []` is added: `_initialize()` (if exported), then
//!   `proc_exit(run())`. `proc_exit` is reused if imported, else appended as the last import.
//! * Function indices are remapped everywhere (calls, ref.func, elements, exports, start, the
//!   `name` section) through `Reencode::function_index`; the output is validated before writing.
use std::{convert::Infallible, env, fs, process::exit, time::Instant};

use wasm_encoder::reencode::{self as re, Reencode};
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    IndirectNameMap, Module, NameMap, NameSection, TypeSection, ValType,
};
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncType, Name, Parser, Payload, TypeRef, Validator,
    WasmFeatures,
};

const WASI: &str = "wasi_snapshot_preview1";
type Res<T> = Result<T, String>;

/// Everything learned from a first, cheap pass over the sections before the code.
#[derive(Default)]
struct Plan {
    n_types: u32, // types in the input: ours are appended at n_types (proc_exit), +1 (_start)
    map: Vec<u32>, // old function index -> new function index
    stubs: Vec<(u32, Vec<ValType>)>, // per removed import: its type index and its results
    add_proc_exit: bool, // no `wasi_snapshot_preview1.proc_exit` import: append one
    proc_exit: u32, // new index of proc_exit
    init: Option<u32>, // new index of `_initialize`, if exported
    run: u32,     // new index of `run`
    start: u32,   // new index of the added `_start`
}

fn plan(wasm: &[u8]) -> Res<Plan> {
    let err = |e: wasmparser::BinaryReaderError| e.to_string();
    let mut types: Vec<Option<FuncType>> = Vec::new(); // by type index; None: not a func type
    let mut imports = Vec::new(); // function imports: (module, name, type index)
    let mut defined = 0u32; // functions defined by the module
    let mut fn_types: Vec<u32> = Vec::new(); // old function index -> type index
    let mut exports = Vec::new(); // exported functions: (name, old index)
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(err)? {
            Payload::TypeSection(s) => {
                for group in s {
                    for sub in group.map_err(err)?.into_types() {
                        types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp.map_err(err)?;
                    match imp.ty {
                        TypeRef::Func(t) => imports.push((imp.module, imp.name, t)),
                        _ if imp.module != WASI => {
                            return Err(format!("non-function import {}.{}", imp.module, imp.name));
                        }
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(s) => {
                defined = s.count();
                fn_types.extend(imports.iter().map(|i| i.2));
                for t in s {
                    fn_types.push(t.map_err(err)?);
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    let e = e.map_err(err)?;
                    if e.kind == ExternalKind::Func {
                        exports.push((e.name, e.index));
                    }
                }
            }
            Payload::CodeSectionStart { .. } => break, // nothing after the code is needed
            _ => {}
        }
    }
    if types.is_empty() || imports.is_empty() || defined == 0 {
        return Err("the module needs type, import, function and code sections".into());
    }
    let mut p = Plan {
        n_types: types.len() as u32,
        ..Plan::default()
    };
    // New layout: kept imports, [proc_exit], defined functions, stubs, _start.
    let kept = imports.iter().filter(|i| i.0 == WASI).count() as u32;
    let old_pe = imports
        .iter()
        .position(|i| i.0 == WASI && i.1 == "proc_exit");
    p.add_proc_exit = old_pe.is_none();
    let n_new_imports = kept + p.add_proc_exit as u32;
    let first_stub = n_new_imports + defined;
    let mut next_kept = 0;
    for (module, name, ty) in &imports {
        if *module == WASI {
            p.map.push(next_kept);
            next_kept += 1;
            continue;
        }
        p.map.push(first_stub + p.stubs.len() as u32);
        let f = types
            .get(*ty as usize)
            .cloned()
            .flatten()
            .ok_or("import type is not a func")?;
        let results = f.results().iter().map(|r| match r {
            wasmparser::ValType::I32 => Ok(ValType::I32),
            wasmparser::ValType::I64 => Ok(ValType::I64),
            wasmparser::ValType::F32 => Ok(ValType::F32),
            wasmparser::ValType::F64 => Ok(ValType::F64),
            other => Err(format!(
                "import {module}.{name}: cannot stub a result of type {other}"
            )),
        });
        p.stubs.push((*ty, results.collect::<Res<_>>()?));
    }
    p.map.extend((0..defined).map(|d| n_new_imports + d));
    p.proc_exit = match old_pe {
        Some(i) => p.map[i],
        None => kept,
    };
    p.start = first_stub + p.stubs.len() as u32;
    // The entry points, checked against their types.
    let sig = |old: u32| {
        let f = types
            .get(fn_types[old as usize] as usize)
            .cloned()
            .flatten();
        f.map(|f| format!("{:?} -> {:?}", f.params(), f.results()))
            .unwrap_or_default()
    };
    let find = |n: &str, want: &str| -> Res<Option<u32>> {
        let Some(&(_, old)) = exports.iter().find(|e| e.0 == n) else {
            return Ok(None);
        };
        match sig(old) {
            s if s == want => Ok(Some(p.map[old as usize])),
            s => Err(format!("export `{n}` has type {s}, expected {want}")),
        }
    };
    if exports.iter().any(|e| e.0 == "_start") {
        return Err("the module already exports `_start`".into());
    }
    p.init = find("_initialize", "[] -> []")?;
    p.run = find("run", "[] -> [I32]")?.ok_or("the module does not export `run`")?;
    Ok(p)
}

/// The second pass: a reencoder that remaps function indices and appends our additions.
struct Cmd(Plan);

impl Reencode for Cmd {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, re::Error> {
        Ok(self.0.map[func as usize])
    }

    fn parse_type_section(
        &mut self,
        types: &mut TypeSection,
        s: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), re::Error> {
        re::utils::parse_type_section(self, types, s)?;
        types.ty().function([ValType::I32], []); // proc_exit, at n_types
        types.ty().function([], []); // _start, at n_types + 1
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        s: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), re::Error> {
        for imp in s.into_imports() {
            let imp = imp?;
            if imp.module == WASI {
                imports.import(imp.module, imp.name, self.entity_type(imp.ty)?);
            }
        }
        if self.0.add_proc_exit {
            imports.import(WASI, "proc_exit", EntityType::Function(self.0.n_types));
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        funcs: &mut FunctionSection,
        s: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), re::Error> {
        re::utils::parse_function_section(self, funcs, s)?;
        for (ty, _) in &self.0.stubs {
            funcs.function(*ty);
        }
        funcs.function(self.0.n_types + 1);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        s: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), re::Error> {
        re::utils::parse_export_section(self, exports, s)?;
        exports.export("_start", ExportKind::Func, self.0.start);
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        s: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), re::Error> {
        re::utils::parse_code_section(self, code, s)?;
        for (_, results) in &self.0.stubs {
            let mut f = Function::new([]);
            let mut sink = f.instructions();
            for r in results {
                match r {
                    ValType::I32 => sink.i32_const(-1),
                    ValType::I64 => sink.i64_const(0),
                    ValType::F32 => sink.f32_const(0.0.into()),
                    _ => sink.f64_const(0.0.into()),
                };
            }
            sink.end();
            code.function(&f);
        }
        let mut f = Function::new([]);
        let mut sink = f.instructions();
        if let Some(init) = self.0.init {
            sink.call(init);
        }
        sink.call(self.0.run).call(self.0.proc_exit).end();
        code.function(&f);
        Ok(())
    }

    // Name maps must stay sorted by index, and the stubs moved to the end: remap, then sort.
    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        sub: Name<'_>,
    ) -> Result<(), re::Error> {
        let local = matches!(sub, Name::Local(_));
        match sub {
            Name::Function(map) => names.functions(&self.sorted(map)?),
            Name::Local(m) | Name::Label(m) => {
                let mut all = Vec::new();
                for n in m {
                    let n = n?;
                    all.push((self.0.map[n.index as usize], self.sorted(n.names)?));
                }
                all.sort_by_key(|a| a.0);
                let mut out = IndirectNameMap::new();
                for (i, map) in &all {
                    out.append(*i, map);
                }
                if local {
                    names.locals(&out)
                } else {
                    names.labels(&out)
                }
            }
            other => re::utils::parse_custom_name_subsection(self, names, other)?,
        }
        Ok(())
    }
}

impl Cmd {
    /// A function-indexed name map, remapped and sorted (inner maps are left as they are).
    fn sorted(&self, map: wasmparser::NameMap<'_>) -> Result<NameMap, re::Error> {
        let mut all = Vec::new();
        for n in map {
            let n = n?;
            all.push((
                self.0.map.get(n.index as usize).copied().unwrap_or(n.index),
                n.name,
            ));
        }
        all.sort_by_key(|a| a.0);
        let mut out = NameMap::new();
        for (i, name) in all {
            out.append(i, name);
        }
        Ok(out)
    }
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: command <in.wasm> <out.wasm>");
        exit(2);
    }
    if let Err(e) = convert(&args[1], &args[2]) {
        eprintln!("command: {e}");
        exit(1);
    }
}

fn convert(input: &str, output: &str) -> Res<()> {
    let t0 = Instant::now();
    let wasm = fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let p = plan(&wasm)?;
    let (funcs, replaced) = (p.start + 1, p.stubs.len());
    let mut module = Module::new();
    Cmd(p)
        .parse_core_module(&mut module, Parser::new(0), &wasm)
        .map_err(|e| e.to_string())?;
    let out = module.finish();
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&out)
        .map_err(|e| format!("the output does not validate: {e}"))?;
    fs::write(output, &out).map_err(|e| format!("{output}: {e}"))?;
    println!(
        "command: {funcs} functions, {replaced} imports replaced, {} -> {} bytes in {:.2?}",
        wasm.len(),
        out.len(),
        t0.elapsed()
    );
    Ok(())
}
