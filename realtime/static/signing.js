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

  // -- board (issue 12): the whole agreement is read to its end and agreed to before the pad signs.
  var canvas = document.getElementById("sign-pad");
  if (!canvas || !window.SignaturePad) return;
  var box = document.getElementById("sign-box");
  var agree = document.getElementById("sign-agree"), submit = document.getElementById("sign-submit");
  var reader = document.getElementById("ag-read"), end = document.getElementById("ag-read-end");
  function readToEnd() {
    agree.disabled = false;
    var hint = document.getElementById("ag-read-hint");
    if (hint) hint.hidden = true;
  }
  if (window.IntersectionObserver && reader && end) {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) readToEnd();
    }, { root: reader, threshold: 0.5 }).observe(end);
  } else {
    readToEnd();
  }
  agree.addEventListener("change", function () { submit.disabled = !agree.checked; });

  // Strokes are kept as vectors in the pad's first size (`ref`), and redrawn scaled after every resize
  // or rotation, so a signature survives the address bar hiding and the phone turning; undo drops the
  // last stroke. What is submitted is always the same vectors, whatever the pad's size at the time.
  var pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: "#0d1a5a" });
  var ref = null, strokes = [];
  function scale() {
    if (!ref) return 1;
    return Math.min(canvas.offsetWidth / ref.w, canvas.offsetHeight / ref.h) || 1;
  }
  function round(v) { return Math.round(v * 10) / 10; }
  function redraw() {
    var s = scale();
    if (!strokes.length) { pad.clear(); return; }
    pad.fromData(strokes.map(function (g) {
      return { penColor: g.penColor, dotSize: g.dotSize, minWidth: g.minWidth, maxWidth: g.maxWidth,
               velocityFilterWeight: g.velocityFilterWeight, compositeOperation: g.compositeOperation,
               points: g.points.map(function (p) { return { x: p.x * s, y: p.y * s, time: p.time, pressure: p.pressure }; }) };
    }), { clear: true });
  }
  function resize() {  // crisp on high-density screens; the strokes are drawn again at the new size
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    if (canvas.width === canvas.offsetWidth * ratio && canvas.height === canvas.offsetHeight * ratio) return;
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    redraw();
  }
  pad.addEventListener("endStroke", function () {
    if (!ref) ref = { w: canvas.offsetWidth, h: canvas.offsetHeight };
    var data = pad.toData(), g = data[data.length - 1], s = scale();
    if (!g) return;
    var copy = {};
    Object.keys(g).forEach(function (k) { copy[k] = g[k]; });
    copy.points = g.points.map(function (p) { return { x: round(p.x / s), y: round(p.y / s), time: p.time, pressure: p.pressure }; });
    strokes.push(copy);
  });
  window.addEventListener("resize", resize);
  window.addEventListener("orientationchange", resize);
  if (window.ResizeObserver) new ResizeObserver(resize).observe(canvas);
  resize();
  document.getElementById("sign-undo").addEventListener("click", function () { strokes.pop(); redraw(); });
  document.getElementById("sign-clear").addEventListener("click", function () { strokes = []; ref = null; redraw(); });
  function payload() {
    return { width: ref ? ref.w : canvas.offsetWidth, height: ref ? ref.h : canvas.offsetHeight,
             strokes: strokes.map(function (g) { return g.points.map(function (p) { return [p.x, p.y]; }); }) };
  }
  window.ConcordSignature = { payload: payload, isEmpty: function () { return pad.isEmpty(); } };
  submit.addEventListener("click", function () {
    if (!agree.checked) { fail(box.dataset.unread || "agree"); return; }
    if (!strokes.length) { fail(box.dataset.empty || "empty"); return; }
    api("POST", "/api/v1/agreements/" + id + "/sign", { version: version, agreed: true, signature: payload() })
      .then(reload).catch(fail);
  });
})();
