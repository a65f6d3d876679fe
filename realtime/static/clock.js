// The one browser clock: every time a page shows is formatted here, in the installation's display
// zone (not the device's), with the same formats and words as the server (incident/clock.py).
// <time data-clock="datetime|time|date|seconds" datetime="ISO"> elements are filled on load;
// scripts call ConcordClock.format(iso, kind) and ConcordClock.countdown(msLeft).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="concord-clock"]');
  var cfg = meta ? JSON.parse(meta.content) : {};
  var zone = cfg.zone || "Asia/Shanghai";
  var words = cfg.words || { s: "%(n)s s", min: "%(n)s min", h: "%(n)s h", d: "%(n)s d",
                             left: "%(span)s left", overdue: "overdue by %(span)s" };
  var fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });

  function fields(date) {
    var out = {};
    fmt.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  function format(value, kind) {
    if (!value) return "";
    var d = value instanceof Date ? value : new Date(value);
    if (isNaN(d.getTime())) return "";
    var f = fields(d), date = f.year + "-" + f.month + "-" + f.day, time = f.hour + ":" + f.minute;
    switch (kind || "datetime") {
      case "time": return time;
      case "date": return date;
      case "seconds": return date + " " + time + ":" + f.second;
      default: return date + " " + time;
    }
  }

  function say(template, n) { return template.replace("%(n)s", n).replace("%(span)s", n); }

  function span(ms, precise) {
    var total = Math.floor(Math.abs(ms) / 1000), minutes = Math.floor(total / 60), secs = total % 60;
    if (minutes < 60) {
      if (precise) return (minutes ? say(words.min, minutes) + " " : "") + say(words.s, secs);
      return say(words.min, ms ? Math.max(minutes, 1) : 0);
    }
    var hours = Math.floor(minutes / 60);
    minutes %= 60;
    if (hours < 48) return say(words.h, hours) + (minutes ? " " + say(words.min, minutes) : "");
    var days = Math.floor(hours / 24);
    hours %= 24;
    return say(words.d, days) + (hours ? " " + say(words.h, hours) : "");
  }

  function countdown(msLeft) {
    return say(msLeft < 0 ? words.overdue : words.left, span(msLeft, true));
  }

  function paint(root) {
    (root || document).querySelectorAll("time[data-clock]").forEach(function (el) {
      var text = format(el.getAttribute("datetime"), el.dataset.clock);
      if (text) el.textContent = text;
    });
  }

  window.ConcordClock = { zone: zone, format: format, span: span, countdown: countdown, paint: paint };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { paint(); });
  else paint();
})();
