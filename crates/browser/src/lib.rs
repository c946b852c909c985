//! A headless Debian chromium driven over the Chrome DevTools protocol, for the browser tests
//! (tests/tests/browser.rs) and the page benchmark (`kuaiwei-bench pages`). The WebSocket is
//! spoken here, in a few lines, so nothing is downloaded: no browser, no driver.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("KUAIWEI_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A headless chromium with a fresh profile, and one DevTools session on a blank page.
pub struct Browser {
    child: std::process::Child,
    ws: Ws,
    session: String,
    next_id: u64,
    /// Events that arrived while a reply was awaited, oldest first.
    events: std::collections::VecDeque<Value>,
    _profile: TempDir,
}

impl Browser {
    pub async fn launch(binary: &Path) -> Browser {
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
            events: Default::default(),
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
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None).await
    }

    /// A command to the page.
    pub async fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session)).await
    }

    pub async fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        let reply = self.send_raw(method, params, session).await;
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The whole reply (`result` or `error`).
    pub async fn send_raw(
        &mut self,
        method: &str,
        params: Value,
        session: Option<String>,
    ) -> Value {
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
            if reply.get("method").is_some() {
                self.events.push_back(reply);
            }
        }
    }

    /// The next event `method` (one that came earlier included), within `within`.
    pub async fn event(&mut self, method: &str, within: Duration) -> Value {
        if let Some(i) = self
            .events
            .iter()
            .position(|e| e["method"] == json!(method))
        {
            return self.events.remove(i).unwrap();
        }
        let wait = async {
            loop {
                let msg: Value = serde_json::from_str(&self.ws.recv().await).unwrap();
                if msg["method"] == json!(method) {
                    return msg;
                }
                if msg.get("method").is_some() {
                    self.events.push_back(msg);
                }
            }
        };
        match tokio::time::timeout(within, wait).await {
            Ok(e) => e,
            Err(_) => panic!("no {method} event within {within:?}"),
        }
    }

    pub async fn eval(&mut self, js: &str) -> Value {
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
    pub async fn wait_for(&mut self, js: &str) {
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

    pub async fn goto(&mut self, url: &str) {
        self.page("Page.navigate", json!({"url": url})).await;
    }

    pub async fn set_files(&mut self, selector: &str, files: &[PathBuf]) {
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

    pub async fn screenshot(&mut self, to: &Path) {
        let png = self.screenshot_png().await;
        std::fs::write(to, png).unwrap();
    }

    /// The viewport as a PNG.
    pub async fn screenshot_png(&mut self) -> Vec<u8> {
        let shot = self
            .page("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        png
    }

    pub async fn close(mut self) {
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
    pub async fn connect(port: u16, path: &str) -> Ws {
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

    pub async fn send(&mut self, text: &str) {
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

    pub async fn recv(&mut self) -> String {
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

pub fn base64_decode(s: &str) -> Vec<u8> {
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

/// axe-core's script (npm `axe-core`, installed by `.ci/run`; used only in tests), from
/// `KUAIWEI_AXE` or `target/axe/node_modules/axe-core/axe.min.js`.
pub fn axe_source() -> Option<String> {
    let path = std::env::var("KUAIWEI_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/axe/node_modules/axe-core/axe.min.js")
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
    pub async fn assert_accessible(&mut self, axe: Option<&str>, what: &str) {
        let Some(axe) = axe else {
            return;
        };
        if self.eval("typeof window.axe").await != json!("object") {
            self.eval(&format!("{axe}; true")).await;
        }
        let found = self.axe_violations().await;
        assert_eq!(found, json!([]), "axe-core on {what}");
    }

    /// [`Browser::assert_accessible`] on the page outside `exclude` (a CSS selector): for a part
    /// the page embeds and we do not write (Swagger UI on `/api/docs`).
    pub async fn assert_accessible_outside(
        &mut self,
        axe: Option<&str>,
        what: &str,
        exclude: &str,
    ) {
        let Some(axe) = axe else {
            return;
        };
        if self.eval("typeof window.axe").await != json!("object") {
            self.eval(&format!("{axe}; true")).await;
        }
        let context = json!({"exclude": [[exclude]]}).to_string();
        let found = self.axe_violations_in(&context).await;
        assert_eq!(found, json!([]), "axe-core on {what} (outside {exclude})");
    }

    /// The serious and critical violations axe-core finds on the page.
    pub async fn axe_violations(&mut self) -> Value {
        self.axe_violations_in("document").await
    }

    /// The serious and critical violations axe-core finds in `context` (a JS expression).
    async fn axe_violations_in(&mut self, context: &str) -> Value {
        self
            .eval(
                &format!("axe.run({context}, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}, resultTypes: ['violations']}})
                   .then(r => r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split(String.fromCharCode(10)).join(' ')).join(' | ')))"),
            )
            .await
    }

    /// The check is not vacuous: an input without a label added to the page is found.
    pub async fn assert_axe_finds_a_planted_violation(&mut self, axe: Option<&str>) {
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
    pub async fn viewport(&mut self, desk: bool) {
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
    pub async fn log_in(&mut self, base: &str, username: &str, password: &str, to: &str) {
        self.goto(&format!("{base}{to}")).await;
        self.wait_for("location.pathname === '/login'").await;
        self.eval(&format!(
            "document.getElementById('f-username').value = {};
             document.getElementById('f-password').value = {};
             document.querySelector('main form button[type=submit]').click(); true",
            json!(username),
            json!(password)
        ))
        .await;
        self.wait_for(&format!(
            "location.pathname + location.search === {}",
            json!(to)
        ))
        .await;
    }

    pub async fn log_out(&mut self) {
        self.eval("document.querySelector('form.who button').click(); true")
            .await;
        self.wait_for("location.pathname === '/login'").await;
    }

    /// Opens the step's form on the case page, runs `fill` (JavaScript, with `f` the form),
    /// sends it and waits for the page that answers.
    pub async fn step(&mut self, action: &str, fill: &str) {
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

    pub async fn text(&mut self, selector: &str) -> String {
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

/// A directory under the system's temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "kuaiwei-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary directory is created");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
