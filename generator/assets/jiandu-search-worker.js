/*
 * jiandu — site-search worker. Speaks mkdocs-material's search worker protocol
 * (0 SETUP → 1 READY, 2 QUERY → 3 RESULT) over the sharded index written by
 * generator/siteindex.py, loading only the index files a query needs. Each file
 * is a script calling jianduShard(name, data): loaded with importScripts in a
 * real Worker (synchronous) and with <script> tags by iframe-worker-shim.js on
 * file:// (importScripts returns a Promise there). The query algorithm mirrors
 * generator/siteindex.py query_site exactly; change both together.
 * Written for this project; no network access beyond the site's own files.
 */
(function (scope) {
  "use strict";
  var BASE = "../../search/jiandu/";     /* relative to this script */
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET[a]] = a;
  var RUNS = /[\u3400-\u9fff]+|(?:(?![\u3400-\u9fff])[\p{L}\p{N}])+/gu;

  var registered = Object.create(null);  /* name → data, filled by the index scripts */
  var loading = Object.create(null);     /* name → Promise of data */
  var shards = Object.create(null);      /* term shard name → {words, entries} */
  var manifest = null, stop = null;

  scope.jianduShard = function (name, data) { registered[name] = data; };

  function load(name) {
    if (!loading[name]) {
      loading[name] = Promise.resolve()
        .then(function () { return scope.importScripts(BASE + name + ".js"); })
        .then(function () {
          if (!(name in registered)) throw new Error("检索索引文件缺失：" + name);
          return registered[name];
        });
      loading[name].catch(function () { delete loading[name]; });
    }
    return loading[name];
  }

  function postingCount(text) {
    var count = 0;
    for (var i = 0; i < text.length; i++) if (DIGIT[text[i]] < 32) count++;
    return count >> 1;
  }

  function decode(text) {
    var docs = [], scores = [], value = 0, doc = -1, odd = false;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text[i]];
      if (digit >= 32) { value = value * 32 + digit - 32; continue; }
      value = value * 32 + digit;
      if (!odd) doc += value + 1; else { docs.push(doc); scores.push(value); }
      odd = !odd;
      value = 0;
    }
    return { docs: docs, scores: scores };
  }

  async function termShard(ch) {
    var name = "t/" + (ch.codePointAt(0) % manifest.b);
    if (!shards[name]) {
      var data = await load(name), entries = new Map();
      data.w.forEach(function (word, i) { entries.set(word, data.p[i]); });
      shards[name] = { words: data.w, entries: entries };
    }
    return shards[name];
  }

  function df(shard, term) {
    var entry = shard.entries.get(term);
    return Array.isArray(entry) ? entry[0] : postingCount(entry);
  }

  function expansions(shard, prefix) {
    var found = shard.words.filter(function (w) { return w.length > prefix.length && w.startsWith(prefix); });
    var counts = new Map(found.map(function (w) { return [w, df(shard, w)]; }));
    found.sort(function (x, y) { return counts.get(y) - counts.get(x); });  /* stable: ties keep index order */
    return found.slice(0, manifest.expand);
  }

  /* The query's words: [{word, alts: [{shard, term, weight}]}]; every word must match. */
  async function parse(text) {
    var exact = manifest.weights[0], prefix = manifest.weights[1];
    var words = [], runs = text.match(RUNS) || [];
    for (var r = 0; r < runs.length; r++) {
      var run = runs[r], sh, alts;
      if (!/^[\u3400-\u9fff]/.test(run)) {
        if (stop.has(run)) continue;
        sh = await termShard(run);
        alts = sh.entries.has(run) ? [{ shard: sh, term: run, weight: exact }] : [];
        expansions(sh, run).forEach(function (w) { alts.push({ shard: sh, term: w, weight: prefix }); });
        words.push({ word: run, alts: alts });
        continue;
      }
      var i = 0;
      while (i < run.length) {
        sh = await termShard(run[i]);
        var rest = run.slice(i), word, found;
        if (sh.entries.has(rest) || stop.has(rest)) {
          word = rest; alts = [{ shard: sh, term: rest, weight: exact }]; i = run.length;
        } else if ((found = expansions(sh, rest)).length) {
          word = rest;
          alts = found.map(function (w) { return { shard: sh, term: w, weight: prefix }; });
          i = run.length;
        } else {
          var size = 1;
          for (var k = rest.length; k > 1; k--) {
            var part = rest.slice(0, k);
            if (sh.entries.has(part) || stop.has(part)) { size = k; break; }
          }
          word = rest.slice(0, size);
          alts = sh.entries.has(word) ? [{ shard: sh, term: word, weight: exact }] : [];
          i += size;
        }
        if (!stop.has(word)) words.push({ word: word, alts: alts });
      }
    }
    return words;
  }

  function idfQ(n, count) {
    return Math.max(1, Math.floor(Math.log(1 + (n - count + 0.5) / (count + 0.5)) * 1000 + 0.5));
  }

  async function search(query) {
    var words = await parse(query.toLowerCase());
    if (!words.length) return { items: [], total: 0 };
    var scored = [];
    for (var w = 0; w < words.length; w++) {
      var best = new Map();
      for (var a = 0; a < words[w].alts.length; a++) {
        var alt = words[w].alts[a], entry = alt.shard.entries.get(alt.term);
        if (entry === undefined) continue;
        var list = decode(Array.isArray(entry) ? await load(entry[1]) : entry);
        var factor = idfQ(manifest.n, list.docs.length) * alt.weight;
        for (var p = 0; p < list.docs.length; p++) {
          var value = factor * list.scores[p], doc = list.docs[p];
          if (value > (best.get(doc) || 0)) best.set(doc, value);
        }
      }
      scored.push(best);
    }
    var order = scored.map(function (_, i) { return i; })
      .sort(function (x, y) { return scored[x].size - scored[y].size; });
    var totals = new Map(scored[order[0]]);
    for (var o = 1; o < order.length; o++) {
      var other = scored[order[o]], next = new Map();
      totals.forEach(function (value, doc) { if (other.has(doc)) next.set(doc, value + other.get(doc)); });
      totals = next;
    }
    var ranked = Array.from(totals).sort(function (x, y) { return y[1] - x[1] || x[0] - y[0]; });
    var top = ranked.slice(0, manifest.top), items = [];
    var terms = {}, marks = words.map(function (x) { terms[x.word] = true; return x.word; });
    for (var t = 0; t < top.length; t++) {
      var rows = await load("d/" + Math.floor(top[t][0] / manifest.ds));
      var row = rows[top[t][0] % manifest.ds];
      items.push([{
        location: row[0],
        title: highlight(row[1], marks),
        text: row[2] ? "<p>" + highlight(row[2], marks) + "</p>" : "",
        score: top[t][1] / 10000,
        terms: Object.assign({}, terms)
      }]);
    }
    return { items: items, total: ranked.length };
  }

  function escapeHTML(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /* Escape text and wrap the query words found in it in <mark>. */
  function highlight(text, words) {
    var lower = text.toLowerCase();
    if (lower.length !== text.length) return escapeHTML(text);
    var marked = new Array(text.length).fill(false);
    words.forEach(function (word) {
      if (!word) return;
      for (var at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1))
        for (var i = at; i < at + word.length; i++) marked[i] = true;
    });
    var out = "", i = 0;
    while (i < text.length) {
      var j = i;
      while (j < text.length && marked[j] === marked[i]) j++;
      var part = escapeHTML(text.slice(i, j));
      out += marked[i] ? "<mark>" + part + "</mark>" : part;
      i = j;
    }
    return out;
  }

  /* Answer the latest query only: while index files load, newer queries replace older ones. */
  var ready = null, pending = null, busy = false;

  async function drain() {
    if (busy) return;
    busy = true;
    try {
      while (pending !== null) {
        var query = pending;
        pending = null;
        var result;
        try {
          await ready;
          result = await search(query);
        } catch (error) {
          result = { items: [], total: 0 };
          if (scope.console) scope.console.error(error);
        }
        if (pending === null) scope.postMessage({ type: 3, data: result });
      }
    } finally {
      busy = false;
    }
  }

  scope.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type === 0) {
      ready = load("manifest").then(function (data) {
        manifest = data;
        stop = new Set(data.stop);
        scope.postMessage({ type: 1 });
      });
      ready.catch(function (error) { if (scope.console) scope.console.error(error); });
    } else if (message.type === 2 && typeof message.data === "string") {
      pending = message.data;
      drain();
    }
  });
})(self);
