// Task-group section of the command board: live formation countdown, seat changes through the
// API, consent and recordings; the live part is re-fetched from the server after timeline events.
(function () {
  "use strict";
  var box = document.getElementById("taskgroup");
  if (!box || !window.Concord) return;
  var incidentId = box.dataset.incidentId;
  var base = "/api/v1/incidents/" + incidentId + "/taskgroup";
  var live = document.getElementById("taskgroup-live");
  var errorEl = document.getElementById("tg-error");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function showError(err) {
    var msg = (err && (err.message_local || err.message)) || String(err);
    if (err && err.error === "conflict") msg = msg + " — " + box.dataset.conflict;
    errorEl.textContent = msg;
    errorEl.hidden = false;
    var field = err && err.field && box.querySelector('[name="' + err.field + '"]');
    if (field) field.focus();
  }
  function clearError() { errorEl.hidden = true; errorEl.textContent = ""; }

  // --- formation countdown -------------------------------------------------------------
  function tick() {
    var el = document.getElementById("tg-clock");
    if (!el) return;
    var left = Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000);
    var over = left < 0;
    el.textContent = window.ConcordClock.countdown(left * 1000);
    el.parentNode.classList.toggle("overdue", over);
  }
  tick();
  setInterval(tick, 1000);

  // --- live refresh (keeps the presence marks A2's board.js put on data-user-id) ---------
  var pending = null;
  function refresh() {
    return fetch("/incidents/" + incidentId + "/taskgroup/section",
                 { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        // Presence marks: from board.js's last presence list when it offers one, else carried over.
        var online = {};
        if (window.Concord.presence) {
          window.Concord.presence().forEach(function (u) { online[String(u.id)] = 1; });
        } else {
          live.querySelectorAll("[data-user-id].online").forEach(function (el) { online[el.dataset.userId] = 1; });
        }
        live.innerHTML = html;
        live.querySelectorAll("[data-user-id]").forEach(function (el) {
          if (online[el.dataset.userId]) el.classList.add("online");
        });
        tick();
        document.dispatchEvent(new CustomEvent("concord:section-updated", { detail: { section: "taskgroup" } }));
      })
      .catch(function (e) { console.warn("task group refresh failed", e); });
  }
  window.Concord.onEvent(function () {
    // Any event may change a figure (grade, open items); coalesce bursts into one fetch.
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () { pending = null; refresh(); }, 150);
  });

  function after(promise) {
    return promise.then(function (j) { clearError(); return refresh().then(function () { return j; }); })
      .catch(function (err) { showError(err); if (err && err.error === "conflict") refresh(); throw err; });
  }

  // --- seats --------------------------------------------------------------------------
  var form = document.getElementById("tg-assign-form");
  function sync() {
    if (!form) return;
    var aux = form.seat.value === "auxiliary";
    form.querySelector(".tg-label-field").hidden = !aux;
    form.querySelector(".tg-outside").hidden = form.user_id.value !== "";
  }
  function heldRow(seat, label) {
    var rows = live.querySelectorAll("li.tg-seat[data-assignment-id]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].dataset.seat === seat && rows[i].dataset.label === label) return rows[i];
    }
    return null;
  }
  if (form) {
    form.seat.addEventListener("change", sync);
    form.user_id.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var seat = form.seat.value, label = seat === "auxiliary" ? form.label.value.trim() : "";
      var body = form.user_id.value ? { user_id: parseInt(form.user_id.value, 10) }
        : { outside_name: form.outside_name.value, outside_phone: form.outside_phone.value };
      var row = heldRow(seat, label);
      var call = row
        // The tenure id we are looking at is the optimistic check: if someone changed the
        // seat meanwhile, the server answers 409 with the current holder.
        ? window.Concord.api("POST", base + "/seats/" + row.dataset.assignmentId + "/replace", body)
        : window.Concord.api("POST", base + "/seats", Object.assign({ seat: seat, label: label }, body));
      after(call).then(function () { form.outside_name.value = ""; form.outside_phone.value = ""; })
        .catch(function () {});
    });
  }
  live.addEventListener("click", function (e) {
    var btn = e.target.closest("button");
    if (!btn) return;
    var row = btn.closest("li.tg-seat");
    if (btn.classList.contains("tg-release")) {
      if (!window.confirm(box.dataset.confirmRelease)) return;
      after(window.Concord.api("POST", base + "/seats/" + row.dataset.assignmentId + "/release", {}))
        .catch(function () {});
    } else if (btn.classList.contains("tg-handover") && form) {
      form.seat.value = row.dataset.seat;
      form.label.value = row.dataset.label;
      sync();
      document.getElementById("tg-assign-box").open = true;
      form.user_id.focus();
    }
  });

  // --- consent and recordings ---------------------------------------------------------------
  var consent = document.getElementById("tg-consent-form");
  if (consent) {
    consent.addEventListener("submit", function (e) {
      e.preventDefault();
      after(window.Concord.api("POST", base + "/consents", {
        consented_by: consent.consented_by.value, method: consent.method.value, note: consent.note.value
      })).then(function () { consent.reset(); document.getElementById("tg-consent-box").open = false; })
        .catch(function () {});
    });
  }
  var rec = document.getElementById("tg-recording-form");
  if (rec) {
    rec.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new FormData(rec);
      var call = fetch(base + "/recordings", {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
      }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
      after(call).then(function () { rec.reset(); }).catch(function () {});
    });
  }
})();
