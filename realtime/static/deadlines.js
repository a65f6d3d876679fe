// Deadlines section: live countdowns (red once overdue), refresh on playbook-related timeline
// events, tick steps with their evidence, add/drop playbooks; and toasts for "notification"
// events of this user's room (user:<id>), on the incident page and the inbox page.
(function () {
  "use strict";
  var C = window.Concord;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function toastBox() {
    var box = document.querySelector(".concord-toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "concord-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  }

  function toast(n) {
    var el = document.createElement("div");
    el.className = "concord-toast";
    var a = document.createElement("a");
    a.href = n.url || "/inbox";
    a.textContent = n.text || "";
    el.appendChild(a);
    toastBox().appendChild(el);
    setTimeout(function () { el.remove(); }, 10000);
    var count = document.getElementById("unread-count");
    if (count) count.dataset.fresh = String((parseInt(count.dataset.fresh || "0", 10) || 0) + 1);
    var badge = document.getElementById("nav-unread");  // the navigation's unread badge (issue 12)
    if (badge) {
      var n = (parseInt(badge.dataset.count || "0", 10) || 0) + 1;
      badge.dataset.count = String(n);
      badge.textContent = String(n);
      badge.hidden = false;
    }
  }

  var socket = C ? C.socket : (window.io ? io({ transports: ["websocket", "polling"] }) : null);
  if (socket) socket.on("notification", toast);
  window.ConcordToasts = { show: toast, socket: socket };  // socket: also used by session.js

  function section() { return document.getElementById("deadlines"); }

  function paint() {
    var sec = section();
    if (!sec) return;
    var now = Date.now();
    sec.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var ms = Date.parse(el.dataset.due) - now;
      el.textContent = window.ConcordClock.countdown(ms);
      var row = el.closest(".deadline, .step");
      if (row) row.classList.toggle("overdue", ms <= 0);
    });
  }

  function bind() {
    var sec = section();
    if (!sec || !C) return;
    var id = C.incidentId;
    sec.querySelectorAll(".tick-form").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var fd = new FormData(form);
        fetch("/api/v1/incidents/" + id + "/checklist/" + form.dataset.itemId + "/tick", {
          method: "POST", credentials: "same-origin", body: fd,
          headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
        }).then(function (r) {
          return r.json().then(function (j) { if (!r.ok) throw j; return j; });
        }).then(refresh).catch(function (err) { alert((err && (err.message_local || err.message)) || "error"); });
      });
    });
    var add = document.getElementById("add-playbook");
    if (add) add.addEventListener("submit", function (e) {
      e.preventDefault();
      C.api("POST", "/api/v1/incidents/" + id + "/playbooks", { playbook: add.playbook.value })
        .then(refresh).catch(function (err) { alert((err && (err.message_local || err.message)) || "error"); });
    });
    sec.querySelectorAll(".drop-playbook").forEach(function (b) {
      b.addEventListener("click", function () {
        C.api("DELETE", "/api/v1/incidents/" + id + "/playbooks/" + encodeURIComponent(b.dataset.key))
          .then(refresh).catch(function (err) { alert((err && (err.message_local || err.message)) || "error"); });
      });
    });
    paint();
  }

  var pending = null;
  function refresh() {
    var sec = section();
    if (!sec) return;
    if (pending) return;
    pending = fetch(sec.dataset.refresh, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("deadlines");
        if (fresh) { section().replaceWith(fresh); bind(); }
      }).finally(function () { pending = null; });
  }

  var RELEVANT = /^(playbook\.|taskgroup\.|agreement\.|grade\.changed|status\.changed)/;
  if (C) C.onEvent(function (ev) { if (RELEVANT.test(ev.type)) refresh(); });
  bind();
  setInterval(paint, 1000);
})();
