// Written reply section: draft, save, approve, issue through Concord.api; every committed reply.*
// event re-fetches the section, so every browser in the room sees the same state.
(function () {
  "use strict";
  if (!window.Concord) return;
  var C = window.Concord;

  function refresh() {
    var sec = document.getElementById("replies");
    if (sec && sec.dataset.fragment) C.reload(sec, sec.dataset.fragment);
  }

  C.onEvent(function (ev) { if ((ev.type || "").indexOf("reply.") === 0) refresh(); });

  function fail(el, x) {
    var box = el.closest("article, section").querySelector(".rp-error");
    var msg = C.errorText(x);
    if (box) box.textContent = msg;
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest(".rp-action") : null;
    if (!btn) return;
    var body = btn.dataset.version ? { version: parseInt(btn.dataset.version, 10) } : {};
    btn.disabled = true;
    C.api("POST", btn.dataset.path, body).then(refresh).catch(function (x) { btn.disabled = false; fail(btn, x); });
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("rp-edit")) return;
    e.preventDefault();
    var measures = form.measures.value.split("\n").map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
    C.api("PATCH", form.dataset.path, { facts: form.facts.value, measures: measures,
                                        version: parseInt(form.dataset.version, 10) })
      .then(refresh).catch(function (x) { fail(form, x); });
  });
})();
