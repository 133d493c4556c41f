/* 监督案例库 — combined filtering on the 全部案例 listing (e.g. 监督内容 × 年份), in the browser.
 *
 * The facet panel is the search page's component (jiandu-facets.js: JianduFacets.render / readState /
 * writeState), so both pages filter alike and share the address format (#f.area=…&f.year=…).
 * The cases come from small data scripts written at build (data/cases-N.js: plain <script>s, so this
 * works from file://), loaded the first time a filter is chosen. Without a filter the static, paginated
 * listing is shown as it is. Values from case files are set as text, never as HTML.
 * Written for this project; fetches nothing from outside the site.
 */
(function () {
  "use strict";
  var root = document.getElementById("jiandu-list-filter");
  if (!root || !window.JianduFacets) return;
  var FIELDS = [["area", "监督内容", 3], ["year", "年份", -1], ["mechanism", "工作机制", 4], ["region", "地区", 5],
                ["unit", "被监督单位", 6]];
  var SHOWN = 100;
  var base = root.getAttribute("data-base");
  var chunks = parseInt(root.getAttribute("data-chunks"), 10) || 0;
  var panel = root.querySelector(".jiandu-list-facets");
  var status = root.querySelector(".jiandu-list-status");
  var output = root.querySelector(".jiandu-list-results");
  var cases = null, shown = SHOWN;

  function values(record, field) {
    if (field[2] < 0) return [record[2].slice(0, 4)];
    var value = record[field[2]];
    return Array.isArray(value) ? value : [value];
  }

  function load(done) {
    if (cases) return done();
    window.jianduCaseData = window.jianduCaseData || [];
    var loaded = 0;
    if (!chunks) { cases = []; return done(); }
    status.textContent = "正在载入案例数据……";
    for (var i = 0; i < chunks; i++) {
      var script = document.createElement("script");
      script.src = base + "cases-" + i + ".js";
      script.onload = function () { if (++loaded === chunks) { cases = window.jianduCaseData; done(); } };
      script.onerror = function () { status.textContent = "案例数据载入失败，请刷新页面。"; };
      document.head.appendChild(script);
    }
  }

  function matches(record, filters, except) {
    return FIELDS.every(function (field) {
      var wanted = filters[field[0]];
      if (!wanted || !wanted.length || field[0] === except) return true;
      var have = values(record, field);
      return wanted.some(function (value) { return have.indexOf(value) >= 0; });
    });
  }

  /* Counts of each value among the cases that pass the other fields' filters (as search facets do). */
  function facets(filters) {
    return FIELDS.map(function (field) {
      var counts = {};
      cases.forEach(function (record) {
        if (!matches(record, filters, field[0])) return;
        values(record, field).forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
      });
      var list = Object.keys(counts).map(function (value) { return [value, counts[value]]; });
      list.sort(field[0] === "year" ? function (a, b) { return a[0] < b[0] ? 1 : -1; }
                                    : function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
      return { name: field[0], label: field[1], values: list };
    });
  }

  function cell(row, label, text, href) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      td.appendChild(link);
    } else td.textContent = text;
    row.appendChild(td);
  }

  function table(records) {
    var tableNode = document.createElement("table");
    tableNode.className = "jiandu-list";
    var head = tableNode.createTHead().insertRow();
    ["编号", "标题", "日期", "地区", "监督内容"].forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    var body = tableNode.createTBody();
    records.forEach(function (record) {
      var row = body.insertRow();
      cell(row, "编号", record[0]);
      cell(row, "标题", record[1], root.getAttribute("data-cases") + record[0] + ".html");
      cell(row, "日期", record[2]);
      cell(row, "地区", record[5]);
      cell(row, "监督内容", record[3]);
    });
    return tableNode;
  }

  function show() {
    var state = JianduFacets.readState(location.hash);
    var filters = state.filters, active = Object.keys(filters).length > 0;
    if (!active && !cases) return renderPanel(null, filters);
    load(function () {
      var chosen = cases.filter(function (record) { return matches(record, filters, null); });
      chosen.sort(function (a, b) { return a[2] < b[2] ? 1 : a[2] > b[2] ? -1 : (a[0] < b[0] ? -1 : 1); });
      renderPanel(facets(filters), filters);
      var statics = document.querySelectorAll("[data-jiandu-static]");  /* after this script in the page */
      for (var i = 0; i < statics.length; i++) statics[i].hidden = active;
      output.textContent = "";
      if (!active) { status.textContent = "勾选任意几项组合筛选（同一项内为“或”，不同项之间为“且”）。"; return; }
      status.textContent = "符合条件的案例 " + chosen.length + " 件，按监督日期由近及远排列。";
      if (!chosen.length) return;
      output.appendChild(table(chosen.slice(0, shown)));
      if (chosen.length > shown) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "md-button";
        more.textContent = "再显示 " + Math.min(SHOWN, chosen.length - shown) + " 件";
        more.addEventListener("click", function () { shown += SHOWN; show(); });
        output.appendChild(more);
      }
    });
  }

  function renderPanel(list, filters) {
    if (!list) {  /* no data yet: a button loads it and shows the facets */
      panel.textContent = "";
      var open = document.createElement("button");
      open.type = "button";
      open.className = "md-button";
      open.textContent = "组合筛选（监督内容、年份、工作机制、地区、被监督单位）";
      open.addEventListener("click", function () { load(show); });
      panel.appendChild(open);
      return;
    }
    JianduFacets.render(panel, list, filters, function (chosen) {
      var state = JianduFacets.readState(location.hash);
      state.filters = chosen;
      shown = SHOWN;
      var hash = JianduFacets.writeState(state);
      try { history.replaceState(null, "", hash || location.pathname.split("/").pop()); } catch (error) { location.hash = hash; }
      show();
    });
  }

  root.hidden = false;
  window.addEventListener("hashchange", show);
  show();
})();
