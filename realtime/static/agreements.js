// Agreements section of the incident page: draft one, start a segment batch, live progress and
// per-document outcomes from the timeline (agreement.batch_* events), cancel, resume, abandon.
(function () {
  "use strict";
  var box = document.getElementById("agreements");
  if (!box || !window.Concord) return;
  var C = window.Concord;
  var labelsBlock = document.getElementById("agreement-status-labels");  // data block (CSP: no inline script)
  var statusLabels = labelsBlock ? JSON.parse(labelsBlock.textContent) : {};
  var progress = document.getElementById("ag-progress");
  var bar = document.getElementById("ag-progress-bar");
  var text = document.getElementById("ag-progress-text");
  var cancel = document.getElementById("ag-cancel");

  function fail(e) { alert((e && (e.message_local || e.message)) || String(e)); }

  var draft = document.getElementById("ag-draft");
  if (draft) draft.addEventListener("submit", function (ev) {
    ev.preventDefault();
    C.api("POST", "/api/v1/incidents/" + C.incidentId + "/agreements", {
      claimant_id: parseInt(draft.claimant_id.value, 10), locale: draft.locale.value
    }).then(function (ag) { window.location.href = "/agreements/" + ag.id; }).catch(fail);
  });

  var batch = document.getElementById("ag-batch");
  if (batch) batch.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var kind = (ev.submitter && ev.submitter.value) || "generate";
    var body = { kind: kind, segment: batch.segment.value };
    if (kind === "seal") {  // sealing re-authenticates (password, or TOTP code)
      if (batch.password) body.password = batch.password.value;
      if (batch.code) body.code = batch.code.value;
    }
    C.api("POST", "/api/v1/incidents/" + C.incidentId + "/agreement-batches", body)
      .then(render).catch(fail);
  });

  // The batch as the server sees it (statuses and reasons already in the user's language).
  var textBlock = document.getElementById("agreement-batch-text");  // data block: no inline script (CSP)
  var T = textBlock ? JSON.parse(textBlock.textContent) : {};
  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }
  function render(b) {
    if (!progress || !b) return;
    progress.hidden = false;
    progress.dataset.batchId = b.id;
    progress.dataset.status = b.status;
    document.getElementById("ag-batch-kind").textContent = b.kind_label;
    document.getElementById("ag-batch-segment").textContent = b.segment;
    bar.max = Math.max(b.total, 1);
    bar.value = b.done;
    text.textContent = b.done + "/" + b.total + " · " + b.status_label +
      (b.failed ? " · " + (T.failed || "%(n)s failed").replace("%(n)s", b.failed) : "");
    var interrupted = b.status === "interrupted";
    cancel.hidden = b.status !== "running";
    document.getElementById("ag-resume").hidden = !interrupted;
    document.getElementById("ag-abandon").hidden = !interrupted;
    document.getElementById("ag-batch-note").hidden = !interrupted;
    document.getElementById("ag-batch-stale").hidden = !b.not_responding;
    var body = document.querySelector("#ag-batch-items tbody");
    body.textContent = "";
    (b.items || []).forEach(function (i) {
      var tr = el("tr"), td = el("td");
      tr.dataset.item = i.id;
      tr.className = "item-" + i.status;
      if (i.agreement_id) { var a = el("a", i.label); a.href = "/agreements/" + i.agreement_id; td.appendChild(a); }
      else td.textContent = i.label;
      tr.appendChild(td);
      tr.appendChild(el("td", i.status_label + (i.reason ? " · " + i.reason : "")));
      body.appendChild(tr);
    });
  }

  // Live: a batch event asks for the batch again (one request in flight, the latest wins).
  var loading = false, again = false;
  function reload(id) {
    if (!id) return;
    if (loading) { again = true; return; }
    loading = true;
    C.api("GET", "/api/v1/agreement-batches/" + id).then(render).catch(function () {}).then(function () {
      loading = false;
      if (again) { again = false; reload(progress.dataset.batchId); }
    });
  }
  function act(what) {
    return function () {
      if (what === "abandon" && !confirm(T.abandon_confirm || "?")) return;
      var body = {};
      if (what === "resume" && batch) {  // resuming a seal batch re-authenticates, as starting one does
        if (batch.password) body.password = batch.password.value;
        if (batch.code) body.code = batch.code.value;
      }
      C.api("POST", "/api/v1/agreement-batches/" + progress.dataset.batchId + "/" + what, body)
        .then(render).catch(fail);
    };
  }
  if (cancel) cancel.addEventListener("click", act("cancel"));
  var resume = document.getElementById("ag-resume"), abandon = document.getElementById("ag-abandon");
  if (resume) resume.addEventListener("click", act("resume"));
  if (abandon) abandon.addEventListener("click", act("abandon"));

  C.onEvent(function (ev) {
    var p = ev.payload || {};
    if (progress && p.batch_id && (ev.type.indexOf("agreement.batch_") === 0 || ev.type === "agreement.sealed")) {
      progress.dataset.batchId = p.batch_id;
      reload(p.batch_id);
    }
    if (ev.type.indexOf("agreement.") === 0 && p.agreement_id) {
      var row = box.querySelector('tr[data-id="' + p.agreement_id + '"] .ag-status');
      if (row) row.textContent = statusLabels[p.status] || p.status;
    }
  });
})();
