// Live incident page: applies each committed timeline event exactly once, in sequence order,
// and catches up after a reconnect by asking for the events after the last one it holds.
(function () {
  "use strict";
  var root = document.getElementById("incident");
  if (!root) return;
  var incidentId = parseInt(root.dataset.incidentId, 10);
  var lastSeq = parseInt(root.dataset.lastSeq, 10) || 0;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var handlers = [];
  var liveState = document.getElementById("live-state");

  // Words come with every event, rendered by the server in each language (the one event renderer).
  var lang = document.documentElement.lang === "en" ? "en" : "zh_CN";
  function words(ev) {
    var w = (ev.words || {})[lang];
    return w || { summary: ev.type, detail: "", actor: ev.actor.name };
  }

  function render(ev) {
    var li = document.createElement("li");
    li.className = "event ev-" + ev.type.replace(/\./g, "-") + " fresh";
    li.dataset.seq = ev.seq;
    var w = words(ev);
    var parts = [["seq", "#" + ev.seq], ["time", window.ConcordClock.format(ev.at)], ["actor", w.actor],
                 ["what", w.summary], ["detail", w.detail]];
    parts.forEach(function (p) {
      var el = document.createElement(p[0] === "time" ? "time" : "span");
      if (p[0] !== "time") el.className = p[0];
      else el.setAttribute("datetime", ev.at);
      el.textContent = p[1];
      li.appendChild(el);
    });
    return li;
  }

  // Events are applied strictly in seq order, each once. A gap (an event arrives before its
  // predecessor, e.g. after a dropped connection) triggers a catch-up over HTTP; the same catch-up
  // runs on every (re)connect through `join` and when the tab wakes up or the network returns.
  var pending = {};
  var lastPresence = null;
  var presenceHandlers = [];
  var syncing = false;
  var retryTimer = null;

  function apply(ev) {
    if (!ev || ev.incident_id !== incidentId || ev.seq <= lastSeq) return;  // duplicate: already applied
    pending[ev.seq] = ev;
    while (pending[lastSeq + 1]) {
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
    if (Object.keys(pending).length) catchUp();
    if (lastPresence) markOnline(lastPresence);  // sections may have re-rendered their seats
  }

  // Fetch every event after lastSeq over HTTP (works whatever the socket's state).
  function catchUp() {
    if (syncing) return;
    syncing = true;
    var from = lastSeq;
    api("GET", "/api/v1/incidents/" + incidentId + "/events?after=" + from + "&limit=1000")
      .then(function (reply) {
        syncing = false;
        (reply.events || []).forEach(apply);
        if ((reply.events || []).length === 1000 && lastSeq > from) catchUp();  // more to come
        else scheduleRetry();
      })
      .catch(function () { syncing = false; scheduleRetry(); });
  }
  function scheduleRetry() {  // a gap that the server could not fill yet: try again shortly
    if (retryTimer || !Object.keys(pending).length) return;
    retryTimer = setTimeout(function () { retryTimer = null; catchUp(); }, 2000);
  }

  function markOnline(users) {
    var ids = {};
    users.forEach(function (u) { ids[String(u.id)] = true; });
    document.querySelectorAll("[data-user-id]").forEach(function (el) {
      el.classList.toggle("online", !!ids[el.dataset.userId]);
    });
  }
  function showPresence(msg) {
    if (!msg || msg.incident_id !== incidentId) return;
    lastPresence = msg.users || [];
    markOnline(lastPresence);
    var box = document.getElementById("presence");
    if (box) {
      box.textContent = "";
      lastPresence.forEach(function (u) {
        var li = document.createElement("li");
        li.className = "online";
        li.dataset.presenceUserId = u.id;
        li.textContent = u.name;
        box.appendChild(li);
      });
    }
    presenceHandlers.forEach(function (h) { try { h(lastPresence); } catch (e) { console.error(e); } });
  }

  var socket = io({ transports: ["websocket", "polling"] });
  function join() {
    socket.emit("join", { incident_id: incidentId, after: lastSeq }, function (reply) {
      if (!reply || !reply.ok) { console.warn("join refused", reply); return; }
      (reply.events || []).forEach(apply);
      if (reply.users) showPresence({ incident_id: incidentId, users: reply.users });
      if (reply.last_seq > lastSeq) catchUp();  // more than the reply carried
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
  socket.on("presence", showPresence);

  // A phone that slept or lost the network: reconnect if needed, then fetch what was missed.
  function wake() {
    if (!socket.connected) socket.connect();  // its "connect" handler re-joins with `after`
    else catchUp();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") wake();
  });
  window.addEventListener("online", wake);
  window.addEventListener("pageshow", function (e) { if (e.persisted) wake(); });

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
        .catch(function (err) { showError(err); });
    });
  }

  // A refused note says why in the reader's language (message_local), next to the box, not in an alert.
  function showError(err) {
    var box = document.getElementById("note-error");
    var text = (err && (err.message_local || err.message)) || String(err);
    if (box) { box.textContent = text; box.hidden = false; } else { alert(text); }
  }

  // -- board (issue 12): the strip re-renders after every event and notification; countdowns tick;
  // sections without a script of their own (overview, intake) re-fetch their fragment.
  var stripTimer = null;
  function refreshStrip() {
    if (stripTimer) return;
    stripTimer = setTimeout(function () {
      stripTimer = null;
      var strip = document.getElementById("strip");
      if (!strip) return;
      fetchFragment(strip.dataset.refresh, strip);
    }, 300);
  }
  function fetchFragment(url, el) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw r.status; return r.text(); })
      .then(function (html) {
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.firstElementChild;
        while (fresh && fresh.tagName === "LINK") fresh = fresh.nextElementSibling;
        if (fresh && fresh.id === el.id) { el.replaceWith(fresh); tick(); window.ConcordClock.paint(fresh); }
      }).catch(function () { /* the next event tries again */ });
  }
  var OWN = { overview: ["grade.", "intake.", "incident.", "triage."], intake: ["intake.", "readback.", "incident."] };
  function refreshSections(ev) {
    Object.keys(OWN).forEach(function (name) {
      if (!OWN[name].some(function (p) { return ev.type.indexOf(p) === 0; })) return;
      var link = document.querySelector('#board-nav [data-section="' + name + '"]');
      var wrap = document.querySelector('.board-section[data-section="' + name + '"]');
      if (link && wrap && wrap.firstElementChild) fetchFragment(link.dataset.refresh, wrap.firstElementChild);
    });
  }
  var passed = {};  // deadlines already seen past, so each one re-fetches the strip once
  function tick() {
    var now = Date.now(), crossed = false;
    document.querySelectorAll("#strip [data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.countdown);
      if (isNaN(due)) return;
      el.textContent = window.ConcordClock.countdown(due - now);
      if (due <= now && !passed[el.dataset.countdown]) { passed[el.dataset.countdown] = true; crossed = due > now - 2000; }
    });
    if (crossed) refreshStrip();  // a deadline just passed: the overdue count changes without an event
  }
  setInterval(tick, 1000);
  tick();
  handlers.push(function (ev) { refreshStrip(); refreshSections(ev); });
  socket.on("notification", refreshStrip);
  // The section in view is marked in the navigation.
  var nav = document.getElementById("board-nav");
  if (nav && window.IntersectionObserver) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        var name = e.target.dataset.section;
        // only marked: moving the links under a finger that is about to tap would be worse
        nav.querySelectorAll("a").forEach(function (a) { a.classList.toggle("current", a.dataset.section === name); });
      });
    }, { rootMargin: "-40% 0px -55% 0px" });
    document.querySelectorAll(".board-section").forEach(function (el) { seen.observe(el); });
  }

  window.Concord = {
    incidentId: incidentId, socket: socket, api: api,
    onEvent: function (fn) { handlers.push(fn); },
    onPresence: function (fn) { presenceHandlers.push(fn); if (lastPresence) fn(lastPresence); },
    presence: function () { return lastPresence || []; },
    sync: catchUp,
    refreshStrip: refreshStrip,
    // a section re-fetched from its fragment route (replaced in place, its times painted)
    reload: function (el, url) { return fetchFragment(url, el); },
    // the message of a refused request in the user's language
    errorText: function (x) { return (x && (x.message_local || x.message)) || String(x); },
    // a translated message with its %(name)s placeholders filled in (a missing one left empty)
    fmt: function (s, vars) {
      return String(s).replace(/%\((\w+)\)s/g, function (_, k) { return vars[k] === undefined ? "" : vars[k]; });
    },
    // an element with attributes (text: its text, cls: its class) and children (empty ones skipped)
    el: function (tag, attrs, kids) {
      var e = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) {
        if (k === "text") e.textContent = attrs[k]; else if (k === "cls") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
      (kids || []).forEach(function (k) { if (k) e.appendChild(k); });
      return e;
    },
    lastSeq: function () { return lastSeq; }
  };
})();
