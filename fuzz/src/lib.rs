//! Helpers shared by the fuzz targets: the library's entry points read files, so each target
//! writes its input to a scratch file of its own (on tmpfs when there is one) and calls the real
//! path, as `hromadata validate` / `territories import` would.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A folder of this process's own, kept for the whole run: under `HROMADATA_FUZZ_SCRATCH` when
/// set (`smoke.sh` points it at a folder it removes), else in `/dev/shm` or the temp folder.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if let Some(dir) = std::env::var_os("HROMADATA_FUZZ_SCRATCH") {
            PathBuf::from(dir)
        } else if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("hromadata-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder for the fuzz inputs");
        dir
    })
}

/// Writes `bytes` to the scratch file `name` and returns its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("the scratch file written");
    path
}

/// Parses a JSON literal that the target itself wrote (never fuzz input).
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the target's own JSON")
}
