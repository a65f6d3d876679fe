// Agreement page: review steps and the handwritten signature (signature_pad on a canvas; mouse, pen
// and touch). Strokes are sent as points in CSS pixels with the canvas size, and drawn as vectors.
(function () {
  "use strict";
  var root = document.getElementById("agreement");
  if (!root) return;
  var id = root.dataset.id, version = parseInt(root.dataset.version, 10);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var errorBox = document.getElementById("ag-error");

  function api(method, path, body) {
    return fetch(path, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }
  function fail(err) {
    errorBox.hidden = false;
    errorBox.textContent = (err && (err.message_local || err.message)) || String(err);
  }
  function reload() { window.location.reload(); }

  document.querySelectorAll("[data-step]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var step = btn.dataset.step, body = { version: version };
      if (step === "return") body.comments = document.getElementById("ag-return-comments").value;
      if (step === "void") body.reason = document.getElementById("ag-void-reason").value;
      if (step === "seal") {  // sealing re-authenticates (password, or TOTP code)
        var pw = document.getElementById("ag-seal-password"), code = document.getElementById("ag-seal-code");
        if (pw) body.password = pw.value;
        if (code) body.code = code.value;
      }
      btn.disabled = true;
      api("POST", "/api/v1/agreements/" + id + "/" + step, body).then(reload)
        .catch(function (e) { btn.disabled = false; fail(e); });
    });
  });

  var canvas = document.getElementById("sign-pad");
  if (!canvas || !window.SignaturePad) return;
  var pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: "#0d1a5a" });
  function resize() {  // keep strokes crisp on high-density screens; clears the pad
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
  }
  window.addEventListener("resize", resize);
  resize();
  document.getElementById("sign-clear").addEventListener("click", function () { pad.clear(); });
  document.getElementById("sign-submit").addEventListener("click", function () {
    if (pad.isEmpty()) { fail(document.getElementById("sign-box").dataset.empty || "empty"); return; }
    var strokes = pad.toData().map(function (group) {
      return group.points.map(function (p) { return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]; });
    });
    api("POST", "/api/v1/agreements/" + id + "/sign", { version: version,
      signature: { width: canvas.offsetWidth, height: canvas.offsetHeight, strokes: strokes } })
      .then(reload).catch(fail);
  });
})();
