// Segment actions and legal's batch review (issue 11): the chosen rows are sent in chunks, so the
// page shows "n of total done" while it works and each row's outcome (or why it did not change).
(function () {
  "use strict";
  var root = document.querySelector(".bulk[data-path]");
  if (!root) return;
  var CHUNK = 10;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var kind = root.dataset.kind;  // "items" (demand items) or "agreements"
  var progress = document.getElementById("bulk-progress");
  var errorBox = document.getElementById("bulk-error");
  var segment = document.getElementById("bulk-segment");
  var all = document.getElementById("bulk-all");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#bulk-rows li[data-id]"));
  var busy = false;

  function api(body) {
    return fetch(root.dataset.path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }
  function fill(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return vars[k] === undefined ? "" : String(vars[k]); });
  }
  function fail(err) {
    errorBox.hidden = false;
    errorBox.textContent = (err && (err.message_local || err.message)) || String(err);
  }
  function rowOf(id) {
    for (var i = 0; i < rows.length; i++) if (rows[i].dataset.id === String(id)) return rows[i];
    return null;
  }
  function pick(row) { return row.querySelector(".bulk-pick"); }
  function visible(row) { return !row.hidden; }
  function actionable(row) { var p = pick(row); return p && !p.disabled; }

  if (segment) {
    segment.addEventListener("change", function () {
      rows.forEach(function (row) { row.hidden = segment.value !== "" && row.dataset.segment !== segment.value; });
    });
  }
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (row) { if (visible(row) && actionable(row)) pick(row).checked = all.checked; });
    });
  }

  function chosen(btn) {
    if (btn.dataset.scope === "all") {
      return rows.filter(function (row) { return row.dataset.status === "in_review"; });
    }
    if (segment && segment.value !== "") {  // every claimant of the segment: each row gets its outcome
      return rows.filter(function (row) { return row.dataset.segment === segment.value; });
    }
    return rows.filter(function (row) { var p = pick(row); return p && p.checked && !p.disabled; });
  }

  function show(done, total) {
    progress.hidden = false;
    var bar = progress.querySelector("progress");
    bar.max = total; bar.value = done;
    progress.querySelector("span").textContent = fill(root.dataset.progress, { done: done, total: total });
  }

  function mark(r) {
    var row = rowOf(kind === "items" ? r.item_id : r.agreement_id);
    if (!row) return;
    var out = row.querySelector(".outcome");
    var text = root.dataset["outcome" + r.outcome.charAt(0).toUpperCase() + r.outcome.slice(1)] || r.outcome;
    out.textContent = r.reason ? text + " — " + r.reason : text;
    out.className = "outcome " + (r.outcome === "failed" ? "failed" : "ok");
    row.dataset.outcome = r.outcome;
    if (r.outcome !== "failed") {
      row.dataset.status = r.status || r.outcome;
      var tag = row.querySelector(".tag.status");
      if (tag) tag.textContent = text;
      var p = pick(row);
      if (p) { p.checked = false; p.disabled = true; }
    }
  }

  function run(btn) {
    if (busy) return;
    errorBox.hidden = true;
    var list = chosen(btn);
    if (!list.length) { fail(root.dataset.none); return; }
    var body = { decision: btn.dataset.decision };
    if (kind === "items") {
      var note = document.getElementById("bulk-note");
      if (note && note.value) body.note = note.value;
    } else if (btn.dataset.decision === "return") {
      var comments = document.getElementById("bulk-comments").value;
      if (!comments.trim()) { fail(root.dataset.needComment); return; }
      body.comments = comments;
    }
    busy = true;
    var buttons = root.querySelectorAll("[data-decision]");
    buttons.forEach(function (b) { b.disabled = true; });
    var total = list.length, done = 0, failed = 0;
    show(0, total);
    function next() {
      if (done >= total) return Promise.resolve();
      var part = list.slice(done, done + CHUNK), ids = [], versions = {};
      part.forEach(function (row) {
        var id = parseInt(row.dataset.id, 10);
        ids.push(id); versions[id] = parseInt(row.dataset.version, 10);
      });
      var req = Object.assign({}, body, { versions: versions });
      req[kind === "items" ? "item_ids" : "agreement_ids"] = ids;
      return api(req).then(function (res) {
        res.rows.forEach(mark);
        failed += res.failed;
        done += part.length;
        show(done, total);
        return next();
      });
    }
    next().then(function () {
      if (failed) fail(fill(root.dataset.failed, { n: failed }));
    }).catch(fail).then(function () {
      busy = false;
      buttons.forEach(function (b) { b.disabled = false; });
      root.dataset.finished = "1";
    });
  }

  root.querySelectorAll("[data-decision]").forEach(function (btn) {
    btn.addEventListener("click", function () { run(btn); });
  });
})();
