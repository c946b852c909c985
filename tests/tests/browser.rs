//! The pages in a real browser: Debian's chromium, headless, at a 390×844 phone viewport, driven
//! over the Chrome DevTools protocol (`kuaiwei-browser`, nothing downloaded). A fair complaint is
//! filed with two photos and a certificate through the form, on a network that loses the answer
//! (the draft keeps it across a reload; the retry files once); the receipt's QR code, read from
//! a screenshot, opens the case's status; the complainant answers a supplement request there.
//! Field errors show beside their fields in both languages, and a complaint sent offline goes
//! when the connection returns. Four staff take a case from triage to closing.
//!
//! Skipped, loudly, when no chromium is installed; `.ci/run` installs it, so CI runs it.

use std::path::Path;
use std::time::Duration;

use kuaiwei_browser::{Browser, axe_source, chromium};
use kuaiwei_e2e::{TempDir, TestApp, jpeg, pdf};
use kuaiwei_store::{ComplaintFilter, Page};
use serde_json::json;

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
           set('f-amounts-illegal_business_volume', '6万');
           return true;
         })()",
    )
    .await;
    b.set_files("#f-evidence", &[photo1, photo2]).await;
    b.set_files("#f-evidence-right_certificate", &[certificate])
        .await;
    b.eval(
        "document.getElementById('form').dispatchEvent(new Event('input', {bubbles: true})); true",
    )
    .await;

    // the draft survives a reload: every answer and all three files are back, with the
    // draft's key, and nothing has been filed
    b.wait_for(DRAFT_SAVED_WITH_3_FILES).await;
    let key = b
        .eval("document.getElementById('form').elements.idempotency_key.value")
        .await;
    b.page("Page.reload", json!({})).await;
    b.wait_for("document.getElementById('draft').hidden === false")
        .await;
    assert_eq!(
        b.eval("[document.getElementById('f-complainant-name').value, document.getElementById('f-channel-booth').value, document.getElementById('f-complainant-kind-organisation').checked, document.getElementById('f-evidence').files.length, document.getElementById('f-evidence-right_certificate').files.length, document.getElementById('form').elements.idempotency_key.value, document.getElementById('f-amounts-illegal_business_volume').value]")
            .await,
        json!(["耐克创新有限合伙公司", "16.1K7", true, 2, 1, key, "6万"]),
        "the draft restored after a reload"
    );
    assert_eq!(complaints(&app).await, 0, "a draft is not a complaint");
    b.assert_accessible(axe.as_deref(), "the restored draft")
        .await;

    // the network drops after the server has filed it, before the answer arrives: the page
    // says so, keeps the draft and sends it again by itself, with the same key
    b.page("Network.enable", json!({})).await;
    b.page(
        "Fetch.enable",
        json!({"patterns": [{"urlPattern": "*/file*", "requestStage": "Response"}]}),
    )
    .await;
    b.eval("document.querySelector('#form button[type=submit]').click(); true")
        .await;
    let paused = b
        .event("Fetch.requestPaused", Duration::from_secs(20))
        .await;
    assert_eq!(paused["params"]["request"]["method"], "POST");
    assert_eq!(paused["params"]["responseStatusCode"], 303, "{paused}");
    b.page(
        "Fetch.failRequest",
        json!({"requestId": paused["params"]["requestId"], "errorReason": "ConnectionReset"}),
    )
    .await;
    b.page("Fetch.disable", json!({})).await;
    b.wait_for("document.getElementById('draft-text').textContent.indexOf('网络中断') === 0")
        .await;
    assert_eq!(complaints(&app).await, 1, "the server had filed it");
    b.wait_for("location.pathname === '/receipt'").await;
    assert_eq!(complaints(&app).await, 1, "the retry filed nothing more");

    let number = b
        .eval("document.getElementById('case-number').textContent")
        .await;
    let number = number.as_str().unwrap().to_string();
    assert!(number.starts_with("KW-"), "{number}");
    b.assert_accessible(axe.as_deref(), "the receipt").await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&shots.join(format!("receipt-390-{:?}.png", app.backend)))
        .await;
    let token = b
        .eval("document.getElementById('tracking-token').textContent")
        .await
        .as_str()
        .unwrap()
        .to_string();
    let record = app
        .store
        .complaint_for_complainant(&number, &sha256(token.as_bytes()))
        .await
        .unwrap()
        .expect("the receipt's token opens the complaint");
    assert_eq!(record.evidence.len(), 3, "two photos and a certificate");
    assert_eq!(
        record.complaint.amounts.illegal_business_volume_fen,
        Some(6_000_000),
        "6万 typed on the phone"
    );
    let draft_left = b
        .eval("new Promise(r => { var o = indexedDB.open('kuaiwei', 1); o.onsuccess = () => { var g = o.result.transaction('drafts').objectStore('drafts').get('file:fair'); g.onsuccess = () => r(g.result === undefined); }; })")
        .await;
    assert_eq!(draft_left, json!(true), "the receipt ends the draft");

    // the receipt's QR code, read from a screenshot as a phone camera would, is the tracking
    // link with the token in the fragment; the script fills the form, drops the fragment and
    // posts
    b.eval("document.querySelector('.qr-code').scrollIntoView(); true")
        .await;
    let png = b.screenshot_png().await;
    let link = read_qr(&png);
    assert_eq!(link, format!("{base}/track#n={number}&t={token}"));
    b.goto(&link).await;
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

    // a caseworker asks for more (through the API here); the complainant sees what and why on
    // the tracking page and answers it there with a file; the case is back in triage
    let asked = app
        .act(
            &number,
            json!({"action": "request_supplement", "actor": "caseworker:chen", "reason": "请补充授权委托书"}),
        )
        .await;
    assert_eq!(
        asked.status,
        200,
        "{}",
        String::from_utf8_lossy(&asked.body)
    );
    b.eval("document.querySelector('form.no-print button').click(); true")
        .await;
    b.wait_for("document.getElementById('f-note') !== null")
        .await;
    assert_eq!(b.text("#state").await, "需要补充材料");
    assert!(
        b.text(".asked").await.contains("请补充授权委托书"),
        "the reason asked"
    );
    b.assert_accessible(axe.as_deref(), "the supplement form")
        .await;
    let letter = files.path().join("授权委托书.pdf");
    std::fs::write(&letter, pdf(800)).unwrap();
    b.set_files("#f-evidence", &[letter]).await;
    b.eval("document.getElementById('f-note').value = '已补充授权委托书'; document.getElementById('f-note').form.querySelector('button[type=submit]').click(); true")
        .await;
    b.wait_for("document.querySelector('.panel[role=status]') !== null")
        .await;
    assert_eq!(b.text("#state").await, "已收到，正在审查材料");
    let case = app.store.case(&number).await.unwrap().unwrap();
    assert_eq!(json!(case.state), json!("received"), "back in triage");
    let record = app
        .store
        .complaint_for_complainant(&number, &sha256(token.as_bytes()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.evidence.len(), 4, "the supplement's file kept");

    b.goto(&format!("{base}/")).await;
    b.wait_for("document.querySelector('h1') !== null").await;
    b.assert_accessible(axe.as_deref(), "the front page").await;
    b.goto(&format!("{base}/track")).await;
    b.wait_for("document.getElementById('track-form') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the tracking form")
        .await;

    // the API reference: Swagger UI from the binary, under the pages' CSP (no inline script),
    // renders every operation of the document
    b.goto(&format!("{base}/api/docs")).await;
    b.wait_for("document.querySelectorAll('.opblock').length >= 20")
        .await;
    let documented = app.get("/api/v1/openapi.json", &[]).await.json()["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum::<usize>();
    assert_eq!(
        b.eval("document.querySelectorAll('.opblock').length").await,
        json!(documented),
        "every operation is shown"
    );
    // Swagger UI's own markup has known axe findings (buttons nested in its operation headers,
    // grey badges): our page around it is checked; the reference is for developers
    b.assert_accessible_outside(axe.as_deref(), "the API reference", "#swagger-ui")
        .await;
    b.close().await;
}

/// A bad submission's every error beside its field, in zh-CN and then in en; then a complaint
/// sent while the phone is offline waits on the device and goes when the connection returns,
/// once.
async fn errors_show_in_both_languages_and_an_offline_filing_goes_when_the_connection_returns(
    app: TestApp,
) {
    let Some(binary) = chromium() else {
        eprintln!("!!! SKIPPED the browser test: no chromium");
        return;
    };
    let base = format!("http://127.0.0.1:{}", app.address.port());
    let axe = axe_source();
    let mut b = Browser::launch(&binary).await;
    b.goto(&format!(
        "{base}/file?channel=ecommerce&right=copyright&lang=zh-CN"
    ))
    .await;
    b.wait_for("document.getElementById('f-channel-platform') !== null")
        .await;
    let send = "document.querySelector('#form button[type=submit]').click(); true";
    b.eval(send).await;
    b.wait_for("document.querySelector('.error-summary') !== null")
        .await;
    let zh = b.eval(ERRORS_BESIDE_FIELDS).await;
    assert!(zh["placed"].as_bool().unwrap(), "zh: {zh}");
    assert!(zh["count"].as_u64().unwrap() >= 4, "zh: {zh}");
    assert!(
        zh["texts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.as_str().unwrap().chars().any(is_cjk)),
        "every error in Chinese: {zh}"
    );
    b.assert_accessible(axe.as_deref(), "the form with its errors")
        .await;

    // the language switch, then the same mistake
    b.eval("document.querySelector('a.switch').click(); true")
        .await;
    b.wait_for("document.documentElement.lang === 'en' && document.getElementById('f-channel-platform') !== null")
        .await;
    b.eval(send).await;
    b.wait_for("document.querySelector('.error-summary') !== null")
        .await;
    let en = b.eval(ERRORS_BESIDE_FIELDS).await;
    assert!(en["placed"].as_bool().unwrap(), "en: {en}");
    assert_eq!(en["count"], zh["count"], "the same errors: {en} {zh}");
    assert!(
        en["texts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| !t.as_str().unwrap().chars().any(is_cjk)),
        "every error in English: {en}"
    );
    b.assert_accessible(axe.as_deref(), "the form with its errors, in English")
        .await;

    // filled in properly, then sent with no connection at all
    b.eval(
        "(function () {
           var set = function (id, v) { document.getElementById(id).value = v; };
           document.getElementById('f-complainant-kind-organisation').checked = true;
           set('f-complainant-name', '上海某某文化传播有限公司');
           set('f-complainant-email', 'legal@example.com');
           set('f-channel-platform', '某电商平台');
           set('f-channel-listing_urls', 'https://item.example.com/item/884512');
           set('f-rights-0-number', '国作登字-2024-F-00012345');
           set('f-respondent-name', '某某玩具专营店');
           set('f-description', '该店铺销售的毛绒玩具复制了我方美术作品');
           return true;
         })()",
    )
    .await;
    b.page("Network.enable", json!({})).await;
    let offline = |on: bool| json!({"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1});
    b.page("Network.emulateNetworkConditions", offline(true))
        .await;
    b.eval(send).await;
    b.wait_for("/connection/.test(document.getElementById('draft-text').textContent) && !document.getElementById('draft').hidden")
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(complaints(&app).await, 0, "nothing reached the server");
    assert_eq!(
        b.eval("location.pathname").await,
        json!("/file"),
        "still the form, waiting"
    );
    b.page("Network.emulateNetworkConditions", offline(false))
        .await;
    b.wait_for("location.pathname === '/receipt'").await;
    assert_eq!(complaints(&app).await, 1, "sent once when back online");
    b.close().await;
}

/// Every link of the error summary leads to a field that shows its error beside it.
const ERRORS_BESIDE_FIELDS: &str = "(function () {
  var links = [...document.querySelectorAll('.error-summary a')];
  var texts = [];
  var placed = links.every(a => {
    var el = document.querySelector(a.getAttribute('href'));
    var field = el && el.closest('.field');
    var err = field && field.querySelector('.error');
    if (err) { texts.push(err.textContent); }
    return !!err && err.textContent.trim().length > 0;
  });
  return {count: links.length, placed: placed, texts: texts};
})()";

fn is_cjk(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// A published 2027 with one holiday (as the router tests use).
const Y2027: &str = "year = 2027\nnotice = \"国办发明电〔2026〕X号（测试）\"\n\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year's Day\"\nrest = [\"2027-01-01\", \"2027-01-02\", \"2027-01-03\"]\nwork = []\n";

/// True once the fair draft in this browser's IndexedDB holds three files.
const DRAFT_SAVED_WITH_3_FILES: &str = "new Promise(r => { var o = indexedDB.open('kuaiwei', 1); o.onsuccess = () => { try { var g = o.result.transaction('drafts').objectStore('drafts').get('file:fair'); g.onsuccess = () => r(!!g.result && g.result.files.length === 3); } catch (e) { r(false); } }; o.onerror = () => r(false); })";

async fn complaints(app: &TestApp) -> usize {
    app.store
        .list_complaints(&ComplaintFilter::default(), Page::first(Page::MAX))
        .await
        .unwrap()
        .len()
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    sha2::Digest::finalize(sha2::Digest::chain_update(
        <sha2::Sha256 as sha2::Digest>::new(),
        bytes,
    ))
    .into()
}

/// The text of the one QR code in a screenshot.
fn read_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png)
        .expect("the screenshot decodes")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the receipt's screen");
    let (_, text) = grids[0].decode().expect("the QR code decodes");
    text
}

