// The public progress page (issue 15): joins the /public namespace with the page's code and, when the
// team publishes an update or moves the stage, fetches the public projection again and redraws.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || typeof io === "undefined") return;
  var code = box.getAttribute("data-code");
  var fmt = function (iso, kind) {
    return window.ConcordClock ? window.ConcordClock.format(iso, kind) : iso;
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function time(iso) {
    var t = el("time", null, fmt(iso, "datetime"));
    t.setAttribute("datetime", iso);
    t.setAttribute("data-clock", "datetime");
    return t;
  }

  function draw(view) {
    var stages = document.getElementById("stages");
    stages.textContent = "";
    view.stages.forEach(function (name, i) {
      var li = el("li", i < view.stage.index ? "done" : (i === view.stage.index ? "current" : ""), name);
      if (i === view.stage.index) li.setAttribute("aria-current", "step");
      stages.appendChild(li);
    });
    document.getElementById("stage-name").textContent = view.stage.name;
    var list = document.getElementById("updates");
    list.textContent = "";
    if (!view.updates.length) list.appendChild(el("li", "empty", box.getAttribute("data-none")));
    view.updates.forEach(function (u) {
      var li = el("li");
      li.appendChild(time(u.at));
      li.appendChild(el("span", "stage-tag", u.stage));
      li.appendChild(el("p", null, u.text));
      list.appendChild(li);
    });
    var next = document.getElementById("next-update");
    next.textContent = "";
    if (view.next_update_due) {
      next.appendChild(time(view.next_update_due));
      if (view.late) {
        var badge = el("span", "badge late", box.getAttribute("data-late"));
        badge.id = "late-flag";
        next.appendChild(badge);
      }
    }
  }

  function refresh() {
    fetch("/api/v1/public/progress?code=" + encodeURIComponent(code), { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (view) { if (view) draw(view); })
      .catch(function () {});
  }

  var socket = io("/public", { auth: { code: code }, transports: ["websocket", "polling"] });
  socket.on("changed", refresh);
  socket.on("connect", function () { box.setAttribute("data-live", "1"); });
})();
