// Live incident page: applies each committed timeline event exactly once, in sequence order,
// and catches up after a reconnect by asking for the events after the last one it holds.
(function () {
  "use strict";
  var root = document.getElementById("incident");
  if (!root) return;
  var incidentId = parseInt(root.dataset.incidentId, 10);
  var lastSeq = parseInt(root.dataset.lastSeq, 10) || 0;
  var labels = window.CONCORD_EVENT_LABELS || {};
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var handlers = [];
  var liveState = document.getElementById("live-state");

  function detail(ev) {
    var p = ev.payload || {};
    if (p.summary) return String(p.summary);
    if (p.text) return String(p.text).slice(0, 200);
    if (p.from !== undefined && p.to !== undefined) return p.from + " \u2192 " + p.to;
    return "";
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(iso) {
    var d = new Date(iso);
    return pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function render(ev) {
    var li = document.createElement("li");
    li.className = "event ev-" + ev.type.replace(/\./g, "-") + " fresh";
    li.dataset.seq = ev.seq;
    var parts = [["seq", "#" + ev.seq], ["time", fmt(ev.at)], ["actor", ev.actor.name],
                 ["what", labels[ev.type] || ev.type], ["detail", detail(ev)]];
    parts.forEach(function (p) {
      var el = document.createElement(p[0] === "time" ? "time" : "span");
      if (p[0] !== "time") el.className = p[0];
      el.textContent = p[1];
      li.appendChild(el);
    });
    return li;
  }

  var pending = {};
  function apply(ev) {
    if (ev.incident_id !== incidentId || ev.seq <= lastSeq) return;  // duplicate: already applied
    pending[ev.seq] = ev;
    while (pending[lastSeq + 1]) {  // apply strictly in order; a gap waits for the catch-up
      var next = pending[lastSeq + 1];
      delete pending[lastSeq + 1];
      lastSeq = next.seq;
      root.dataset.lastSeq = lastSeq;
      var list = document.getElementById("timeline");
      if (list) list.insertBefore(render(next), list.firstChild);
      if (next.type === "grade.changed" && next.payload.to) {
        document.getElementById("grade").textContent = next.payload.to;
        var tg = document.getElementById("triage-grade");
        if (tg) tg.textContent = next.payload.to;
        root.className = root.className.replace(/grade-[A-F]/, "grade-" + next.payload.to);
      }
      handlers.forEach(function (h) { try { h(next); } catch (e) { console.error(e); } });
    }
    if (Object.keys(pending).length) join();  // a gap: ask the server for what we missed
  }

  var socket = io({ transports: ["websocket", "polling"] });
  function join() {
    socket.emit("join", { incident_id: incidentId, after: lastSeq }, function (reply) {
      if (!reply || !reply.ok) { console.warn("join refused", reply); return; }
      (reply.events || []).forEach(apply);
    });
  }
  socket.on("connect", function () {
    liveState.textContent = liveState.dataset.online;
    liveState.className = "live on";
    join();
  });
  socket.on("disconnect", function () {
    liveState.textContent = liveState.dataset.offline;
    liveState.className = "live off";
  });
  socket.on("timeline", apply);

  function api(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw j; return j; });
    });
  }

  var noteForm = document.getElementById("note-form");
  if (noteForm) {
    noteForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = document.getElementById("note-text");
      api("POST", "/api/v1/incidents/" + incidentId + "/notes", { text: input.value })
        .then(function () { input.value = ""; })
        .catch(function (err) { alert(err.message || "error"); });
    });
  }

  window.Concord = {
    incidentId: incidentId, socket: socket, api: api,
    onEvent: function (fn) { handlers.push(fn); },
    lastSeq: function () { return lastSeq; }
  };
})();
