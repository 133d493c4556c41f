/*
 * jiandu — the search page (find.html): a query box, facet filters with counts (jiandu-facets.js),
 * relevance or date order, and result rows with id, date, region, category and a marked snippet.
 * Queries go to the site's search worker (jiandu-search-worker.js, message type 100); the state
 * lives in the URL hash so a search can be shared, and the page works from file:// through the
 * iframe worker shim. Written for this project; no network access.
 */
(function () {
  "use strict";
  var form = document.getElementById("jiandu-search-form");
  if (!form || typeof Worker !== "function" || !window.JianduFacets) return;
  var input = document.getElementById("jiandu-search-q");
  var sort = document.getElementById("jiandu-search-sort");
  var facetsBox = document.getElementById("jiandu-search-facets");
  var results = document.getElementById("jiandu-search-results");
  var status = document.getElementById("jiandu-search-status");
  var state = JianduFacets.readState(location.hash);
  var ready = false, timer = null, asked = null, sent = 0;
  var normalize = window.jianduNormalizeQuery || function (text) { return text; };

  var worker = new Worker(new URL(form.getAttribute("data-worker"), document.baseURI).href);
  worker.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type === 1) { ready = true; run(); }
    else if (message.type === 101) show(message.data);
  });
  worker.postMessage({ type: 0 });

  function run() {
    var hash = JianduFacets.writeState(state);
    if (hash !== location.hash) history.replaceState(null, "", hash || location.pathname + location.search);
    if (!ready) return;
    if (!state.q.trim()) {
      results.textContent = "";
      facetsBox.textContent = "";
      status.textContent = "请输入检索词，如：挂案、两法衔接、昆明 2024年、NJ-2025-004。";
      return;
    }
    var request = { q: normalize(state.q), filters: state.filters, sort: state.sort, limit: 50 };
    var key = JSON.stringify(request);
    if (key === asked) return;  /* the same search again (Enter, then the typing pause): keep what is shown */
    asked = key;
    request.seq = ++sent;
    status.textContent = "正在检索……";
    worker.postMessage({ type: 100, data: request });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(data) {
    /* An answer to an earlier search that was already on its way when a newer one was sent: not shown. */
    if (data.seq !== undefined && data.seq !== sent) return;
    results.textContent = "";
    if (data.error) { asked = null; status.textContent = "检索出错：" + data.error; return; }
    status.textContent = data.total
      ? "共 " + data.total + " 个结果" + (data.total > data.items.length ? "，显示前 " + data.items.length + " 个" : "")
        + (state.sort === "date" ? "（按日期排列）" : "（按相关度排列）")
      : "没有找到符合条件的案例。";
    data.items.forEach(function (item) {
      var row = element("li", "jiandu-result");
      var link = element("a", "jiandu-result-title");
      link.href = new URL(item.location, document.baseURI).href;
      link.innerHTML = item.title;  /* escaped by the worker, query words in <mark> */
      row.appendChild(link);
      var facts = [item.id, item.date, item.region, item.category].filter(Boolean);
      if (facts.length) row.appendChild(element("div", "jiandu-result-meta", facts.join(" · ")));
      if (item.text) {
        var snippet = element("p", "jiandu-result-snippet");
        snippet.innerHTML = item.text;
        row.appendChild(snippet);
      }
      if (item.missing && item.missing.length)
        row.appendChild(element("p", "jiandu-result-lacks", "缺少：" + item.missing.join("、")));
      results.appendChild(row);
    });
    JianduFacets.render(facetsBox, data.facetList || [], state.filters, function (chosen) {
      state.filters = chosen;
      run();
    });
  }

  input.value = state.q;
  sort.value = state.sort;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    state.q = input.value;
    run();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = input.value; run(); }, 250);
  });
  sort.addEventListener("change", function () { state.sort = sort.value; run(); });
  window.addEventListener("hashchange", function () {
    state = JianduFacets.readState(location.hash);
    input.value = state.q;
    sort.value = state.sort;
    run();
  });
  run();
})();
