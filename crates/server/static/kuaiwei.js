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
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-busy");
      }
    });
  });
  // Move focus to an error summary, so that screen readers and keyboards start there.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // A print button, shown only where it works.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
