//! Compiles the challenge bank (`challenges/<id>/challenge.toml`) into the binary, so an installed
//! pygrade needs no data files.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("challenges");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut ids: Vec<String> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join("challenge.toml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let mut code = String::from(
        "/// The built-in challenge bank: `(id, challenge.toml text)`, sorted by id.\n",
    );
    code.push_str("pub(crate) static BANK: &[(&str, &str)] = &[\n");
    for id in &ids {
        let path = root.join(id).join("challenge.toml");
        writeln!(
            code,
            "    ({id:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to a String");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bank.rs");
    std::fs::write(out, code).expect("write bank.rs");
}
