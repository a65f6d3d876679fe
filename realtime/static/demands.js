// Samples and split-demand sections: forms post JSON through Concord.api; every committed
// sample./demand./claimant event re-fetches the affected section, so every browser in the room agrees.
(function () {
  "use strict";
  if (!window.Concord) return;
  var C = window.Concord;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function refresh(id) {
    var sec = document.getElementById(id);
    if (sec && sec.dataset.fragment) C.reload(sec, sec.dataset.fragment);
  }

  C.onEvent(function (ev) {
    var t = ev.type || "";
    if (t.indexOf("sample.") === 0) refresh("samples");
    if (t.indexOf("demand.") === 0) refresh("demands");
    if (t.indexOf("claimant") === 0) { refresh("samples"); refresh("demands"); }
  });

  function showError(form, err) {
    var el = form.querySelector(".b2-error");
    // the message in the reader's language names the field in that language too (never the raw key)
    var msg = (err && (err.message_local || err.message)) || String(err);
    if (el) el.textContent = msg; else alert(msg);
  }

  function body(form, submitter) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit" || el.type === "file" || el.hasAttribute("data-path-part")) return;
      if (el.type === "checkbox") { out[el.name] = el.checked; return; }
      if (el.value === "") { if (el.hasAttribute("data-null")) out[el.name] = null; return; }  // "choose…": sent as null
      out[el.name] = el.hasAttribute("data-int") ? parseInt(el.value, 10) : el.value;
    });
    if (submitter && submitter.name) out[submitter.name] = submitter.value;
    return out;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("b2-size")) {
      e.preventDefault();
      var q = new URLSearchParams({ target: form.target.value, assumed: form.assumed.value });
      var out = form.querySelector(".b2-size-result");
      C.api("GET", form.dataset.path + "?" + q.toString()).then(function (r) {
        form.querySelector(".b2-error").textContent = "";
        out.textContent = r.n === null ? out.dataset.none : r.n + " " + out.dataset.label;
      }).catch(function (err) { showError(form, err); });
      return;
    }
    if (!form.classList.contains("b2-form")) return;
    e.preventDefault();
    var path = form.dataset.path;
    if (form.dataset.pathTemplate) {  // the chosen row is part of the path (close a demand item)
      var part = form.querySelector("[data-path-part]");
      if (!part.value) { showError(form, { message_local: form.dataset.empty }); return; }
      path = form.dataset.pathTemplate.replace("{id}", encodeURIComponent(part.value));
    }
    C.api(form.dataset.method, path, body(form, e.submitter)).then(function () {
      var el = form.querySelector(".b2-error");
      if (el) el.textContent = "";
    }).catch(function (err) { showError(form, err); });
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest(".b2-verify") : null;
    if (!btn) return;
    var out = btn.nextElementSibling;
    C.api("GET", btn.dataset.path).then(function (r) {
      var text = r.exit_code === 0 ? btn.dataset.ok : r.exit_code === 2 ? btn.dataset.changed : btn.dataset.bad;
      out.textContent = text + (r.problems.length ? " — " + r.problems.join("; ") : "");
      out.className = "b2-verify-result " + (r.exit_code === 0 ? "ok" : "error");
    }).catch(function (err) { out.textContent = (err && (err.message_local || err.message)) || String(err); });
  });

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("b2-evidence") || !input.files.length) return;
    var fd = new FormData();
    fd.append("file", input.files[0]);
    fetch(input.dataset.path, { method: "POST", body: fd, credentials: "same-origin",
                                headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .catch(function (err) { alert((err && (err.message_local || err.message)) || String(err)); });
  });
})();
