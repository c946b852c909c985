// kuaiwei pages: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  // The tracking link from a receipt's QR code carries the case number and token in the
  // fragment (#n=…&t=…), which never reaches a server: fill the form, drop the fragment from
  // the address bar and history, and ask for the status.
  var track = document.getElementById("track-form");
  if (track && location.hash.length > 1) {
    var params = {};
    location.hash.slice(1).split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); }
    });
    if (params.n && params.t) {
      track.elements.case_number.value = params.n;
      track.elements.tracking_token.value = params.t;
      history.replaceState(null, "", location.pathname + location.search);
      track.submit();
    }
  }
  // One tap files once: the button is disabled while the form is being sent. (The server's
  // idempotency key makes a second send harmless anyway.)
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]:not([data-draft])"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-busy");
      }
    });
  });
  var draftForm = document.querySelector("form[data-draft]");
  if (draftForm) { drafts(draftForm); }
  // Move focus to an error summary, so that screen readers and keyboards start there.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // A print button, shown only where it works.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // The filing form on flaky Wi-Fi. The draft (fields, the chosen files as they are, and the
  // form's idempotency key) is kept in this device's IndexedDB until the receipt arrives, so it
  // survives a reload, a dropped connection and a closed tab. Sending goes over XHR: a send the
  // network cut off, or one made offline, is sent again by itself with the same key, which the
  // server files at most once. Files are sent as chosen: never resized or re-encoded.
  function drafts(form) {
    var box = document.getElementById("draft");
    var text = document.getElementById("draft-text");
    var retryButton = document.getElementById("draft-retry");
    var discardButton = document.getElementById("draft-discard");
    var button = form.querySelector("button[type=submit]");
    var buttonText = button ? button.textContent : "";
    var keyInput = form.elements.idempotency_key;
    var id = "file:" + form.getAttribute("data-draft");
    var fromServer = document.querySelector(".error-summary") !== null;
    var sending = false, timer = null, attempt = 0, saveTimer = null;

    function say(which, vars, buttons) {
      if (!box) { return; }
      var m = box.getAttribute("data-" + which) || "";
      Object.keys(vars || {}).forEach(function (k) { m = m.split("{" + k + "}").join(vars[k]); });
      text.textContent = m;
      box.hidden = m === "";
      retryButton.hidden = !(buttons && buttons.retry);
      discardButton.hidden = !(buttons && buttons.discard);
    }
    function busy(on) {
      if (!button) { return; }
      button.disabled = on;
      button.textContent = on ? form.getAttribute("data-busy") : buttonText;
    }

    // IndexedDB, in promises; every failure is a device that cannot keep drafts
    function store(mode, work) {
      return new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
        var open = indexedDB.open("kuaiwei", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("drafts"); };
        open.onerror = function () { reject(open.error); };
        open.onsuccess = function () {
          var db = open.result, result;
          var tx = db.transaction("drafts", mode);
          var req = work(tx.objectStore("drafts"));
          if (req) { req.onsuccess = function () { result = req.result; }; }
          tx.oncomplete = function () { db.close(); resolve(result); };
          tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        };
      });
    }
    function load() { return store("readonly", function (s) { return s.get(id); }); }
    function drop() { return store("readwrite", function (s) { return s["delete"](id); }); }
    function save(queued) {
      var fields = [], files = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "idempotency_key" || el.disabled) { return; }
        if (el.type === "file") {
          Array.prototype.forEach.call(el.files, function (f) { files.push([el.name, f]); });
        } else if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) { fields.push([el.name, el.value]); }
        } else if (el.type !== "hidden" && el.type !== "submit" && el.type !== "button") {
          fields.push([el.name, el.value]);
        }
      });
      var draft = { key: keyInput.value, fields: fields, files: files, queued: queued, saved: Date.now() };
      return store("readwrite", function (s) { return s.put(draft, id); }).then(null, function () {
        if (!sending) { say("unsaved"); }
      });
    }
    function restore(draft) {
      if (!fromServer) {
        // a fresh form: the draft's answers and its key (a retry of a filed draft is the
        // same complaint); a form the server sent back keeps the server's answers and key
        keyInput.value = draft.key;
        Array.prototype.forEach.call(form.elements, function (el) {
          if (!el.name || el.type === "file" || el.type === "hidden") { return; }
          var values = draft.fields.filter(function (f) { return f[0] === el.name; });
          if (el.type === "radio" || el.type === "checkbox") {
            el.checked = values.some(function (f) { return f[1] === el.value; });
          } else if (values.length) {
            el.value = values[0][1];
          }
        });
      }
      var kept = 0;
      if (window.DataTransfer) {
        Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (el) {
          var dt = new DataTransfer();
          draft.files.forEach(function (f) {
            if (f[0] === el.name) { dt.items.add(f[1]); kept += 1; }
          });
          if (dt.files.length) { el.files = dt.files; }
        });
      }
      var again = document.getElementById("files-again");
      if (again && kept) { again.hidden = true; }
      return kept;
    }

    function send() {
      clearTimeout(timer);
      sending = true;
      busy(true);
      say("sending", { pct: "" });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { say("sending", { pct: Math.floor(100 * e.loaded / e.total) + "%" }); }
      };
      xhr.onload = function () {
        var url = xhr.responseURL ? new URL(xhr.responseURL) : null;
        if (xhr.status === 200 && url && url.pathname === "/receipt") {
          // filed: the draft has done its work
          var go = function () { location.replace(url.href); };
          drop().then(go, go);
          return;
        }
        if ([408, 429, 502, 503, 504].indexOf(xhr.status) >= 0) {
          later(parseInt(xhr.getResponseHeader("Retry-After"), 10));
          return;
        }
        // a page to read (errors beside their fields, a refusal): shown in place of this one
        sending = false;
        save(false).then(function () { show(xhr.responseText); });
      };
      xhr.onerror = xhr.ontimeout = function () { later(); };
      xhr.send(new FormData(form));
    }
    // sent again by itself, sooner when the device says it is back online
    function later(seconds) {
      attempt += 1;
      var wait = seconds > 0 ? seconds : Math.min(2 * attempt, 15);
      busy(false);
      if (button) { button.disabled = true; }
      if (navigator.onLine === false) {
        say("offline", {}, { retry: true });
      } else {
        say("retrying", { secs: wait }, { retry: true });
      }
      clearTimeout(timer);
      timer = setTimeout(send, wait * 1000);
    }
    function show(html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var main = page.querySelector("main");
      if (!main) { location.reload(); return; }
      document.title = page.title;
      document.querySelector("main").replaceWith(main);
      var form2 = main.querySelector("form[data-draft]");
      if (form2) { drafts(form2); }
      var summary = main.querySelector("[data-focus]");
      if (summary) { summary.focus(); } else { main.focus(); }
    }

    window.addEventListener("online", function () {
      if (sending) { send(); }
    });
    retryButton.addEventListener("click", function () { if (sending) { send(); } });
    discardButton.addEventListener("click", function () {
      var again = function () { location.reload(); };
      drop().then(again, again);
    });
    form.addEventListener("input", function () {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(function () { save(sending); }, 400);
    });
    // an answer changed while a send waits keeps the draft queued
    form.addEventListener("change", function () { save(sending); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (sending) { return; }
      sending = true;
      attempt = 0;
      var go = function () {
        if (navigator.onLine === false) { later(); } else { send(); }
      };
      save(true).then(go, go);
    });

    load().then(function (draft) {
      if (!draft) { return; }
      var kept = restore(draft);
      if (draft.queued) {
        // sent while offline, then the page was closed or reloaded: send it now
        sending = true;
        send();
      } else if (!fromServer) {
        say("restored", {}, { discard: true });
      } else if (kept) {
        say("files-kept");
      }
      save(draft.queued);
    }, function () { say("unsaved"); });
  }
})();
