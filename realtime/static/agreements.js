// Agreements section of the incident page: draft one, start a segment batch, live progress from
// the timeline (agreement.batch_* events), cancel.
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
      .then(function (b) { show(b.id, 0, b.total || 1, "running"); }).catch(fail);
  });

  function show(id, done, total, status) {
    progress.hidden = false;
    progress.dataset.batchId = id;
    progress.dataset.status = status;
    bar.max = Math.max(total, 1);
    bar.value = done;
    text.textContent = done + "/" + total + (status !== "running" ? " · " + status : "");
    cancel.hidden = status !== "running";
  }
  if (cancel) cancel.addEventListener("click", function () {
    C.api("POST", "/api/v1/agreement-batches/" + progress.dataset.batchId + "/cancel", {}).catch(fail);
  });

  C.onEvent(function (ev) {
    var p = ev.payload || {};
    if (ev.type === "agreement.batch_started") show(p.batch_id, 0, 1, "running");
    else if (ev.type === "agreement.batch_progress") show(p.batch_id, p.done, p.total, "running");
    else if (ev.type === "agreement.batch_finished") show(p.batch_id, p.done, p.total, p.status);
    else if (ev.type.indexOf("agreement.") === 0 && p.agreement_id) {
      var row = box.querySelector('tr[data-id="' + p.agreement_id + '"] .ag-status');
      if (row) row.textContent = statusLabels[p.status] || p.status;
    }
  });
})();