kuaiwei_e2e::on_every_backend!(
    a_phone_files_a_fair_complaint_with_photos_and_tracks_it_from_the_receipt,
    errors_show_in_both_languages_and_an_offline_filing_goes_when_the_connection_returns,
    four_people_take_a_case_from_triage_to_closing_in_the_browser,
);

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
    b.log_in(&base, "chen", kuaiwei_e2e::TEST_PASSWORD, "/work")
        .await;
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
    // a fair session entered once: its posters, one per hall, each QR code opening the filing
    // page for that hall
    b.goto(&format!("{base}/work/stations")).await;
    b.wait_for("document.getElementById('station-form') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the fair sessions")
        .await;
    b.eval(
        "(function () {
           var set = function (id, v) { document.getElementById(id).value = v; };
           set('s-fair', '第138届广交会');
           set('s-session', '第一期');
           set('s-starts_on', '2026-10-15');
           set('s-ends_on', '2026-10-19');
           set('s-halls', '16.1, 17.2');
           document.getElementById('station-form').querySelector('button[type=submit]').click();
           return true;
         })()",
    )
    .await;
    b.wait_for("document.querySelectorAll('.poster svg').length === 2")
        .await;
    assert!(
        b.eval("location.pathname")
            .await
            .as_str()
            .unwrap()
            .starts_with("/work/stations/")
    );
    b.assert_accessible(axe.as_deref(), "the station posters")
        .await;
    b.eval("document.querySelectorAll('.poster')[1].scrollIntoView(); true")
        .await;
    let poster = read_qr(&b.screenshot_png().await);
    assert_eq!(
        poster,
        format!(
            "{base}/file?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&session=%E7%AC%AC%E4%B8%80%E6%9C%9F&hall=17.2"
        ),
        "the second hall's poster, read by a phone"
    );
    // the fair sessions page as it looks, in English at a desk and on a phone (for the eye:
    // written to target/tmp), then back to Chinese
    b.goto(&format!("{base}/work/stations?lang=en")).await;
    b.wait_for("document.getElementById('station-form') !== null")
        .await;
    b.assert_accessible(axe.as_deref(), "the fair sessions, in English")
        .await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&shots.join(format!("stations-390-en-{:?}.png", app.backend)))
        .await;
    b.viewport(true).await;
    b.screenshot(&shots.join(format!("stations-1280-en-{:?}.png", app.backend)))
        .await;
    b.viewport(false).await;
    b.goto(&format!("{base}/work/stations?lang=zh-CN")).await;
    b.wait_for("document.documentElement.lang === 'zh-CN'")
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
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&shots.join(format!("case-open-390-{:?}.png", app.backend)))
        .await;
    b.viewport(true).await;
    b.assert_accessible(axe.as_deref(), "the case page at a desk")
        .await;
    // the same page in English at a desk, every form open (the route form's checked facts)
    b.goto(&format!("{base}/work/cases/{n}?lang=en")).await;
    b.wait_for("document.documentElement.lang === 'en'").await;
    b.eval("document.querySelectorAll('details').forEach(d => d.open = true); true")
        .await;
    b.assert_accessible(axe.as_deref(), "the case page in English, every form open")
        .await;
    b.screenshot(&shots.join(format!("case-open-1280-en-{:?}.png", app.backend)))
        .await;
    b.goto(&format!("{base}/work/cases/{n}?lang=zh-CN")).await;
    b.wait_for("document.documentElement.lang === 'zh-CN'")
        .await;
    b.viewport(false).await;
    b.goto(&format!("{base}/work/cases/{n}")).await;
    b.wait_for("document.getElementById('case-number') !== null")
        .await;
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
    // the route form with its checked facts open, looked at on a phone and, in English, at a desk
    let open_route = "(function () { var d = document.getElementById('step-route'); d.open = true; \
                      d.querySelectorAll('details').forEach(x => x.open = true); \
                      document.getElementById('route-facts').scrollIntoView(); return true; })()";
    b.eval(open_route).await;
    assert!(b.text("#step-route").await.contains("违法所得数额"));
    b.assert_accessible(axe.as_deref(), "the route form with its facts")
        .await;
    b.screenshot(&shots.join(format!("route-facts-390-{:?}.png", app.backend)))
        .await;
    b.viewport(true).await;
    b.goto(&format!("{base}/work/cases/{n}?lang=en")).await;
    b.wait_for("document.documentElement.lang === 'en'").await;
    b.eval(open_route).await;
    assert!(b.text("#step-route").await.contains("Illegal gains"));
    b.assert_accessible(axe.as_deref(), "the route form in English")
        .await;
    b.screenshot(&shots.join(format!("route-facts-1280-en-{:?}.png", app.backend)))
        .await;
    b.goto(&format!("{base}/work/cases/{n}?lang=zh-CN")).await;
    b.wait_for("document.documentElement.lang === 'zh-CN'")
        .await;
    b.viewport(false).await;
    b.step("route", "").await;
    assert_eq!(b.text("#case-state").await, "已分派");
    assert!(b.text("#case-agency").await.contains("市场监督管理局"));
    b.log_out().await;

    // the officer: opens, suspends, resumes, asks for an extension
    b.log_in(&base, "li", kuaiwei_e2e::TEST_PASSWORD, "/work")
        .await;
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
    b.log_in(&base, "wang", kuaiwei_e2e::TEST_PASSWORD, "/work")
        .await;
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
    b.log_in(
        &base,
        "li",
        kuaiwei_e2e::TEST_PASSWORD,
        &format!("/work/cases/{n}"),
    )
    .await;
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
    b.log_in(&base, "admin2", kuaiwei_e2e::TEST_PASSWORD, "/work/admin")
        .await;
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
    // next year's holiday calendar: a bad file is refused with the line at fault and nothing
    // installed; a good one shows what it changes, and installing it takes 2027 out of the
    // provisional years at once
    b.goto(&format!("{base}/work/admin/calendar")).await;
    b.wait_for("document.getElementById('years') !== null")
        .await;
    assert!(b.text("#years").await.contains("暂定"), "2027 provisional");
    let files = TempDir::new("browser-calendar");
    let bad = files.path().join("2027.toml");
    std::fs::write(&bad, Y2027.replace("2027-01-02", "2027-13-02")).unwrap();
    b.set_files("#c-file", &[bad]).await;
    b.eval("window.__stepped = true; document.getElementById('c-file').form.querySelector('button[type=submit]').click(); true")
        .await;
    b.wait_for("window.__stepped !== true").await;
    let refusal = b.text("#calendar-error").await;
    assert!(
        refusal.contains("第 7 行") || refusal.contains("第7行"),
        "{refusal}"
    );
    b.assert_accessible(axe.as_deref(), "the calendar refused")
        .await;
    let good = files.path().join("2027-good.toml");
    std::fs::write(&good, Y2027).unwrap();
    b.set_files("#c-file", &[good]).await;
    b.eval("window.__stepped = true; document.getElementById('c-file').form.querySelector('button[type=submit]').click(); true")
        .await;
    b.wait_for("window.__stepped !== true && document.getElementById('install') !== null")
        .await;
    assert!(
        b.text("#changes").await.contains("休息日 → 工作日")
            || b.text("#preview").await.contains("2027")
    );
    b.assert_accessible(axe.as_deref(), "the calendar preview")
        .await;
    b.eval("window.__stepped = true; document.getElementById('install').click(); true")
        .await;
    b.wait_for("window.__stepped !== true && document.querySelector('.flash') !== null")
        .await;
    let years = b.text("#years").await;
    assert!(
        years.contains("2027") && years.contains("测试"),
        "2027 from the file: {years}"
    );
    for page in [
        "/work/admin/keys",
        "/work/admin/audit",
        "/work/rules",
        "/work/admin/messages",
    ] {
        b.goto(&format!("{base}{page}")).await;
        b.wait_for("document.querySelector('h1') !== null").await;
        b.assert_accessible(axe.as_deref(), page).await;
    }
    // a message given up on: the administrator's list, on a phone and at desk width
    let mut with_mail = kuaiwei_store::conformance::sample(9, "2026-10-15T02:00:00Z", "fair");
    with_mail.messages = vec![kuaiwei_store::NewMessage {
        channel: "email".into(),
        recipient: "li.na@example.com".into(),
        shown_to: "l***@example.com".into(),
        lang: "zh-CN".into(),
        notice: serde_json::json!({"kind": "received", "token": "t"}),
        staff: None,
        dedup_key: None,
    }];
    let mailed = app.store.submit_complaint(with_mail).await.unwrap();
    let due = app
        .store
        .due_messages(jiff::Timestamp::now(), 10)
        .await
        .unwrap();
    let id = due
        .iter()
        .find(|m| m.case_number.as_ref() == Some(&mailed.case_number))
        .unwrap()
        .id;
    app.store
        .record_delivery(
            id,
            jiff::Timestamp::now(),
            kuaiwei_store::DeliveryOutcome::Failed,
            "smtp 550 5.1.1 mailbox unavailable",
        )
        .await
        .unwrap();
    b.goto(&format!("{base}/work/admin/messages")).await;
    b.wait_for("document.getElementById('failed-messages') !== null")
        .await;
    assert!(b.text("main").await.contains("550 5.1.1"));
    b.assert_accessible(axe.as_deref(), "the undelivered messages")
        .await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.viewport(false).await;
    b.screenshot(&shots.join(format!("messages-390-{:?}.png", app.backend)))
        .await;
    b.viewport(true).await;
    b.screenshot(&shots.join(format!("messages-1280-{:?}.png", app.backend)))
        .await;
    b.log_out().await;

    // an officer of customs: no trace anywhere
    b.log_in(&base, "zhao", kuaiwei_e2e::TEST_PASSWORD, "/work?tab=all")
        .await;
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
