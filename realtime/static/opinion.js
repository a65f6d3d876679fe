// Opinion watch (issue 14): watch a post, record a snapshot with the phone's camera (multipart),
// record the reply to a negative post, copy the summary. Every committed opinion./grade. event
// re-fetches the section through Concord.reload, so every browser in the room sees the same table.
(function () {
  "use strict";
  if (!window.Concord) return;
  var C = window.Concord;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function refresh() {
    var sec = document.getElementById("opinion");
    if (sec && sec.dataset.fragment) C.reload(sec, sec.dataset.fragment);
  }

  C.onEvent(function (ev) {
    var t = ev.type || "";
    if (t.indexOf("opinion.") === 0 || t === "grade.changed") refresh();
  });

  function fail(form, x) {
    var err = form.querySelector(".op-error");
    if (err) err.textContent = C.errorText(x);
  }

  function done(form) {
    var err = form.querySelector(".op-error");
    if (err) err.textContent = "";
    refresh();
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList) return;
    if (form.classList.contains("op-source-form")) {
      e.preventDefault();
      C.api("POST", form.dataset.path, { platform: form.elements.platform.value, url: form.elements.url.value.trim(),
                                         title: form.elements.title.value.trim(), negative: form.elements.negative.checked })
        .then(function () { done(form); }).catch(function (x) { fail(form, x); });
    } else if (form.classList.contains("op-reply-form")) {
      e.preventDefault();
      var body = { text: form.elements.text.value.trim() };
      if (form.elements.url.value.trim()) body.url = form.elements.url.value.trim();
      C.api("POST", form.dataset.path, body).then(function () { done(form); }).catch(function (x) { fail(form, x); });
    } else if (form.classList.contains("op-snap")) {
      e.preventDefault();
      var fd = new FormData();
      ["reads", "reposts", "comments", "likes"].forEach(function (m) {
        var v = form.elements[m].value.trim();
        if (v !== "") fd.append(m, v);
      });
      var f = form.elements.screenshot.files[0];
      if (f) fd.append("screenshot", f);
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.dataset.path, { method: "POST", body: fd, credentials: "same-origin",
                                 headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
        .then(function () { done(form); })
        .catch(function (x) { fail(form, x); })
        .then(function () { button.disabled = false; });
    }
  });

  document.addEventListener("click", function (e) {
    var b = e.target;
    if (!b.classList || !b.classList.contains("op-copy")) return;
    var box = document.getElementById(b.dataset.target);
    if (!box) return;
    var ok = function () { b.textContent = b.dataset.done; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(box.value).then(ok, function () { box.select(); document.execCommand("copy"); ok(); });
    } else { box.select(); document.execCommand("copy"); ok(); }
  });
})();
