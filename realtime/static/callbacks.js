// Callbacks section (回访): records an attempt or an answer through Concord.api; every committed
// callback./grade. event re-fetches the section, so every browser in the room sees the same counts.
(function () {
  "use strict";
  if (!window.Concord) return;
  var C = window.Concord;

  function refresh() {
    var sec = document.getElementById("callbacks");
    if (sec && sec.dataset.fragment) C.reload(sec, sec.dataset.fragment);
  }

  C.onEvent(function (ev) {
    var t = ev.type || "";
    if (t.indexOf("callback.") === 0 || t === "reply.issued" || t === "status.changed") refresh();
  });

  function checked(form, name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : null;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("cb-form")) return;
    e.preventDefault();
    var reached = checked(form, "reached") === "yes";
    var body = { channel: checked(form, "channel"), reached: reached,
                 version: parseInt(form.dataset.version, 10) };
    if (reached && checked(form, "satisfaction")) body.satisfaction = checked(form, "satisfaction");
    var reasons = Array.prototype.map.call(form.querySelectorAll('input[name="reasons"]:checked'),
                                           function (el) { return el.value; });
    if (reasons.length) body.reasons = reasons;
    var note = form.querySelector("textarea[name=note]").value.trim();
    if (note) body.note = note;
    var err = form.querySelector(".cb-error");
    C.api("POST", form.dataset.path, body).then(function () {
      if (err) err.textContent = "";
      refresh();
    }).catch(function (x) {
      var msg = C.errorText(x);
      if (err) err.textContent = msg;
    });
  });
})();
