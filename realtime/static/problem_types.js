// /admin/problem-types: add a group or a type, stop or resume using a type (JSON API, CSRF header).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var error = document.getElementById("pt-error");
  function send(method, path, body) {
    return fetch(path, { method: method, credentials: "same-origin", body: JSON.stringify(body),
                         headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(function () { window.location.reload(); })
      .catch(function (err) { error.textContent = (err && (err.message_local || err.message)) || String(err); });
  }
  document.querySelectorAll(".pt-add").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { name: form.elements.name.value };
      if (form.elements.parent_id) body.parent_id = parseInt(form.elements.parent_id.value, 10);
      send("POST", "/api/v1/problem-types", body);
    });
  });
  document.querySelectorAll(".pt-toggle").forEach(function (btn) {
    btn.addEventListener("click", function () {
      send("PATCH", "/api/v1/problem-types/" + btn.dataset.id, { active: btn.dataset.active !== "true" });
    });
  });
})();
