//! The real `kuaiwei` binary tells staff (#23): `user add` and `user contact` set where an
//! account is told, each bad field refused by name; `user list` shows it masked; `notify digest`
//! needs `[notify.email]` and writes nothing twice.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use kuaiwei_e2e::TempDir;

fn run(data_dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kuaiwei"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kuaiwei binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).to_string()
}

#[test]
fn where_an_account_is_told_is_set_from_the_command_line_and_the_digest_needs_mail() {
    let dir = TempDir::new("bin-notices");
    let data = dir.path();
    let password = "知识产权保护-2026\n";
    let added = run(
        data,
        &[
            "user",
            "add",
            "li.ming",
            "--role",
            "officer",
            "--agency",
            "market_regulation",
            "--email",
            "li.ming@amr.example.gov.cn",
        ],
        password,
    );
    assert!(added.status.success(), "{added:?}");
    let refused = run(
        data,
        &[
            "user", "add", "wu.xin", "--role", "officer", "--agency", "customs", "--mobile",
            "12345",
        ],
        password,
    );
    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    assert!(
        err.contains("手机号应为11位中国大陆手机号") && err.contains("mainland mobile"),
        "{err}"
    );

    // only the flags given change; '' removes
    let set = run(
        data,
        &[
            "user",
            "contact",
            "li.ming",
            "--mobile",
            "139 1234 5678",
            "--lang",
            "en",
        ],
        "",
    );
    assert!(set.status.success(), "{set:?}");
    let said = text(&set.stdout);
    assert!(
        said.contains("email l***@amr.example.gov.cn, mobile 139****5678, lang en"),
        "{said}"
    );
    let removed = run(data, &["user", "contact", "li.ming", "--email", ""], "");
    assert!(
        text(&removed.stdout).contains("email -, mobile 139****5678, lang en"),
        "{removed:?}"
    );
    let bad = run(data, &["user", "contact", "li.ming", "--lang", "fr"], "");
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("--lang: zh-CN, en"), "{bad:?}");
    let list = text(&run(data, &["user", "list"], "").stdout);
    let row = list
        .lines()
        .find(|l| l.starts_with("li.ming\t"))
        .expect("the account");
    assert!(row.ends_with("\t-\t139****5678\ten"), "{list}");
    assert!(
        !list.contains("13912345678") && !list.contains("wu.xin"),
        "{list}"
    );

    // the digest goes by e-mail: refused by name without it, once a day with it
    let without = run(data, &["notify", "digest"], "");
    assert!(!without.status.success());
    assert!(
        text(&without.stderr).contains("[notify.email] is not configured"),
        "{without:?}"
    );
    let config = data.join("kuaiwei.toml");
    std::fs::write(
        &config,
        "[notify]\npublic_url = \"https://kw.test\"\n[notify.email]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\nfrom = \"快维 <noreply@kw.test>\"\n",
    )
    .unwrap();
    let config = config.to_string_lossy().to_string();
    for _ in 0..2 {
        let ran = run(data, &["--config", &config, "notify", "digest"], "");
        assert!(ran.status.success(), "{ran:?}");
        assert!(
            text(&ran.stdout).contains("0 位收件人 / recipients, 新写入 / newly written 0"),
            "no case is due: {ran:?}"
        );
    }
}
