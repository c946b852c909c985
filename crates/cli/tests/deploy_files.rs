//! The container files in deploy/ can't be built on our build machines (no container engine), so
//! this checks what can be checked without one: every `KUAIWEI_*` setting they use is one kuaiwei
//! reads, the data and evidence folders they mount are where kuaiwei keeps them, and the health
//! check asks an address the server answers.

use std::path::Path;

fn read(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `KUAIWEI_…` names in `text`.
fn settings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("KUAIWEI_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn container_files_name_only_settings_kuaiwei_reads() {
    let cli = [
        read("crates/cli/src/main.rs"),
        read("crates/cli/src/config.rs"),
    ]
    .concat();
    for file in ["deploy/Dockerfile", "deploy/compose.yaml"] {
        let text = read(file);
        let used = settings(&text);
        assert!(used.contains(&"KUAIWEI_DATA_DIR".to_string()), "{file}");
        for name in used {
            assert!(
                cli.contains(&format!("\"{name}\"")),
                "{file} sets {name}, which kuaiwei does not read"
            );
        }
    }
}

#[test]
fn container_files_mount_the_folders_kuaiwei_uses() {
    let dockerfile = read("deploy/Dockerfile");
    let compose = read("deploy/compose.yaml");
    // evidence is kept in DATA_DIR/evidence (crates/cli/src/main.rs)
    assert!(read("crates/cli/src/main.rs").contains("data_dir.join(\"evidence\")"));
    for text in [&dockerfile, &compose] {
        assert!(text.contains("KUAIWEI_DATA_DIR") && text.contains("/var/lib/kuaiwei"));
        assert!(text.contains("/var/lib/kuaiwei/evidence"));
        assert!(text.contains("http://127.0.0.1:8080/readyz"));
        assert!(text.contains("0.0.0.0:8080"));
    }
    assert!(read("crates/server/src/routes/mod.rs").contains("\"/readyz\""));
    assert!(compose.contains("dockerfile: deploy/Dockerfile"));
    // the binary the image builds is this package's
    assert!(dockerfile.contains("-p kuaiwei ") && dockerfile.contains("target/release/kuaiwei"));
    assert!(read("crates/cli/Cargo.toml").contains("name = \"kuaiwei\""));
}
