// Claimant import (issue 11): upload → Concord proposes which column is which → the user changes any
// field's columns (several combine into one: building + unit + room) → the preview shows the first
// rows as they will be stored → confirm. Nothing is stored before the confirmation.
(function () {
  "use strict";
  var form = document.getElementById("crowd-import");
  if (!form || !window.Concord) return;
  var C = window.Concord, base = "/api/v1/incidents/" + C.incidentId + "/claimants/import/stages";
  var T = JSON.parse(document.getElementById("import-i18n").textContent);
  var box = document.getElementById("import-map"), fieldsBox = document.getElementById("import-fields");
  var errBox = document.getElementById("import-error"), out = document.getElementById("crowd-import-report");
  var stage = null, timer = null;

  var fmt = C.fmt, el = C.el;
  function message(x) { return (x && (x.message_local || x.message)) || "error"; }
  function csrf() { return document.querySelector('meta[name="csrf-token"]').content; }

  function columnSelect(field, value) {
    var s = el("select", { "data-field": field, "aria-label": T.fields[field] });
    s.appendChild(el("option", { value: "", text: T.none }));
    stage.columns.forEach(function (c) {
      var samples = (stage.samples[c] || []).filter(Boolean).slice(0, 2).join(" / ");
      var o = el("option", { value: c, text: samples ? c + " — " + samples : c });
      if (c === value) o.selected = true;
      s.appendChild(o);
    });
    return s;
  }

  function renderFields(mapping) {
    fieldsBox.textContent = "";
    stage.fields.forEach(function (f) {
      var cols = (mapping[f] || []).length ? mapping[f] : [""];
      var required = stage.required.indexOf(f) >= 0;
      var set = el("fieldset", { cls: "import-field", "data-field": f },
        [el("legend", { text: T.fields[f] + (required ? " (" + T.required + ")" : "") })]);
      var list = el("div", { cls: "import-cols" });
      cols.forEach(function (c) { list.appendChild(columnSelect(f, c)); });
      set.appendChild(list);
      set.appendChild(el("button", { type: "button", cls: "btn small", "data-add": f, text: T.add }));
      fieldsBox.appendChild(set);
    });
  }

  function currentMapping() {
    var m = {};
    stage.fields.forEach(function (f) { m[f] = []; });
    fieldsBox.querySelectorAll("select[data-field]").forEach(function (s) {
      if (s.value && m[s.dataset.field].indexOf(s.value) < 0) m[s.dataset.field].push(s.value);
    });
    return m;
  }

  function renderPreview(res) {
    var body = document.querySelector("#import-preview tbody");
    body.textContent = "";
    (res.preview || []).forEach(function (r) {
      var attrs = Object.keys(r.attributes || {}).map(function (k) { return k + ": " + r.attributes[k]; }).join(" · ");
      var tr = el("tr", { "data-row": r.row, cls: r.errors.length ? "bad" : "" }, [el("td", { cls: "row-no", text: String(r.row) })]);
      if (r.errors.length) {
        tr.appendChild(el("td", { colspan: "4", cls: "error", text: r.errors.map(message).join("；") }));
      } else {
        [r.name, r.unit, r.phone, r.segment].forEach(function (v) { tr.appendChild(el("td", { text: v || "" })); });
      }
      body.appendChild(tr);
      if (attrs && !r.errors.length) {  // the file's other columns under the row, the width of the table (a phone is narrow)
        body.appendChild(el("tr", { cls: "extra", "data-row": r.row }, [el("td"), el("td", { colspan: "4", text: T.other + ": " + attrs })]));
      }
    });
    var s = res.summary, line = document.getElementById("import-summary");
    line.textContent = s ? fmt(T.summary, { would: s.would_store, rows: s.rows, bad: s.bad_rows, blank: s.blank_rows.length })
                         : T.missing;
  }

  function preview() {
    errBox.textContent = "";
    C.api("POST", base + "/" + stage.stage_id + "/preview", { mapping: currentMapping() })
      .then(renderPreview)
      .catch(function (x) { errBox.textContent = message(x); document.querySelector("#import-preview tbody").textContent = ""; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(preview, 250); }

  fieldsBox.addEventListener("change", function (e) { if (e.target.matches("select[data-field]")) later(); });
  fieldsBox.addEventListener("click", function (e) {
    var f = e.target.dataset && e.target.dataset.add;
    if (!f) return;
    var list = fieldsBox.querySelector('fieldset[data-field="' + f + '"] .import-cols');
    var s = columnSelect(f, "");
    list.appendChild(s);
    s.focus();
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    errBox.textContent = ""; out.textContent = "";
    var file = form.elements.file.files[0];
    if (!file) return;
    var fd = new FormData();
    fd.append("file", file);
    fetch(base, { method: "POST", credentials: "same-origin", body: fd,
                  headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(function (st) {
        stage = st;
        document.getElementById("import-source").textContent = T[st.mapping_source] || "";
        renderFields(st.mapping);
        renderPreview(st);
        box.hidden = false;
      })
      .catch(function (x) { errBox.textContent = message(x); box.hidden = true; });
  });

  function showReport(rep) {
    out.appendChild(el("p", { cls: "import-done", text: fmt(T.report, { stored: rep.stored, rows: rep.rows,
      bad: rep.bad_rows, blank: (rep.blank_rows || []).length }) }));
    if (rep.errors.length || (rep.blank_rows || []).length) {
      var lines = rep.errors.slice(0, 500).map(function (x) { return [x.row, x.message_local || x.message]; })
        .concat((rep.blank_rows || []).slice(0, 100).map(function (n) { return [n, T.blank]; }));
      lines.sort(function (a, b) { return a[0] - b[0]; });  // in the file's order, blank rows among the others
      var t = el("table", { cls: "table" }, lines.map(function (l) {
        return el("tr", {}, [el("td", { cls: "row-no", text: T.row + " " + l[0] }), el("td", { text: l[1] })]);
      }));
      out.appendChild(el("div", { cls: "scroll" }, [t]));
    }
    out.appendChild(el("a", { cls: "btn small", href: base + "/" + stage.stage_id + "/report.xlsx", text: T.download }));
  }

  document.getElementById("import-confirm").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target.elements;
    errBox.textContent = ""; out.textContent = "";
    C.api("POST", base + "/" + stage.stage_id + "/confirm", { mapping: currentMapping(), mode: f.mode.value,
                                                              save_mapping: f.save_mapping.checked })
      .then(function (rep) { box.hidden = true; form.reset(); showReport(rep); })
      .catch(function (x) {
        errBox.textContent = message(x);
        if (x && x.report) showReport(x.report);
      });
  });
})();
