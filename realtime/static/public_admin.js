// Staff side of the public page (issue 15): stage, preview-then-publish, codes, bulk confirmation.
(function () {
  "use strict";
  var box = document.getElementById("public-admin");
  if (!box || !window.Concord) return;
  var C = window.Concord;
  var base = "/api/v1/incidents/" + C.incidentId + "/public";
  function fail(e) { alert((e && (e.message_local || e.message)) || String(e)); }
  function reload() { window.location.reload(); }

  var stage = document.getElementById("pub-stage");
  if (stage) stage.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { stage: parseInt(stage.stage.value, 10) };
    // the form's local time is read in the installation's display zone by the server, not the device's
    if (stage.next_update_due.value) body.next_update_due = stage.next_update_due.value;
    var names = Array.prototype.slice.call(stage.querySelectorAll(".pub-stage-name"));
    if (names.some(function (i) { return i.value !== i.getAttribute("data-default"); })) {
      body.names = names.map(function (i) { return i.value; });
    }
    C.api("POST", base + "/stage", body).then(reload).catch(fail);
  });

  var form = document.getElementById("pub-update");
  var previewBox = document.getElementById("pub-preview-box");
  var preview = document.getElementById("pub-preview");
  if (preview) preview.addEventListener("click", function () {
    C.api("POST", base + "/preview", { text: document.getElementById("pub-update-text").value })
      .then(function (p) {
        document.getElementById("pub-preview-text").textContent = p.text;
        var warn = document.getElementById("pub-preview-warn");
        warn.textContent = p.warnings.map(function (w) { return warn.getAttribute("data-" + w); }).join(" ");
        warn.hidden = !p.warnings.length;
        previewBox.hidden = false;
      }).catch(fail);
  });
  if (form) form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    C.api("POST", base + "/updates", { text: document.getElementById("pub-update-text").value })
      .then(function () { form.reset(); previewBox.hidden = true; }).catch(fail);
  });

  function shown(issued) {
    document.getElementById("pub-issued").hidden = false;
    document.getElementById("pub-issued-code").textContent = issued.code;
    document.getElementById("pub-issued-sms").textContent = issued.sms;
    var poster = document.getElementById("pub-issued-poster");
    poster.hidden = !issued.poster;
    if (issued.poster) poster.href = issued.poster;
  }
  var issue = document.getElementById("pub-issue");
  if (issue) issue.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var kind = (ev.submitter && ev.submitter.value) || "incident";
    var body = { kind: kind };
    if (kind === "claimant") body.claimant_id = parseInt(document.getElementById("pub-claimant-id").value, 10);
    C.api("POST", base + "/codes", body).then(shown).catch(fail);
  });
  var all = document.getElementById("pub-issue-all");
  if (all) all.addEventListener("click", function () {
    C.api("POST", base + "/codes/claimants", {}).then(function (out) {
      var table = document.getElementById("pub-bulk");
      var body = table.querySelector("tbody");
      body.textContent = "";
      out.codes.forEach(function (c) {
        var tr = document.createElement("tr");
        [c.name + " · " + c.unit, c.code, c.sms].forEach(function (t) {
          var td = document.createElement("td");
          td.textContent = t;
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      table.hidden = false;
    }).catch(fail);
  });
  box.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!t.classList) return;
    if (t.classList.contains("pub-revoke")) {
      C.api("POST", base + "/codes/" + t.getAttribute("data-id") + "/revoke", {}).then(reload).catch(fail);
    } else if (t.classList.contains("pub-reissue")) {
      C.api("POST", base + "/codes/" + t.getAttribute("data-id") + "/reissue", {}).then(shown).catch(fail);
    }
  });

  var pending = document.getElementById("pub-pending");
  if (pending) pending.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var ids = Array.prototype.map.call(pending.querySelectorAll("input[name=claimant_ids]:checked"),
                                       function (i) { return parseInt(i.value, 10); });
    var what = (ev.submitter && ev.submitter.value) || "confirm";
    C.api("POST", base + "/registrations/" + what, { claimant_ids: ids }).then(reload).catch(fail);
  });
})();
