// Intake follow-up (issue 12): edit the intake with the re-triage shown before saving (a preview
// API that writes nothing), and decide the playbooks proposed mid-incident with one tap.
(function () {
  "use strict";
  var C = window.Concord;
  if (!C) return;
  var id = C.incidentId;
  var timer = null, seq = 0, refreshTimer = null;

  function section() { return document.getElementById("intake-edit"); }

  function fill(tpl, values) {
    return tpl.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] == null ? "" : String(values[k]); });
  }

  // What the form says now, as the changed fields only (the server ignores unchanged values anyway).
  function changes(form) {
    var out = {};
    var hc = form.elements.headcount;
    if (hc && !hc.disabled && hc.value !== "") out.headcount = parseInt(hc.value, 10);
    out.scope_text = form.elements.scope_text.value;
    out.channel = form.elements.channel.value;
    out.emotion = form.elements.emotion.value;
    out.prior_contact = form.elements.prior_contact.value;
    out.safety_issue = form.elements.safety_issue.checked;
    out.circumstances = Array.prototype.filter.call(form.querySelectorAll('input[name="circumstances"]'),
      function (b) { return b.checked; }).map(function (b) { return b.value; });
    return out;
  }

  function showError(err) {
    var box = document.getElementById("intake-error");
    if (!box) return;
    box.textContent = fill(section().dataset.error, { why: (err && (err.message_local || err.message)) || "?" });
    box.hidden = false;
  }

  function showPreview(p) {
    var box = document.getElementById("triage-preview");
    if (!box) return;
    document.getElementById("intake-error").hidden = true;
    document.getElementById("preview-grade").textContent = p.words.grade;
    document.getElementById("preview-class").textContent = p.words.class_label;
    document.getElementById("preview-handler").textContent = p.words.handler_label;
    var list = document.getElementById("preview-reasons");
    list.textContent = "";
    p.words.reasons_text.forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = t;
      list.appendChild(li);
    });
    var f = document.getElementById("preview-formation");
    f.hidden = !p.formation_clock_starts;
    if (p.formation_clock_starts) f.textContent = fill(f.dataset.text, { at: window.ConcordClock.format(p.formation_due_at, "time") });
    var pr = document.getElementById("preview-proposals");
    pr.hidden = !p.proposals.length;
    pr.textContent = fill(pr.dataset.text, { list: p.proposals.map(function (x) { return x.title_text; }).join("、") });
    box.hidden = false;
  }

  function preview(form) {
    var body = changes(form);
    var note = form.elements.note.value.trim();
    if (note) body.note = note;
    var mine = ++seq;
    C.api("POST", "/api/v1/incidents/" + id + "/intake/preview", body)
      .then(function (p) { if (mine === seq) showPreview(p); })
      .catch(function (err) { if (mine === seq) showError(err); });
  }

  function refresh() {
    var sec = section();
    if (!sec) return;
    var open = document.getElementById("intake-editor");
    var wasOpen = open && open.open;
    fetch(sec.dataset.refresh, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var tmp = document.createElement("div");
        tmp.innerHTML = html;
        var fresh = tmp.querySelector("#intake-edit");
        if (!fresh) return;
        sec.replaceWith(fresh);
        var ed = document.getElementById("intake-editor");
        if (ed && wasOpen) ed.open = true;
        bind();
      });
  }

  function save(form) {
    var body = changes(form);
    body.version = parseInt(section().dataset.version, 10);
    var note = form.elements.note.value.trim();
    C.api("PATCH", "/api/v1/incidents/" + id, body)
      .then(function () {
        if (note) return C.api("POST", "/api/v1/incidents/" + id + "/notes", { text: note });
      })
      .then(function () {
        var ed = document.getElementById("intake-editor");
        if (ed) ed.open = false;
        refresh();
      })
      .catch(showError);
  }

  function decide(btn, verb) {
    btn.disabled = true;
    C.api("POST", "/api/v1/incidents/" + id + "/proposals/" + btn.dataset.proposalId + "/" + verb)
      .then(refresh).catch(function (err) { btn.disabled = false; alert(err.message_local || err.message || "error"); });
  }

  function bind() {
    var sec = section();
    if (!sec) return;
    sec.querySelectorAll(".attach-proposal").forEach(function (b) {
      b.addEventListener("click", function () { decide(b, "attach"); });
    });
    sec.querySelectorAll(".dismiss-proposal").forEach(function (b) {
      b.addEventListener("click", function () { decide(b, "dismiss"); });
    });
    var form = document.getElementById("intake-form");
    if (!form) return;
    var later = function () { clearTimeout(timer); timer = setTimeout(function () { preview(form); }, 300); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (e) { e.preventDefault(); save(form); });
    sec.querySelectorAll("time[data-clock]").forEach(function (t) {
      t.textContent = window.ConcordClock.format(t.getAttribute("datetime"), t.dataset.clock);
    });
  }

  var RELEVANT = /^(intake\.updated|grade\.changed|playbook\.(proposed|attached|proposal_dismissed)|taskgroup\.formation_started)$/;
  C.onEvent(function (ev) {
    if (!RELEVANT.test(ev.type)) return;
    var sec = section();
    var ed = document.getElementById("intake-editor");
    if (sec && ev.type === "intake.updated" && ed && ed.open) return;  // do not wipe what is being typed
    clearTimeout(refreshTimer);  // one edit records several events: refresh once after them
    refreshTimer = setTimeout(refresh, 150);
  });
  bind();
})();
