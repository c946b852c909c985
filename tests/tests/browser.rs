//! The complainant's pages in a real browser: Debian's chromium, headless, at a 390×844 phone
//! viewport, driven over the Chrome DevTools protocol (a WebSocket the test speaks itself, so
//! nothing is downloaded). A fair complaint is filed with two photos and a certificate through
//! the form, the receipt shows its case number and QR code, and the receipt's tracking link (the
//! token in the fragment) opens the case's status through the page's script.
//!
//! Skipped, loudly, when no chromium is installed; `.ci/run` installs it, so CI runs it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use kuaiwei_e2e::{TempDir, TestApp, jpeg, pdf};
use kuaiwei_store::{ComplaintFilter, Page};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("KUAIWEI_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A headless chromium with a fresh profile, and one DevTools session on a blank page.
struct Browser {
    child: std::process::Child,
    ws: Ws,
    session: String,
    next_id: u64,
    _profile: TempDir,
}

impl Browser {
    async fn launch(binary: &Path) -> Browser {
        let profile = TempDir::new("chromium");
        let child = std::process::Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=390,844",
                "--lang=zh-CN",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // chromium writes the port it chose and the browser's endpoint here
        let port_file = profile.path().join("DevToolsActivePort");
        let mut text = String::new();
        for _ in 0..300 {
            if let Ok(t) = std::fs::read_to_string(&port_file)
                && t.lines().count() >= 2
            {
                text = t;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut lines = text.lines();
        let port: u16 = lines
            .next()
            .and_then(|l| l.parse().ok())
            .expect("chromium wrote its DevTools port");
        let path = lines.next().expect("and its endpoint").to_string();
        let ws = Ws::connect(port, &path).await;
        let mut b = Browser {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = b
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = b
            .call(
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.page("Page.enable", json!({})).await;
        b.page(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        b
    }

    /// A browser-level command.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None).await
    }

    /// A command to the page.
    async fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session)).await
    }

    async fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        let reply = self.send_raw(method, params, session).await;
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The whole reply (`result` or `error`).
    async fn send_raw(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(&msg.to_string()).await;
        loop {
            let reply: Value = serde_json::from_str(&self.ws.recv().await).unwrap();
            if reply["id"] == json!(id) {
                return reply;
            }
        }
    }

    async fn eval(&mut self, js: &str) -> Value {
        let r = self
            .page(
                "Runtime.evaluate",
                json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        assert!(
            r.get("exceptionDetails").is_none(),
            "the page threw: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Waits until `js` is true on a loaded page (10 s at most). A page that navigates while
    /// it is asked ("Inspected target navigated or closed") is asked again.
    async fn wait_for(&mut self, js: &str) {
        let check = format!("document.readyState === 'complete' && ({js})");
        for _ in 0..100 {
            let session = self.session.clone();
            let reply = self
                .send_raw(
                    "Runtime.evaluate",
                    json!({"expression": check, "returnByValue": true, "awaitPromise": true}),
                    Some(session),
                )
                .await;
            if reply["result"]["result"]["value"] == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self
            .eval("location.href + '\\n' + document.body.innerText")
            .await;
        panic!("timed out waiting for {js}; the page: {body}");
    }

    async fn goto(&mut self, url: &str) {
        self.page("Page.navigate", json!({"url": url})).await;
    }

    async fn set_files(&mut self, selector: &str, files: &[PathBuf]) {
        let doc = self.page("DOM.getDocument", json!({})).await;
        let node = self
            .page(
                "DOM.querySelector",
                json!({"nodeId": doc["root"]["nodeId"], "selector": selector}),
            )
            .await;
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.page(
            "DOM.setFileInputFiles",
            json!({"nodeId": node["nodeId"], "files": files}),
        )
        .await;
    }

    async fn screenshot(&mut self, to: &Path) {
        let shot = self
            .page("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(to, png).unwrap();
    }

    async fn close(mut self) {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.call("Browser.close", json!({})),
        )
        .await;
    }
}

impl Drop for Browser {
    /// Chromium never outlives its test, even one that fails.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Just enough of a WebSocket client (RFC 6455) for the DevTools protocol: text frames,
/// masked from us, fragmented or not from chromium.
struct Ws(TcpStream);

impl Ws {
    async fn connect(port: u16, path: &str) -> Ws {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("the DevTools port accepts");
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a3VhaXdlaS1icm93c2VyLXQ=\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(s.read_u8().await.unwrap());
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Ws(s)
    }

    async fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x6b, 0x77, 0x31, 0x37];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.0.write_all(&frame).await.unwrap();
    }

    async fn recv(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let b0 = self.0.read_u8().await.unwrap();
            let b1 = self.0.read_u8().await.unwrap();
            let len = match b1 & 0x7f {
                126 => u64::from(self.0.read_u16().await.unwrap()),
                127 => self.0.read_u64().await.unwrap(),
                n => u64::from(n),
            };
            let mask = if b1 & 0x80 != 0 {
                let mut m = [0; 4];
                self.0.read_exact(&mut m).await.unwrap();
                Some(m)
            } else {
                None
            };
            let mut payload = vec![0; len as usize];
            self.0.read_exact(&mut payload).await.unwrap();
            if let Some(m) = mask {
                for (i, b) in payload.iter_mut().enumerate() {
                    *b ^= m[i % 4];
                }
            }
            match b0 & 0x0f {
                0x0..=0x2 => message.extend_from_slice(&payload),
                0x8 => panic!("chromium closed the DevTools connection"),
                _ => continue, // ping / pong
            }
            if b0 & 0x80 != 0 {
                return String::from_utf8(message).unwrap();
            }
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

async fn a_phone_files_a_fair_complaint_with_photos_and_tracks_it_from_the_receipt(app: TestApp) {
    let Some(binary) = chromium() else {
        eprintln!(
            "!!! SKIPPED the browser test: no chromium at /usr/bin/chromium (apt-get install -y chromium, or set KUAIWEI_CHROMIUM)"
        );
        return;
    };
    let files = TempDir::new("browser-files");
    let photo1 = files.path().join("展位照片1.jpg");
    let photo2 = files.path().join("展位照片2.jpg");
    let certificate = files.path().join("商标注册证.pdf");
    std::fs::write(&photo1, jpeg(3000)).unwrap();
    std::fs::write(&photo2, jpeg(3300)).unwrap();
    std::fs::write(&certificate, pdf(900)).unwrap();

    let base = format!("http://127.0.0.1:{}", app.address.port());
    let mut b = Browser::launch(&binary).await;
    // a station's QR link: the fair and the hall are filled in (and Chinese chosen, which the
    // cookie then keeps: headless chromium asks for English by default)
    b.goto(&format!(
        "{base}/file?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&hall=16.1&lang=zh-CN"
    ))
    .await;
    b.wait_for("document.getElementById('c-fair') !== null")
        .await;
    let axe = axe_source();
    b.assert_accessible(axe.as_deref(), "the filing page's first step")
        .await;
    assert_eq!(
        b.eval("document.getElementById('c-fair').checked").await,
        json!(true)
    );
    b.eval("document.getElementById('r-trademark').checked = true; document.querySelector('form button[type=submit]').click(); true")
        .await;
    b.wait_for("document.getElementById('f-channel-booth') !== null")
        .await;
    assert_eq!(
        b.eval("document.getElementById('f-channel-fair_name').value")
            .await,
        json!("第138届广交会")
    );
    assert_eq!(b.eval("innerWidth").await, json!(390), "the phone viewport");
    b.assert_accessible(axe.as_deref(), "the filing form").await;
    b.eval(
        "(function () {
           var set = function (id, v) { document.getElementById(id).value = v; };
           set('f-channel-booth', '16.1K7');
           document.getElementById('f-complainant-kind-organisation').checked = true;
           set('f-complainant-name', '耐克创新有限合伙公司');
           set('f-complainant-mobile', '13812345678');
           set('f-rights-0-number', '1234567');
           set('f-respondent-name', '某某鞋业有限公司');
           set('f-description', '展位16.1K7展出的运动鞋使用了与注册商标相同的标识');
           document.getElementById('f-requested_measures-withdraw_exhibits').checked = true;
           return true;
         })()",
    )
    .await;
    b.set_files("#f-evidence", &[photo1, photo2]).await;
    b.set_files("#f-evidence-right_certificate", &[certificate])
        .await;
    b.eval("document.querySelector('#form button[type=submit]').click(); true")
        .await;
    b.wait_for("location.pathname === '/receipt'").await;
    let number = b
        .eval("document.getElementById('case-number').textContent")
        .await;
    let number = number.as_str().unwrap().to_string();
    assert!(number.starts_with("KW-"), "{number}");
    assert_eq!(
        b.eval("document.querySelector('.qr-code svg') !== null")
            .await,
        json!(true)
    );
    b.assert_accessible(axe.as_deref(), "the receipt").await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&shots.join(format!("receipt-390-{:?}.png", app.backend)))
        .await;
    let listed = app
        .store
        .list_complaints(&ComplaintFilter::default(), Page::first(Page::MAX))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "exactly one complaint");
    let record = app
        .store
        .complaint_for_complainant(
            &number,
            &sha2::Digest::finalize(sha2::Digest::chain_update(
                <sha2::Sha256 as sha2::Digest>::new(),
                b.eval("document.getElementById('tracking-token').textContent")
                    .await
                    .as_str()
                    .unwrap()
                    .as_bytes(),
            ))
            .into(),
        )
        .await
        .unwrap()
        .expect("the receipt's token opens the complaint");
    assert_eq!(record.evidence.len(), 3, "two photos and a certificate");

    // the receipt's tracking link carries the token in the fragment: the script fills the
    // form, drops the fragment and posts
    let link = b
        .eval("document.querySelector('a[href^=\"/track#\"]').getAttribute('href')")
        .await;
    b.goto(&format!("{base}{}", link.as_str().unwrap())).await;
    b.wait_for("document.getElementById('state') !== null")
        .await;
    assert_eq!(b.eval("location.hash").await, json!(""));
    let state = b.eval("document.getElementById('state').textContent").await;
    assert_eq!(state, json!("已收到，正在审查材料"));
    b.assert_accessible(axe.as_deref(), "the status page").await;
    // the files sent: both photos' thumbnails decode in the browser, and the list fits the
    // phone's width
    b.wait_for("[...document.querySelectorAll('.files img')].every(i => i.complete)")
        .await;
    let shown = b
        .eval("[...document.querySelectorAll('.files img')].filter(i => i.naturalWidth > 0).length")
        .await;
    assert_eq!(shown, json!(2));
    let fits = b
        .eval("document.documentElement.scrollWidth <= window.innerWidth")
        .await;
    assert_eq!(fits, json!(true));
    b.goto(&format!("{base}/")).await;
    b.wait_for("document.querySelector('h1') !== null").await;
    b.assert_accessible(axe.as_deref(), "the front page").await;
    b.goto(&format!("{base}/track")).await;
    b.wait_for("document.getElementById('track-form') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the tracking form")
        .await;
    b.close().await;
}

kuaiwei_e2e::on_every_backend!(
    a_phone_files_a_fair_complaint_with_photos_and_tracks_it_from_the_receipt,
    four_people_take_a_case_from_triage_to_closing_in_the_browser,
);

/// axe-core's script (npm `axe-core`, installed by `.ci/run`; used only in tests), from
/// `KUAIWEI_AXE` or `target/axe/node_modules/axe-core/axe.min.js`.
fn axe_source() -> Option<String> {
    let path = std::env::var("KUAIWEI_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!(
                "!!! SKIPPED the axe-core checks: no {} (npm install --prefix target/axe axe-core, as .ci/run does)",
                path.display()
            );
            None
        }
    }
}

impl Browser {
    /// axe-core on the page as it stands: no serious or critical violation of WCAG 2.1 A/AA.
    async fn assert_accessible(&mut self, axe: Option<&str>, what: &str) {
        let Some(axe) = axe else {
            return;
        };
        if self.eval("typeof window.axe").await != json!("object") {
            self.eval(&format!("{axe}; true")).await;
        }
        let found = self.axe_violations().await;
        assert_eq!(found, json!([]), "axe-core on {what}");
    }

    /// The serious and critical violations axe-core finds on the page.
    async fn axe_violations(&mut self) -> Value {
        self
            .eval(
                "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
                   .then(r => r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split(String.fromCharCode(10)).join(' ')).join(' | ')))",
            )
            .await
    }

    /// The check is not vacuous: an input without a label added to the page is found.
    async fn assert_axe_finds_a_planted_violation(&mut self, axe: Option<&str>) {
        if axe.is_none() {
            return;
        }
        self.eval("var i = document.createElement('input'); i.id = 'axe-control'; document.querySelector('main').appendChild(i); true")
            .await;
        let found = self.axe_violations().await;
        assert!(
            found.to_string().contains("label"),
            "axe-core did not see an unlabelled input: {found}"
        );
        self.eval("document.getElementById('axe-control').remove(); true")
            .await;
    }

    /// The viewport of a desk (1280×900) or back to the phone (390×844).
    async fn viewport(&mut self, desk: bool) {
        let (w, h, mobile) = if desk {
            (1280, 900, false)
        } else {
            (390, 844, true)
        };
        self.page(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": w, "height": h, "deviceScaleFactor": if desk { 1 } else { 2 }, "mobile": mobile}),
        )
        .await;
    }

    /// Logs in through the login page the browser was sent to, as `username`.
    async fn log_in(&mut self, base: &str, username: &str, to: &str) {
        self.goto(&format!("{base}{to}")).await;
        self.wait_for("location.pathname === '/login'").await;
        self.eval(&format!(
            "document.getElementById('f-username').value = {};
             document.getElementById('f-password').value = {};
             document.querySelector('main form button[type=submit]').click(); true",
            json!(username),
            json!(kuaiwei_e2e::TEST_PASSWORD)
        ))
        .await;
        self.wait_for(&format!(
            "location.pathname + location.search === {}",
            json!(to)
        ))
        .await;
    }

    async fn log_out(&mut self) {
        self.eval("document.querySelector('form.who button').click(); true")
            .await;
        self.wait_for("location.pathname === '/login'").await;
    }

    /// Opens the step's form on the case page, runs `fill` (JavaScript, with `f` the form),
    /// sends it and waits for the page that answers.
    async fn step(&mut self, action: &str, fill: &str) {
        self.eval(&format!(
            "(function () {{
               var d = document.getElementById('step-{action}');
               if (!d) {{ return false; }}
               d.open = true;
               var f = d.querySelector('form');
               {fill};
               window.__stepped = true;
               f.querySelector('button[type=submit]').click();
               return true;
             }})()"
        ))
        .await;
        self.wait_for("window.__stepped !== true").await;
    }

    async fn text(&mut self, selector: &str) -> String {
        self.eval(&format!(
            "(document.querySelector({}) || {{textContent: ''}}).textContent",
            json!(selector)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }
}

/// A whole case in the browser by four people: the caseworker triages it (sees what is missing
/// and a related case), asks for a supplement, and once it has come accepts and routes it; the
/// market-regulation officer opens it, suspends and resumes it, asks for an extension (first in
/// a unit the procedure does not allow: refused in the form); the supervisor approves; the
/// officer closes it; the month's report counts it and links to the case page. An officer of
/// another agency finds no trace of it.
async fn four_people_take_a_case_from_triage_to_closing_in_the_browser(app: TestApp) {
    let Some(binary) = chromium() else {
        eprintln!(
            "!!! SKIPPED the workbench browser test: no chromium at /usr/bin/chromium (apt-get install -y chromium, or set KUAIWEI_CHROMIUM)"
        );
        return;
    };
    let receipt = app.client.file_complaint(1).await;
    let related = app.client.file_complaint(2).await;
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let other = related["case_number"].as_str().unwrap().to_string();
    app.add_account("chen", "caseworker", None).await;
    app.add_account("li", "officer", Some("market_regulation"))
        .await;
    app.add_account("wang", "supervisor", Some("market_regulation"))
        .await;

    let base = format!("http://127.0.0.1:{}", app.address.port());
    let axe = axe_source();
    let mut b = Browser::launch(&binary).await;
    b.goto(&format!("{base}/?lang=zh-CN")).await;
    b.wait_for("document.documentElement.lang === 'zh-CN'")
        .await;
    b.goto(&format!("{base}/login")).await;
    b.wait_for("document.getElementById('f-username') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the login page").await;
    b.assert_axe_finds_a_planted_violation(axe.as_deref()).await;

    // the caseworker: the triage queue, the case with what is missing and the related case
    b.log_in(&base, "chen", "/work").await;
    b.assert_accessible(axe.as_deref(), "the triage queue")
        .await;
    assert!(
        b.text("table.queue").await.contains(&n),
        "the triage queue lists the case"
    );
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('case-number') !== null")
        .await;
    assert!(b.text("#missing").await.contains("商标注册证"));
    b.eval("document.getElementById('respondent-link').click(); true")
        .await;
    b.wait_for("location.pathname.startsWith('/work/respondents/')")
        .await;
    assert!(b.text("#history").await.contains(&n));
    b.assert_accessible(axe.as_deref(), "the respondent page")
        .await;
    b.goto(&format!("{base}/work/respondents")).await;
    b.wait_for("document.querySelector('h1') !== null").await;
    b.assert_accessible(axe.as_deref(), "the respondent links")
        .await;
    b.goto(&format!(
        "{base}/work/stations?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&halls=16.1"
    ))
    .await;
    b.wait_for("document.querySelector('.poster svg') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the station posters")
        .await;
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('case-number') !== null")
        .await;
    assert!(
        b.text("#related").await.contains(&other),
        "the related case"
    );
    assert!(b.text("#routing").await.contains("市场监督管理局"));
    b.eval("document.querySelectorAll('details').forEach(d => d.open = true); true")
        .await;
    b.assert_accessible(axe.as_deref(), "the case page, every form open")
        .await;
    b.viewport(true).await;
    b.assert_accessible(axe.as_deref(), "the case page at a desk")
        .await;
    b.viewport(false).await;
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('case-number') !== null")
        .await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&shots.join(format!("case-390-{:?}.png", app.backend)))
        .await;
    b.step(
        "request_supplement",
        "f.elements.reason.value = '请补充商标注册证'",
    )
    .await;
    assert_eq!(b.text("#case-state").await, "等待补正");

    // the complainant answers from their phone (through the API here)
    let token = receipt["tracking_token"].as_str().unwrap();
    let sent = app
        .client
        .post_multipart(
            &format!("/api/v1/complaints/{n}/supplement"),
            kuaiwei_e2e::Multipart::new().part(
                "evidence.right_certificate",
                Some("注册证.pdf"),
                "application/pdf",
                &pdf(700),
            ),
            &[("x-tracking-token", token)],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", String::from_utf8_lossy(&sent.body));
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('case-state') !== null")
        .await;
    assert_eq!(b.text("#case-state").await, "待审查");
    b.step(
        "accept",
        "f.elements.reason.value = '现场核对原件，先行受理'",
    )
    .await;
    assert_eq!(b.text("#case-state").await, "已受理");
    b.step("route", "").await;
    assert_eq!(b.text("#case-state").await, "已分派");
    assert!(b.text("#case-agency").await.contains("市场监督管理局"));
    b.log_out().await;

    // the officer: opens, suspends, resumes, asks for an extension
    b.log_in(&base, "li", "/work").await;
    assert!(b.text("table.queue").await.contains(&n));
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('step-open') !== null")
        .await;
    b.step("open", "").await;
    assert_eq!(b.text("#case-state").await, "已立案");
    b.step(
        "suspend",
        "f.elements.reason.value = '等待权利人鉴别意见'; f.elements.kind.value = 'rights_holder_identification'",
    )
    .await;
    assert_eq!(b.text("#case-state").await, "已中止");
    b.step("resume", "").await;
    assert_eq!(b.text("#case-state").await, "已立案");
    // a month: M2 extends in days only, refused at the request, in the form, in Chinese
    b.step(
        "request_extension",
        "f.elements.reason.value = '案情复杂'; f.elements.amount.value = '1'; f.elements.amount_unit.value = 'm'",
    )
    .await;
    assert_eq!(
        b.eval("document.getElementById('step-request_extension').open")
            .await,
        json!(true)
    );
    assert!(
        !b.text("#step-request_extension .error").await.is_empty(),
        "the refusal is in the form"
    );
    assert_eq!(
        b.eval("document.getElementById('request_extension-reason').value")
            .await,
        json!("案情复杂"),
        "what was typed is kept"
    );
    b.step(
        "request_extension",
        "f.elements.amount.value = '30'; f.elements.amount_unit.value = 'd'",
    )
    .await;
    assert_eq!(b.text("#case-state").await, "延期待审批");
    b.log_out().await;

    // the supervisor approves it from the approvals queue
    b.log_in(&base, "wang", "/work").await;
    b.viewport(true).await;
    b.assert_accessible(axe.as_deref(), "the approvals queue at a desk")
        .await;
    b.viewport(false).await;
    assert!(
        b.text("table.queue").await.contains(&n),
        "awaiting approval"
    );
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('step-approve_extension') !== null")
        .await;
    b.step("approve_extension", "").await;
    assert_eq!(b.text("#case-state").await, "已立案");
    b.log_out().await;

    // the officer closes it with an outcome
    b.log_in(&base, "li", &format!("/work/cases/{n}")).await;
    b.step(
        "close",
        "f.elements.outcome.value = 'exhibits_withdrawn'; f.elements.reason.value = '已撤展'",
    )
    .await;
    assert_eq!(b.text("#case-state").await, "已办结");
    // the month's report counts it, and its figure leads to the case page
    let month = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .strftime("%Y-%m")
        .to_string();
    b.goto(&format!(
        "{base}/reports/on-time/cases?period={month}&measure=counted"
    ))
    .await;
    b.wait_for(&format!(
        "document.querySelector('a[href=\"/work/cases/{n}\"]') !== null"
    ))
    .await;
    b.eval(&format!(
        "document.querySelector('a[href=\"/work/cases/{n}\"]').click(); true"
    ))
    .await;
    b.wait_for(&format!("location.pathname === '/work/cases/{n}'"))
        .await;
    b.log_out().await;
    // the administrator's pages
    app.add_account("admin2", "administrator", None).await;
    b.log_in(&base, "admin2", "/work/admin").await;
    b.assert_accessible(axe.as_deref(), "the accounts page")
        .await;
    // the administrator adds a customs officer in the browser; a missing agency is refused
    // first, beside its field, with what was typed kept
    let add = |agency: &str| {
        format!(
            "(function () {{
               var set = function (id, v) {{ document.getElementById(id).value = v; }};
               set('a-username', 'zhao');
               set('a-display_name', '赵六');
               set('a-role', 'officer');
               set('a-agency', '{agency}');
               set('a-password', {});
               window.__stepped = true;
               document.querySelector('form.narrow button[type=submit]').click();
               return true;
             }})()",
            json!(kuaiwei_e2e::TEST_PASSWORD)
        )
    };
    b.eval(&add("")).await;
    b.wait_for("window.__stepped !== true").await;
    assert!(b.text(".error-summary").await.contains("须指定所属部门"));
    assert_eq!(
        b.eval("document.getElementById('a-display_name').value")
            .await,
        json!("赵六")
    );
    b.eval(&add("customs")).await;
    b.wait_for("window.__stepped !== true && document.querySelector('.flash') !== null")
        .await;
    assert!(b.text("#accounts").await.contains("zhao"));
    for page in [
        "/work/admin/keys",
        "/work/admin/calendar",
        "/work/admin/audit",
        "/work/rules",
    ] {
        b.goto(&format!("{base}{page}")).await;
        b.wait_for("document.querySelector('h1') !== null").await;
        b.assert_accessible(axe.as_deref(), page).await;
    }
    b.log_out().await;

    // an officer of customs: no trace anywhere
    b.log_in(&base, "zhao", "/work?tab=all").await;
    assert!(!b.text("main").await.contains(&n));
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.querySelector('h1') !== null").await;
    let body = b.text("main").await;
    assert!(!body.contains("耐克") && !body.contains("已撤展"), "{body}");
    b.goto(&format!("{base}/work/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B"))
        .await;
    b.wait_for("document.getElementById('search-total') !== null")
        .await;
    assert!(!b.text("main").await.contains(&n));
    b.assert_accessible(axe.as_deref(), "the search page").await;
    b.goto(&format!(
        "{base}/reports/on-time/cases?period={month}&measure=counted"
    ))
    .await;
    b.wait_for("document.querySelector('h1') !== null").await;
    assert!(!b.text("body").await.contains(&n));
    b.close().await;
}
