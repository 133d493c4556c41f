/* 监督案例库 — page behaviour: print marking, print button, sorting listings, filtering the ledger.
 * Written for this project; runs from file:// and any sub-path, fetches nothing. */
(function () {
  "use strict";

  function cssString(text) {
    return '"' + String(text).replace(/[\\"]/g, "\\$&").replace(/[\n\r]/g, " ") + '"';
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  /* The values the print stylesheet puts in every sheet's margins (see jiandu.css @page). */
  function printMarking() {
    var root = document.documentElement.style;
    var address = location.href.split("#")[0];
    var holder = document.querySelector("[data-jiandu-case]");
    var caseId = holder ? holder.getAttribute("data-jiandu-case") : "";
    var edition = document.querySelector("[data-jiandu-edition-short]");
    var label = edition ? edition.getAttribute("data-jiandu-edition-short") : "";
    var printed = "打印于 " + today();
    root.setProperty("--jiandu-print-url", cssString(address));
    root.setProperty("--jiandu-print-date", cssString(printed));
    root.setProperty("--jiandu-print-case", cssString(caseId ? "案例编号 " + caseId : document.title.split(" - ")[0]));
    if (label) root.setProperty("--jiandu-print-edition", cssString(label));
    var article = document.querySelector("article.md-content__inner");
    if (!article) return;
    var meta = article.querySelector(".jiandu-print-meta");
    if (!meta) {
      meta = document.createElement("p");
      meta.className = "jiandu-print-meta";
      meta.setAttribute("aria-hidden", "true");
      article.insertBefore(meta, article.firstChild);
    }
    meta.textContent = [label, caseId ? "案例编号 " + caseId : "", printed, address].filter(Boolean).join("　");
  }

  /* material's search dialog has no accessible name; naming it here keeps the theme's partial unforked. */
  function nameSearchDialog() {
    var dialog = document.querySelector('.md-search[role="dialog"]');
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "站内检索");
  }

  function printButtons() {
    document.querySelectorAll("[data-jiandu-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  /* A listing table with data-jiandu-sort: buttons reorder its rows by date. */
  function sortableTables() {
    document.querySelectorAll("table[data-jiandu-sort]").forEach(function (table) {
      var bar = document.createElement("div");
      bar.className = "jiandu-sort";
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", "排序");
      bar.appendChild(document.createTextNode("排序："));
      var orders = [["desc", "日期由近及远"], ["asc", "日期由远及近"]];
      var buttons = orders.map(function (order) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = order[1];
        button.setAttribute("data-order", order[0]);
        button.setAttribute("aria-pressed", String(order[0] === table.getAttribute("data-jiandu-sort")));
        bar.appendChild(button);
        bar.appendChild(document.createTextNode(" "));
        return button;
      });
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          var order = button.getAttribute("data-order");
          sortRows(table.tBodies[0], "data-date", order === "asc");
          buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        });
      });
      table.parentNode.insertBefore(bar, table);
    });
  }

  function sortRows(body, attribute, ascending) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.getAttribute(attribute) || "", y = b.getAttribute(attribute) || "";
      var order = x < y ? -1 : x > y ? 1 : 0;
      if (!order) order = (a.getAttribute("data-key") || "") < (b.getAttribute("data-key") || "") ? -1 : 1;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  /* 整改台账: filter by state, flag and unit, sort by deadline; the choice is kept in the address. */
  function ledgerFilters() {
    var form = document.querySelector("form.jiandu-filters[data-for]");
    if (!form) return;
    var table = document.getElementById(form.getAttribute("data-for"));
    var count = form.querySelector("[data-jiandu-count]");
    if (!table) return;
    var params = new URLSearchParams(location.search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && params.has(field.name)) field.value = params.get(field.name);
    });
    function matches(row, status, flag, unit) {
      if (unit && row.getAttribute("data-unit") !== unit) return false;
      if (flag && row.getAttribute("data-flag") !== flag) return false;
      if (status === "open") return row.getAttribute("data-open") === "1";
      if (status === "overdue") return row.getAttribute("data-overdue") === "1";
      if (status) return row.getAttribute("data-status") === status;
      return true;
    }
    function apply(remember) {
      var status = form.elements.status.value, flag = form.elements.flag.value, unit = form.elements.unit.value;
      var shown = 0, rows = table.tBodies[0].rows;
      var order = form.elements.order.value;
      sortRows(table.tBodies[0], order ? "data-deadline" : "data-rank", order !== "desc");
      for (var i = 0; i < rows.length; i++) {
        var show = matches(rows[i], status, flag, unit);
        rows[i].hidden = !show;
        if (show) shown++;
      }
      if (count) count.textContent = "显示 " + shown + " / " + rows.length + " 项";
      if (remember && window.history && history.replaceState) {
        var query = new URLSearchParams();
        ["status", "flag", "unit", "order"].forEach(function (name) {
          var value = form.elements[name].value;
          if (value) query.set(name, value);
        });
        try { history.replaceState(null, "", (query.toString() ? "?" + query : location.pathname.split("/").pop()) + location.hash); }
        catch (error) { /* file:// in some browsers: the filter still works */ }
      }
    }
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.hidden = false;
    apply(false);
  }

  function start() {
    nameSearchDialog();
    printMarking();
    printButtons();
    sortableTables();
    ledgerFilters();
    window.addEventListener("beforeprint", printMarking);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
