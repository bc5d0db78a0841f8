// List pages: filter builder, saved filters, row selection and batch bar, frozen columns,
// column chooser. Plain JS; the table itself is re-rendered by HTMX (core/list.html#table).
(function () {
  "use strict";

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    if (!el) { return fallback; }
    try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
  }

  var root = document.getElementById("zg-list");
  if (!root) { return; }
  var FIELDS = readJSON("zg-filter-fields", []);
  var OPS = readJSON("zg-operator-labels", {});
  var TEXT = readJSON("zg-filter-text", {});
  var SAVED = readJSON("zg-saved-filters", {});
  var MAX_DEPTH = 3;
  // Tabler's bundle exposes Bootstrap's components as window.tabler (window.bootstrap stays unset).
  var BS = window.bootstrap || (window.tabler && (window.tabler.bootstrap || window.tabler)) || null;
  var byName = {};
  FIELDS.forEach(function (f) { byName[f.name] = f; });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function option(value, label, selected) {
    var o = el("option", { value: value, text: label });
    if (selected) { o.selected = true; }
    return o;
  }

  // ---- filter builder ------------------------------------------------------------------
  // The DOM is the state: each .zg-group holds .zg-rule rows and nested .zg-group blocks.
  var builder = document.getElementById("zg-filter-builder");

  function operatorChoices(field) {
    var list = [];
    field.operators.forEach(function (op) {
      list.push([op, OPS[op] || op]);
      if (op === "empty") { list.push(["notempty", TEXT.not_empty]); }
    });
    return list;
  }

  // Options read from the database (users, related records) are fetched from the list page when
  // the field is first used, so the page itself does not load them all. One request per field.
  var pending = {};
  function loadChoices(field) {
    if (!pending[field.name]) {
      var url = (root.getAttribute("data-list-url") || window.location.pathname) + "?choices=" + encodeURIComponent(field.name);
      pending[field.name] = fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { field.choices = data.choices || []; field.choices_lazy = false; })
        .catch(function () { delete pending[field.name]; });
    }
    return pending[field.name];
  }

  function valueInput(field, op, value) {
    if (op === "empty" || op === "notempty") { return el("span"); }
    var cls = "form-control";
    if (field.choices_lazy && !(field.type === "fk" && op === "contains")) {
      // Until the options arrive, the chosen values stay selected so the rule keeps its meaning.
      var waiting = el("select", { "class": "form-select", "data-zg-value": "", "aria-label": TEXT.value, "aria-busy": "true" });
      var kept = Array.isArray(value) ? value.map(String) : (value === undefined || value === null || value === "" ? [] : [String(value)]);
      if (op === "in") { waiting.multiple = true; waiting.size = 4; }
      else if (!kept.length) { waiting.appendChild(option("", TEXT.choose, true)); }
      kept.forEach(function (v) { waiting.appendChild(option(v, v, true)); });
      loadChoices(field).then(function () {
        if (!field.choices_lazy && waiting.parentNode) {
          var chosen = waiting.multiple
            ? Array.prototype.filter.call(waiting.options, function (o) { return o.selected; }).map(function (o) { return o.value; })
            : waiting.value;
          waiting.replaceWith(valueInput(field, op, chosen));
        }
      });
      return waiting;
    }
    // A foreign key "contains" is typed (it matches the related name); other choices are picked.
    var hasChoices = field.choices && field.choices.length && field.type !== "text" && !(field.type === "fk" && op === "contains");
    if (hasChoices) {
      var select = el("select", { "class": "form-select", "data-zg-value": "", "aria-label": TEXT.value });
      var chosen = Array.isArray(value) ? value.map(String) : (value === undefined || value === null ? [] : [String(value)]);
      if (op === "in") { select.multiple = true; select.size = Math.min(4, field.choices.length); }
      else { select.appendChild(option("", TEXT.choose, !chosen.length)); }
      field.choices.forEach(function (c) { select.appendChild(option(c[0], c[1], chosen.indexOf(String(c[0])) >= 0)); });
      return select;
    }
    var input = el("input", { "class": cls, "data-zg-value": "", "aria-label": TEXT.value });
    if (op === "in") {
      input.type = "text";
      input.placeholder = TEXT.many_hint;
      input.value = Array.isArray(value) ? value.join(", ") : (value || "");
      return input;
    }
    if (field.type === "number" || field.type === "money") { input.type = "number"; input.step = "any"; input.inputMode = "decimal"; }
    else if (field.type === "date" || field.type === "datetime") { input.type = "date"; }
    else { input.type = "text"; }
    input.value = value === undefined || value === null ? "" : value;
    return input;
  }

  function ruleRow(rule) {
    rule = rule || {};
    var field = byName[rule.field] || FIELDS[0];
    var row = el("div", { "class": "row g-2 mb-2 align-items-center zg-rule" });
    var fieldSel = el("select", { "class": "form-select", "data-zg-field": "", "aria-label": TEXT.field });
    if (rule.field && !byName[rule.field]) {
      // A saved rule on a field this user may no longer use: keep it as it is, so the server
      // says what is wrong instead of the rule silently turning into another one.
      field = { name: String(rule.field), label: String(rule.field), type: "text", operators: Object.keys(OPS), choices: null };
      fieldSel.appendChild(option(field.name, "⚠ " + field.label, true));
    }
    FIELDS.forEach(function (f) { fieldSel.appendChild(option(f.name, f.label, f.name === field.name)); });
    var opSel = el("select", { "class": "form-select", "data-zg-operator": "", "aria-label": TEXT.operator });
    var op = rule.operator === "empty" && (rule.value === false || rule.value === "false") ? "notempty" : rule.operator;
    function fillOps() {
      opSel.innerHTML = "";
      var choices = operatorChoices(field);
      if (!choices.some(function (c) { return c[0] === op; })) { op = choices[0][0]; }
      choices.forEach(function (c) { opSel.appendChild(option(c[0], c[1], c[0] === op)); });
    }
    fillOps();
    var valueCol = el("div", { "class": "col-6 col-md order-3 order-md-2" }, [valueInput(field, op, rule.value)]);
    var remove = el("button", { type: "button", "class": "btn btn-icon btn-ghost-danger", "data-zg-remove": "", "aria-label": TEXT.remove, title: TEXT.remove, text: "×" });
    fieldSel.addEventListener("change", function () {
      field = byName[fieldSel.value];
      fillOps();
      valueCol.replaceChildren(valueInput(field, opSel.value, null));
    });
    opSel.addEventListener("change", function () {
      var old = valueCol.querySelector("[data-zg-value]");
      var keep = old && !old.multiple && opSel.value !== "in" ? old.value : null;
      valueCol.replaceChildren(valueInput(field, opSel.value, keep));
    });
    remove.addEventListener("click", function () { row.remove(); });
    // Phone: field and remove button on one line, operator and value on the next; wider: one line.
    row.appendChild(el("div", { "class": "col-10 col-md-4 order-0" }, [fieldSel]));
    row.appendChild(el("div", { "class": "col-6 col-md-3 order-2 order-md-1" }, [opSel]));
    row.appendChild(valueCol);
    row.appendChild(el("div", { "class": "col-2 col-md-auto order-1 order-md-3 text-end" }, [remove]));
    return row;
  }

  function groupBlock(group, depth) {
    group = group || { op: "and", rules: [] };
    var box = el("div", { "class": "zg-group", "data-zg-group": "" });
    var opSel = el("select", { "class": "form-select form-select-sm w-auto", "data-zg-group-op": "", "aria-label": TEXT.and });
    opSel.appendChild(option("and", TEXT.and, group.op !== "or"));
    opSel.appendChild(option("or", TEXT.or, group.op === "or"));
    var body = el("div", { "class": "zg-group-body mt-2" });
    var addRule = el("button", { type: "button", "class": "btn btn-sm", "data-zg-add-rule": "", text: "+ " + TEXT.add_rule });
    var head = el("div", { "class": "d-flex flex-wrap align-items-center gap-2" }, [opSel, addRule]);
    addRule.addEventListener("click", function () { body.appendChild(ruleRow()); });
    if (depth < MAX_DEPTH) {
      var addGroup = el("button", { type: "button", "class": "btn btn-sm", "data-zg-add-group": "", text: "+ " + TEXT.add_group });
      addGroup.addEventListener("click", function () {
        body.appendChild(groupBlock({ op: "or", rules: [{}] }, depth + 1));
      });
      head.appendChild(addGroup);
    }
    if (depth > 1) {
      var drop = el("button", { type: "button", "class": "btn btn-sm btn-ghost-danger ms-auto", text: TEXT.remove_group });
      drop.addEventListener("click", function () { box.remove(); });
      head.appendChild(drop);
    }
    box.appendChild(head);
    box.appendChild(body);
    (group.rules || []).forEach(function (r) {
      body.appendChild(r && r.rules ? groupBlock(r, depth + 1) : ruleRow(r));
    });
    return box;
  }

  function load(definition) {
    if (!builder || !FIELDS.length) { return; }
    var def = definition && definition.rules ? definition : { op: "and", rules: [] };
    if (!def.rules.length) { def = { op: def.op || "and", rules: [{}] }; }
    builder.replaceChildren(groupBlock(def, 1));
  }

  function serialiseGroup(box) {
    var out = { op: box.querySelector(":scope > div > [data-zg-group-op]").value, rules: [] };
    var body = box.querySelector(":scope > .zg-group-body");
    Array.prototype.forEach.call(body.children, function (child) {
      if (child.hasAttribute("data-zg-group")) {
        var sub = serialiseGroup(child);
        if (sub.rules.length) { out.rules.push(sub); }
        return;
      }
      var field = child.querySelector("[data-zg-field]").value;
      var op = child.querySelector("[data-zg-operator]").value;
      var input = child.querySelector("[data-zg-value]");
      var rule = { field: field, operator: op === "notempty" ? "empty" : op };
      if (op === "empty" || op === "notempty") { rule.value = op === "empty"; }
      else if (input && input.multiple) {
        rule.value = Array.prototype.filter.call(input.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
        if (!rule.value.length) { return; }
      } else {
        rule.value = input ? input.value.trim() : "";
        if (rule.value === "") { return; }  // a row left blank is ignored rather than refused
      }
      out.rules.push(rule);
    });
    return out;
  }

  function countRules(group) {
    return group.rules.reduce(function (n, r) { return n + (r.rules ? countRules(r) : 1); }, 0);
  }

  function current() {
    var top = builder && builder.querySelector("[data-zg-group]");
    return top ? serialiseGroup(top) : { op: "and", rules: [] };
  }

  var listForm = document.getElementById("zg-list-form");
  var filterInput = document.getElementById("zg-filter-input");

  function apply() {
    var def = current();
    filterInput.value = def.rules.length ? JSON.stringify(def) : "";
    var badge = document.getElementById("zg-filter-count");
    if (badge) { badge.textContent = countRules(def); badge.classList.toggle("d-none", !def.rules.length); }
    if (window.htmx) { window.htmx.trigger(listForm, "submit"); } else { listForm.submit(); }
  }

  root.addEventListener("click", function (e) {
    if (e.target.closest("[data-zg-apply]")) { apply(); }
    if (e.target.closest("[data-zg-clear]")) { load(null); apply(); }
    var loader = e.target.closest("[data-zg-load-filter]");
    if (loader) {
      var def = SAVED[loader.getAttribute("data-zg-load-filter")];
      load(def);
      var panel = document.getElementById("zg-filter-panel");
      if (panel && BS) { BS.Collapse.getOrCreateInstance(panel, { toggle: false }).show(); }
      var menu = loader.closest(".dropdown");
      var toggle = menu && menu.querySelector("[data-bs-toggle=dropdown]");
      if (toggle && BS) { BS.Dropdown.getOrCreateInstance(toggle).hide(); }
      apply();
    }
  });
  // Enter inside a value field applies the filter instead of submitting some other form.
  if (builder) {
    builder.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.matches("input")) { e.preventDefault(); apply(); }
    });
  }
  load(readJSON("zg-filter-definition", null));

  // Forms that come back to this list carry the current address (with the HTMX-updated query).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-zg-next")) { return; }
    if (form.id === "zg-batch-form" && !selectedIds().length) { e.preventDefault(); return; }
    var next = form.querySelector("input[name=next]");
    if (next) { next.value = window.location.pathname + window.location.search; }
    if (form.id === "zg-save-filter") { form.querySelector("input[name=f]").value = JSON.stringify(current()); }
  });

  // Export and print links always follow the list as it is now, not as it was when the page loaded.
  document.addEventListener("click", function (e) {
    var link = e.target.closest("[data-zg-keep-query]");
    if (!link) { return; }
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    var extra = new URLSearchParams(link.getAttribute("data-zg-keep-query"));
    extra.forEach(function (v, k) { params.set(k, v); });
    link.href = link.href.split("?")[0] + "?" + params.toString();
  });

  // ---- selection and batch bar ----------------------------------------------------------
  function selectedIds() {
    return Array.prototype.map.call(document.querySelectorAll("[data-zg-row]:checked"), function (c) { return c.value; });
  }

  function refreshBatch() {
    var bar = document.getElementById("zg-batch-bar");
    if (!bar) { return; }
    var ids = selectedIds();
    bar.classList.toggle("d-none", !ids.length);
    document.getElementById("zg-batch-count").textContent = (TEXT.selected || "%(n)s").replace("%(n)s", ids.length);
    var all = document.querySelector("[data-zg-select-all]");
    var rows = document.querySelectorAll("[data-zg-row]");
    if (all) { all.checked = rows.length > 0 && ids.length === rows.length; all.indeterminate = ids.length > 0 && ids.length < rows.length; }
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-zg-select-all]")) {
      document.querySelectorAll("[data-zg-row]").forEach(function (c) { c.checked = e.target.checked; });
    }
    if (e.target.matches("[data-zg-row], [data-zg-select-all]")) { refreshBatch(); }
    if (e.target.matches("[data-zg-per-page]") && window.htmx) { window.htmx.trigger(listForm, "submit"); }
  });

  // A module's own batch page (e.g. merge) gets the selection and the way back to this list.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-zg-batch-link]");
    if (!btn || !selectedIds().length) { return; }
    var params = new URLSearchParams({ ids: selectedIds().join(","), next: window.location.pathname + window.location.search });
    window.location.href = btn.getAttribute("data-zg-batch-link") + "?" + params.toString();
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-zg-export-selected]");
    if (!btn) { return; }
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    params.set("ids", selectedIds().join(","));
    params.set("format", btn.getAttribute("data-zg-export-selected"));
    window.location.href = root.getAttribute("data-export-url") + "?" + params.toString();
  });

  // ---- frozen columns ---------------------------------------------------------------------
  // Sticky cells need their left offset; measured after every render. On a narrow screen only
  // as many columns stay frozen as fit in 60% of the visible width.
  function freeze() {
    var table = document.querySelector("#zg-list-table table");
    if (!table) { return; }
    var wanted = parseInt(table.getAttribute("data-frozen") || "0", 10);
    var fixed = table.querySelector("thead [data-zg-fixed]") ? 1 : 0;
    var headCells = table.querySelectorAll("thead tr > th");
    var limit = table.parentElement.clientWidth * 0.6;
    var lefts = [];
    var left = 0;
    for (var i = 0; i < Math.min(headCells.length, fixed + wanted); i++) {
      var w = headCells[i].getBoundingClientRect().width;
      if (i >= fixed && left + w > limit) { break; }
      lefts.push(left);
      left += w;
    }
    table.querySelectorAll("tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, idx) {
        var on = idx < lefts.length && !cell.hasAttribute("colspan");
        cell.classList.toggle("frozen", on);
        cell.classList.toggle("frozen-last", on && idx === lefts.length - 1);
        cell.style.left = on ? lefts[idx] + "px" : "";
      });
    });
  }

  // ---- column chooser ----------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var mover = e.target.closest("[data-zg-move]");
    if (!mover) { return; }
    var item = mover.closest("li");
    if (mover.getAttribute("data-zg-move") === "-1" && item.previousElementSibling) {
      item.parentElement.insertBefore(item, item.previousElementSibling);
    } else if (mover.getAttribute("data-zg-move") === "1" && item.nextElementSibling) {
      item.parentElement.insertBefore(item.nextElementSibling, item);
    }
  });

  // ---- HTMX -----------------------------------------------------------------------------------
  // Back/forward reloads the page from its address instead of restoring a stored copy: the
  // filter builder and selection live in script state a stored copy would not bring back.
  if (window.htmx) {
    window.htmx.config.historyCacheSize = 0;
    window.htmx.config.refreshOnHistoryMiss = true;
  }
  // A refused filter comes back as 400 with the table and its error message: show it.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 400 && e.detail.target && e.detail.target.id === "zg-list-table") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () { freeze(); refreshBatch(); });
  window.addEventListener("resize", freeze);
  freeze();
  refreshBatch();
})();
