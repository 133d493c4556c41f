/*
 * jiandu — normalise site-search queries before they reach the search worker:
 * Traditional → Simplified (table from OpenCC, see t2s-data.js) and
 * full-width → half-width, so 檢察院 and ＡＢＣ find 检察院 and abc.
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

  var Base = window.Worker;
  if (typeof Base !== "function") return;
  class NormalizingWorker extends Base {
    postMessage(message, transfer) {
      // material's worker protocol: type 2 carries the query string
      if (message && message.type === 2 && typeof message.data === "string") {
        message = { type: 2, data: normalize(message.data) };
      }
      return transfer === undefined ? super.postMessage(message) : super.postMessage(message, transfer);
    }
  }
  window.Worker = NormalizingWorker;
})();
