// Ledger and closing sections: payments with a proof file (multipart), the 收条 signed on the pad
// (signature_pad, loaded on first use), waivers; every committed ledger/closing/demand/agreement event
// re-fetches both sections, so every browser in the room sees the same totals and checklist.
// (The closing section's plain forms are .b2-form, posted by demands.js.)
(function () {
  "use strict";
  if (!window.Concord) return;
  var C = window.Concord;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var PREFIXES = ["ledger.", "closing.", "archive.", "demand.", "agreement.", "status.", "callback.", "reply."];

  function refresh(id) {
    var sec = document.getElementById(id);
    if (sec && sec.dataset.fragment) C.reload(sec, sec.dataset.fragment);
  }

  C.onEvent(function (ev) {
    var t = ev.type || "";
    if (PREFIXES.some(function (p) { return t.indexOf(p) === 0; })) { refresh("ledger"); refresh("closing"); }
  });

  function showError(form, err) {
    var el = form.querySelector(".ledger-error");
    var msg = C.errorText(err);
    if (el) el.textContent = msg; else alert(msg);
  }

  // A refusal fixed by the next try must not stay on screen next to the recorded payment.
  function cleared(form) {
    return function () { form.querySelectorAll(".ledger-error").forEach(function (el) { el.textContent = ""; }); };
  }

  function fields(form) {
    var out = {};
    ["amount", "method", "paid_on", "reference"].forEach(function (k) {
      var el = form.elements[k];
      if (el && el.value !== "") out[k] = el.value;
    });
    return out;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("closing-status")) {  // resolve / close / reopen through the gate
      e.preventDefault();
      var body = { status: e.submitter ? e.submitter.value : "closed", version: parseInt(form.dataset.version, 10) };
      ["reason", "override_reason"].forEach(function (k) {
        if (form.elements[k] && form.elements[k].value) body[k] = form.elements[k].value;
      });
      var list = form.querySelector(".closing-open");
      list.textContent = "";
      C.api("POST", form.dataset.path, body).catch(function (err) {
        var items = (err && err.open_items) || [];
        var lines = items.length ? items.map(function (i) { return i.text; })
                                 : [(err && (err.message_local || err.message)) || String(err)];
        lines.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; list.appendChild(li); });
      });
      return;
    }
    if (form.classList.contains("ledger-waive")) {
      e.preventDefault();
      C.api("POST", form.dataset.path, { reason: form.elements.reason.value }).then(cleared(form)).catch(function (err) { showError(form, err); });
      return;
    }
    if (!form.classList.contains("ledger-pay")) return;
    e.preventDefault();
    var fd = new FormData();
    var data = fields(form);
    Object.keys(data).forEach(function (k) { fd.append(k, data[k]); });
    var f = form.elements.file.files[0];
    if (f) fd.append("file", f);
    fetch(form.dataset.path + "/payments", { method: "POST", body: fd, credentials: "same-origin",
                                             headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(cleared(form)).catch(function (err) { showError(form, err); });
  });

  function withPad(done) {
    if (window.SignaturePad) { done(); return; }
    var sec = document.getElementById("ledger");
    var s = document.createElement("script");
    s.src = sec.dataset.padScript;
    s.onload = done;
    document.head.appendChild(s);
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-receipt]") : null;
    if (!btn) return;
    var form = btn.closest("form");
    var box = form.querySelector(".receipt-box");
    box.hidden = false;
    withPad(function () {
      var canvas = box.querySelector("canvas");
      if (canvas._pad) return;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      var pad = canvas._pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: "#0d1a5a" });
      box.querySelector("[data-pad-clear]").addEventListener("click", function () { pad.clear(); });
      box.querySelector("[data-pad-submit]").addEventListener("click", function () {
        var strokes = pad.toData().map(function (g) {
          return g.points.map(function (p) { return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]; });
        });
        var body = fields(form);
        body.signature = { width: canvas.offsetWidth, height: canvas.offsetHeight, strokes: strokes };
        C.api("POST", form.dataset.path + "/receipt", body).then(cleared(form)).catch(function (err) { showError(form, err); });
      });
    });
  });
})();
