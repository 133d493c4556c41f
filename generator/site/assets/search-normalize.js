/*
 * jiandu — site search glue, loaded after iframe-worker-shim.js and t2s-data.js:
 * - material's search worker is replaced by ours (jiandu-search-worker.js, next
 *   to material's workers/ folder), which reads the sharded index under
 *   search/jiandu/ a few files at a time — over http and, through the iframe
 *   shim, from file://;
 * - queries are normalised before they reach the worker: Traditional →
 *   Simplified (table from OpenCC, see t2s-data.js) and full-width → half-width,
 *   so 檢察院 and ＡＢＣ find 检察院 and abc;
 * - the worker sends the top results and the total; the count line says both.
 */
(function () {
  "use strict";
  var data = window.__jianduT2S;
  var table = new Map();
  if (data) {
    var traditional = Array.from(data[0]), simplified = Array.from(data[1]);
    traditional.forEach(function (ch, i) { table.set(ch, simplified[i]); });
  }

  function normalize(query) {
    var folded = Array.from(query).map(function (ch) {
      var f = ch.normalize("NFKC");
      return f.length === 1 ? f : ch;
    }).join("");
    return Array.from(folded).map(function (ch) { return table.get(ch) || ch; }).join("");
  }
  window.jianduNormalizeQuery = normalize;

  /* material's worker URL → ours, or the URL unchanged for any other worker. */
  function workerUrl(url) {
    var text = String(url);
    if (text.indexOf("workers/search.") < 0) return url;
    return new URL("../jiandu-search-worker.js", new URL(text, document.baseURI)).href;
  }

  function showCount(result) {
    var meta = document.querySelector(".md-search-result__meta");
    if (meta && result && result.total > result.items.length)
      meta.textContent = "共 " + result.total + " 个结果，显示前 " + result.items.length + " 个";
  }

  var Base = window.Worker;
  if (typeof Base !== "function") return;
  class JianduWorker extends Base {
    constructor(url, options) {
      var ours = workerUrl(url);
      if (options === undefined) super(ours); else super(ours, options);
      if (ours !== url) {
        /* runs before material's listener; material writes its count line synchronously, so correct it after */
        var latest = null;
        this.addEventListener("message", function (event) {
          var message = event.data;
          if (message && message.type === 3) {
            latest = message.data;
            setTimeout(function () { showCount(latest); }, 0);
          }
        });
      }
    }

    postMessage(message, transfer) {
      // material's worker protocol: type 2 carries the query string
      if (message && message.type === 2 && typeof message.data === "string") {
        message = { type: 2, data: normalize(message.data) };
      }
      return transfer === undefined ? super.postMessage(message) : super.postMessage(message, transfer);
    }
  }
  window.Worker = JianduWorker;
})();
