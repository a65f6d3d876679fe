// Crowd section: renders claimants (masked) and representatives from the crowd API, and re-fetches
// whenever a crowd event is committed (window.Concord.onEvent), so every browser stays current.
(function () {
  "use strict";
  var root = document.getElementById("crowd");
  if (!root || !window.Concord) return;
  var C = window.Concord, id = C.incidentId, base = "/api/v1/incidents/" + id;
  var T = JSON.parse(document.getElementById("crowd-i18n").textContent);
  var view = JSON.parse(document.getElementById("crowd-data").textContent);
  var canEdit = root.dataset.canEdit === "1", canReveal = root.dataset.canReveal === "1";
  var canRepresent = root.dataset.canRepresent === "1";
  var filter = document.getElementById("crowd-filter");
  var byId = {};

  var fmt = C.fmt, el = C.el;
  function fail(target, err) {
    var msg = (err && (err.message_local || err.message)) || "error";
    if (target) target.textContent = msg; else alert(msg);
  }

  function renderHead() {
    var c = view.counts;
    document.getElementById("crowd-counts").textContent =
      fmt(T.counts, { active: c.active, withdrawn: c.withdrawn, settled: c.settled });
    var hc = document.getElementById("headcount");
    if (hc && view.headcount !== undefined) hc.textContent = fmt(T.people, { n: view.headcount });
    var w = document.getElementById("crowd-warnings");
    w.textContent = "";
    view.warnings.forEach(function (x) {
      w.appendChild(el("p", { cls: "warn", "data-code": x.code, text: fmt(T.warning[x.code] || x.code, x) }));
    });
    var dl = document.getElementById("crowd-segment-list");
    if (dl) {
      dl.textContent = "";
      view.segments.forEach(function (s) { if (s.segment) dl.appendChild(el("option", { value: s.segment })); });
    }
  }

  // What the import file said beyond the fields (issue 11): shown as text under the name, never as markup.
  function attrs(a) {
    var keys = Object.keys(a || {});
    if (!keys.length) return null;
    return el("small", { cls: "attrs", text: keys.map(function (k) { return k + ": " + a[k]; }).join(" · ") });
  }

  function renderRows(rows, total) {
    var body = document.querySelector("#crowd-table tbody");
    body.textContent = "";
    byId = {};
    rows.forEach(function (c) {
      byId[c.id] = c;
      var phone = el("span", { cls: "phone", text: c.phone });
      var actions = el("td", {});
      if (canEdit && c.status === "active") {
        actions.appendChild(el("button", { cls: "btn small", type: "button", "data-act": "edit", "data-id": c.id, text: T.edit }));
        actions.appendChild(el("button", { cls: "btn small", type: "button", "data-act": "withdraw", "data-id": c.id, text: T.withdraw }));
      }
      if (canReveal) actions.appendChild(el("button", { cls: "btn small", type: "button", "data-act": "reveal", "data-id": c.id, text: T.reveal }));
      body.appendChild(el("tr", { cls: c.status, "data-claimant-id": c.id }, [
        el("td", {}, [document.createTextNode(c.name), attrs(c.attributes)]), el("td", { text: c.unit }), el("td", {}, [phone]),
        el("td", { text: c.segment }), el("td", { text: T.status[c.status] || c.status }), actions]));
    });
    document.getElementById("crowd-more").textContent =
      total > rows.length ? fmt(T.more, { shown: rows.length, total: total }) : "";
  }

  var repsStale = false;
  function renderReps() {
    var box = document.getElementById("crowd-reps");
    // Someone typing a reason or choosing a file must not lose it to a live refresh: wait for blur.
    var a = document.activeElement;
    if (a && box.contains(a) && a.tagName === "INPUT" && a.type === "text" && a.value) {
      repsStale = true;
      return;
    }
    repsStale = false;
    box.textContent = "";
    var shown = view.representatives.filter(function (r) { return r.status === "active"; })
      .concat(view.representatives.filter(function (r) { return r.status !== "active"; }));
    if (!shown.length) box.appendChild(el("p", { cls: "hint", text: T.none }));
    shown.forEach(function (r) {
      var doc = r.mandate_document
        ? el("a", { href: base + "/representatives/" + r.id + "/mandate", target: "_blank", text: T.mandate_doc })
        : el("span", { cls: "hint", text: T.no_mandate_doc });
      var hist = el("ol", {}, r.history.map(function (h) {
        return el("li", { text: (T.history[h.action] || h.action) + " · " + h.actor + " · " +
          window.ConcordClock.format(h.at) + (h.reason ? " · " + h.reason : "") });
      }));
      var div = el("div", { cls: "rep rep-" + r.status, "data-rep-id": r.id }, [
        el("strong", { text: r.name }), el("span", { text: " · " + r.unit + " · " + r.phone + " · " }),
        el("span", { cls: "tag", text: T.mandate[r.mandate] || r.mandate }),
        el("span", { cls: "tag", text: T.status[r.status] || r.status }),
        el("div", { cls: "meta", text: fmt(T.covers, { n: r.covered_count }) + " · " +
          r.coverage.segments.join(", ") }), doc, hist]);
      if (canRepresent && r.status === "active") {
        var file = el("input", { type: "file", accept: "image/*,application/pdf", "data-rep": r.id, cls: "rep-file" });
        var reason = el("input", { placeholder: T.reason_required, cls: "rep-reason" });
        var sel = el("select", { cls: "rep-new" }, claimantOptions());
        div.appendChild(el("div", { cls: "crowd-form" }, [el("label", { text: T.upload_mandate }, [file]), reason, sel,
          el("button", { cls: "btn small", type: "button", "data-act": "replace", "data-rep": r.id, text: T.replace }),
          el("button", { cls: "btn small danger", type: "button", "data-act": "revoke", "data-rep": r.id, text: T.revoke })]));
      }
      box.appendChild(div);
    });
  }

  document.getElementById("crowd-reps").addEventListener("focusout", function () {
    setTimeout(function () { if (repsStale) renderReps(); }, 0);
  });

  function claimantOptions() {
    return view.claimants.filter(function (c) { return c.status === "active"; }).map(function (c) {
      return el("option", { value: c.id, text: c.name + " · " + c.unit });
    });
  }

  function renderElect() {
    var form = document.getElementById("crowd-elect");
    if (!form) return;
    var sel = form.elements.claimant_id, keep = sel.value;
    sel.textContent = "";
    claimantOptions().forEach(function (o) { sel.appendChild(o); });
    if (keep) sel.value = keep;
    var segs = document.getElementById("crowd-elect-segments");
    segs.textContent = "";
    view.segments.forEach(function (s) {
      if (!s.segment) return;
      segs.appendChild(el("label", {}, [el("input", { type: "checkbox", name: "segments", value: s.segment }),
        document.createTextNode(" " + s.segment + " (" + s.active + ")")]));
    });
  }

  function render() {
    renderHead();
    renderRows(view.claimants, view.counts.total);
    renderReps();
    renderElect();
  }

  var timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      C.api("GET", base + "/crowd").then(function (v) {
        view = v;
        render();
        if (filter && filter.value) search();
      }).catch(function (e) { console.warn("crowd refresh failed", e); });
    }, 150);
  }
  function search() {
    var q = filter.value.trim();
    if (!q) { renderRows(view.claimants, view.counts.total); return; }
    C.api("GET", base + "/claimants?limit=200&q=" + encodeURIComponent(q))
      .then(function (r) { renderRows(r.claimants, r.total); });
  }
  if (filter) filter.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });

  C.onEvent(function (ev) {
    if (/^(claimant|claimants|representative|contact)\./.test(ev.type)) refresh();
    else if (ev.type === "agreement.sealed" || ev.type === "agreement.voided") refresh();  // settled (issue 17)
  });

  // Add / edit form (one form: a hidden claimant_id switches it to edit mode).
  var add = document.getElementById("crowd-add");
  function resetForm() {
    add.reset();
    add.elements.claimant_id.value = ""; add.elements.version.value = "";
    add.elements.phone.required = true; add.elements.phone.placeholder = "";
    document.getElementById("crowd-add-cancel").hidden = true;
    document.getElementById("crowd-add-title").textContent = T.add_title;
  }
  if (add) {
    add.addEventListener("submit", function (e) {
      e.preventDefault();
      var f = add.elements, err = document.getElementById("crowd-add-error");
      err.textContent = "";
      var body = { name: f.name.value, unit: f.unit.value, segment: f.segment.value };
      if (f.phone.value) body.phone = f.phone.value;
      if (f.id_number.value) body.id_number = f.id_number.value;
      var editing = f.claimant_id.value;
      var req = editing
        ? C.api("PATCH", base + "/claimants/" + editing, Object.assign(body, { version: parseInt(f.version.value, 10) }))
        : C.api("POST", base + "/claimants", body);
      req.then(function () { resetForm(); refresh(); }).catch(function (x) {
        if (x && x.error === "conflict") { err.textContent = T.stale; resetForm(); refresh(); return; }
        fail(err, x);
        if (x && x.field && f[x.field]) f[x.field].focus();
      });
    });
    document.getElementById("crowd-add-cancel").addEventListener("click", resetForm);
  }

  root.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-act]");
    if (!b) return;
    var c = byId[b.dataset.id], act = b.dataset.act;
    if (act === "edit" && c) {
      var f = add.elements;
      f.claimant_id.value = c.id; f.version.value = c.version;
      f.name.value = c.name; f.unit.value = c.unit; f.segment.value = c.segment;
      f.phone.value = ""; f.phone.required = false; f.phone.placeholder = c.phone + " · " + T.keep_blank;
      f.id_number.value = "";
      document.getElementById("crowd-add-box").open = true;
      document.getElementById("crowd-add-cancel").hidden = false;
      document.getElementById("crowd-add-title").textContent = T.edit_title;
      f.name.focus();
    } else if (act === "withdraw" && c) {
      var why = prompt(T.withdraw_reason);
      if (why === null) return;
      C.api("POST", base + "/claimants/" + c.id + "/withdraw", { version: c.version, reason: why })
        .then(refresh).catch(function (x) { fail(null, x); refresh(); });
    } else if (act === "reveal" && c) {
      var reason = prompt(T.reveal_reason);
      if (!reason) return;
      C.api("POST", base + "/claimants/" + c.id + "/reveal", { field: "phone", reason: reason }).then(function (r) {
        var cell = document.querySelector('tr[data-claimant-id="' + c.id + '"] .phone');
        if (!cell) return;
        cell.textContent = r.value; cell.className = "phone revealed";
        setTimeout(function () { cell.textContent = c.phone; cell.className = "phone"; }, 30000);
      }).catch(function (x) { fail(null, x); });
    } else if (act === "replace" || act === "revoke") {
      var box = b.closest(".rep"), reasonIn = box.querySelector(".rep-reason");
      var path = base + "/representatives/" + b.dataset.rep + "/" + act;
      var payload = { reason: reasonIn.value };
      if (act === "replace") payload.claimant_id = parseInt(box.querySelector(".rep-new").value, 10);
      C.api("POST", path, payload).then(refresh).catch(function (x) { fail(null, x); });
    }
  });

  root.addEventListener("change", function (e) {
    if (!e.target.classList.contains("rep-file") || !e.target.files.length) return;
    upload(base + "/representatives/" + e.target.dataset.rep + "/mandate", e.target.files[0], {})
      .then(refresh).catch(function (x) { fail(null, x); });
  });

  function upload(path, file, fields) {
    var fd = new FormData();
    fd.append("file", file);
    Object.keys(fields).forEach(function (k) { fd.append(k, fields[k]); });
    var csrf = document.querySelector('meta[name="csrf-token"]').content;
    return fetch(path, { method: "POST", credentials: "same-origin", body: fd,
                         headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }

  // The import (upload, column mapping, preview, confirm) lives in claimant_import.js (issue 11).

  var elect = document.getElementById("crowd-elect");
  if (elect) elect.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = elect.elements, cid = parseInt(f.claimant_id.value, 10);
    var segs = Array.prototype.slice.call(elect.querySelectorAll('input[name="segments"]:checked'))
      .map(function (x) { return x.value; });
    var err = document.getElementById("crowd-elect-error");
    err.textContent = "";
    C.api("POST", base + "/representatives", { claimant_id: cid, mandate: f.mandate.value,
      claimant_ids: [cid], segments: segs, reason: f.reason.value })
      .then(function () { elect.reset(); refresh(); }).catch(function (x) { fail(err, x); });
  });

  render();
})();
