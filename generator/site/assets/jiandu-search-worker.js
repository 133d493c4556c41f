/*
 * jiandu — site-search worker. Speaks mkdocs-material's search worker protocol
 * (0 SETUP → 1 READY, 2 QUERY → 3 RESULT) over the sharded index written by
 * generator/siteindex/ (writer.py), loading only the index files a query needs. Each file
 * is a script calling jianduShard(name, data): loaded with importScripts in a
 * real Worker (synchronous) and with <script> tags by iframe-worker-shim.js on
 * file:// (importScripts returns a Promise there). The query algorithm mirrors
 * generator/siteindex/query.py query_site exactly; change both together.
 * Written for this project; no network access beyond the site's own files.
 */
(function (scope) {
  "use strict";
  var BASE = "../../search/jiandu/";     /* relative to this script */
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET[a]] = a;
  var RUNS = /\d{4}年|[\u3400-\u9fff]+|[a-z0-9]+(?:-[a-z0-9]+)*/g;   /* queryplan.RUNS */
  var CJK_START = /^[\u3400-\u9fff]/;

  var registered = Object.create(null);  /* name → data, filled by the index scripts */
  var loading = Object.create(null);     /* name → Promise of data */
  var shards = Object.create(null);      /* term shard name → {words, entries} */
  var manifest = null, stop = null, plan = null, synonyms = null;

  scope.jianduShard = function (name, data) { registered[name] = data; };

  /* Over http a file is fetched and its JSON parsed (no eval), so several load at once; on file://
     the shim's importScripts (script tags, a Promise) is used. */
  var FETCH = typeof scope.fetch === "function" && /^https?:$/.test(scope.location.protocol);

  function fetchShard(name) {
    return scope.fetch(BASE + name + ".js").then(function (response) {
      if (!response.ok) throw new Error("检索索引文件缺失：" + name);
      return response.text();
    }).then(function (text) {
      registered[name] = JSON.parse(text.slice(text.indexOf(",") + 1, text.lastIndexOf(");")));
    });
  }

  function load(name) {
    if (!loading[name]) {
      loading[name] = Promise.resolve()
        .then(function () { return FETCH ? fetchShard(name) : scope.importScripts(BASE + name + ".js"); })
        .then(function () {
          if (!(name in registered)) throw new Error("检索索引文件缺失：" + name);
          return registered[name];
        });
      loading[name].catch(function () { delete loading[name]; });
    }
    return loading[name];
  }

  /* Start loading files a query is likely to need, all at once; errors surface when they are used. */
  function prefetch(promises) {
    return Promise.all(promises.map(function (promise) { return promise.catch(function () {}); }));
  }

  function postingCount(text) {
    var count = 0;
    for (var i = 0; i < text.length; i++) if (DIGIT[text[i]] < 32) count++;
    return count >> 1;
  }

  /* codec.decode_posting_arrays: the gaps of n docs, then their n scores */
  function decode(text) {
    var numbers = smallNumbers(text), count = numbers.length >> 1, docs = new Array(count), doc = -1;
    for (var i = 0; i < count; i++) { doc += numbers[i] + 1; docs[i] = doc; }
    return { docs: docs, scores: numbers.slice(count) };
  }

  /* siteindex/shards.py shard_of: by the first character; bigram-field terms in shards b … 2b-1 */
  function shardName(term) {
    return "t/" + (term.codePointAt(0) % manifest.b + (term.endsWith(manifest.mark) ? manifest.b : 0));
  }

  async function termShard(term) {
    var name = shardName(term);
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

  /* --- the query planner: generator/queryplan.py, line for line ------------------------ */

  async function has(term) {
    return (await termShard(term)).entries.has(term);
  }

  async function expansions(prefix) {
    var shard = await termShard(prefix), mark = manifest.mark;
    var found = shard.words.filter(function (w) {
      return w.length > prefix.length && w.startsWith(prefix) && !w.endsWith(mark);
    });
    var counts = new Map(found.map(function (w) { return [w, df(shard, w)]; }));
    found.sort(function (x, y) { return counts.get(y) - counts.get(x); });  /* stable: ties keep index order */
    return found.slice(0, manifest.expand);
  }

  async function postings(term) {
    var shard = await termShard(term), entry = shard.entries.get(term);
    if (entry === undefined) return { docs: [], scores: [] };
    return decode(Array.isArray(entry) ? await load(entry[1]) : entry);
  }

  async function postingsFile(term) {
    var entry = (await termShard(term)).entries.get(term);
    if (Array.isArray(entry)) await load(entry[1]);
  }

  async function splitKnown(text) {
    var parts = [], i = 0;
    while (i < text.length) {
      var size = 0;
      for (var k = text.length - i; k > 0; k--) if (await has(text.slice(i, i + k))) { size = k; break; }
      if (!size) return null;
      parts.push(text.slice(i, i + size));
      i += size;
    }
    return parts;
  }

  async function frequency(term) {
    var shard = await termShard(term);
    return shard.entries.has(term) ? df(shard, term) : 0;
  }

  /* queryplan._alternatives: the loose ones (synonyms matched by their pieces, bigrams) only while the
     word's own alternatives match fewer than manifest.loose cases */
  async function alternatives(word, prefix) {
    var w8 = manifest.weights, alts = [];
    if (await has(word)) alts.push({ terms: [word], weight: w8[0] });
    if (prefix) (await expansions(word)).forEach(function (w) { alts.push({ terms: [w], weight: w8[1] }); });
    var others = Object.prototype.hasOwnProperty.call(synonyms, word) ? synonyms[word] : [];
    var whole = [], covered = 0;
    for (var h = 0; h < others.length; h++) if (await has(others[h])) whole.push(others[h]);
    for (var c = 0; c < alts.length; c++) covered += await frequency(alts[c].terms[0]);
    for (var u = 0; u < whole.length; u++) covered += await frequency(whole[u]);
    var loose = covered < manifest.loose;
    for (var o = 0; o < others.length; o++) {
      if (whole.indexOf(others[o]) >= 0) { alts.push({ terms: [others[o]], weight: w8[2] }); continue; }
      if (!loose) continue;
      var parts = [], pieces = others[o].split(" ");
      for (var p = 0; p < pieces.length; p++) {
        var known = (await has(pieces[p])) ? [pieces[p]] : await splitKnown(pieces[p]);
        if (known === null) { parts = []; break; }
        parts = parts.concat(known);
      }
      if (parts.length) alts.push({ terms: parts, weight: w8[2] });
    }
    if (loose && word.length >= 2 && CJK_START.test(word)) {  /* any two characters of a title or keyword */
      var grams = [];
      for (var g = 0; g + 1 < word.length; g++) {
        var gram = word.slice(g, g + 2) + manifest.mark;
        if (grams.indexOf(gram) < 0) grams.push(gram);
      }
      var all = true;
      for (var q = 0; q < grams.length; q++) if (!(await has(grams[q]))) { all = false; break; }
      if (all) alts.push({ terms: grams, weight: w8[3] });
    }
    return alts;
  }

  function isSynonym(word) { return Object.prototype.hasOwnProperty.call(synonyms, word); }

  async function startsKnown(text) {
    if (text.length >= 2 && (await has(text.slice(0, 2) + manifest.mark))) return true;
    for (var k = 2; k <= text.length; k++) {
      var part = text.slice(0, k);
      if ((await has(part)) || isSynonym(part)) return true;
    }
    return false;
  }

  /* The query's words: [{word, alts: [{terms, weight}]}]. */
  async function parse(text) {
    var words = [], seen = new Set(), runs = text.toLowerCase().match(RUNS) || [];
    async function add(word, prefix) {
      if (stop.has(word) || seen.has(word)) return;
      seen.add(word);
      words.push({ word: word, alts: await alternatives(word, prefix) });
    }
    var likely = [];  /* the word and bigram shards of each character */
    runs.forEach(function (run) {
      for (var c = 0; c < (CJK_START.test(run) ? run.length : 1); c++) {
        likely.push(termShard(run[c]));
        if (CJK_START.test(run[c]) && c + 1 < run.length) likely.push(termShard(run.slice(c, c + 2) + manifest.mark));
      }
    });
    await prefetch(likely);
    for (var r = 0; r < runs.length; r++) {
      var run = runs[r];
      if (!CJK_START.test(run)) { await add(run, !(await has(run))); continue; }
      var i = 0;
      while (i < run.length) {
        var rest = run.slice(i);
        if ((await has(rest)) || isSynonym(rest) || stop.has(rest)) { await add(rest, false); break; }
        if ((await expansions(rest)).length) { await add(rest, true); break; }
        var size = 0;
        for (var k = rest.length - 1; k > 1; k--) {
          var part = rest.slice(0, k);
          if ((await has(part)) || isSynonym(part) || stop.has(part)) { size = k; break; }
        }
        if (!size) {
          size = rest.length >= 2 && (await has(rest.slice(0, 2) + manifest.mark)) ? 2 : 1;
          if (size === 1) while (size < rest.length && !(await startsKnown(rest.slice(size)))) size++;
        }
        await add(rest.slice(0, size), false);
        i += size;
      }
    }
    return words;
  }

  function idfQ(n, count) {
    return Math.max(1, Math.floor(Math.log(1 + (n - count + 0.5) / (count + 0.5)) * 1000 + 0.5));
  }

  async function wordScores(word) {
    var found = new Map();
    for (var a = 0; a < word.alts.length; a++) {
      var alt = word.alts[a], total = null;
      for (var t = 0; t < alt.terms.length; t++) {
        var list = await postings(alt.terms[t]), factor = idfQ(manifest.n, list.docs.length) * alt.weight;
        var next = new Map();
        for (var p = 0; p < list.docs.length; p++) {
          var doc = list.docs[p], value = factor * list.scores[p];
          if (total === null) next.set(doc, value);
          else if (total.has(doc)) next.set(doc, total.get(doc) + value);
        }
        total = next;
        if (!total.size) break;
      }
      if (total) total.forEach(function (value, doc) {
        var entry = found.get(doc);
        if (entry === undefined) found.set(doc, [value, value]);
        else { entry[0] = Math.max(entry[0], value); entry[1] += value; }
      });
    }
    /* the best alternative counts in full, the others a quarter */
    var best = new Map();
    found.forEach(function (entry, doc) { best.set(doc, entry[0] + Math.floor((entry[1] - entry[0]) / 4)); });
    return best;
  }

  /* Soft matching: every word first, then how many words, then score; ties by doc number. */
  async function rank(words) {
    if (!words.length) return [];
    var large = [];
    words.forEach(function (word) {
      word.alts.forEach(function (alt) { alt.terms.forEach(function (term) { large.push(postingsFile(term)); }); });
    });
    await prefetch(large);
    var totals = new Map();
    for (var bit = 0; bit < words.length; bit++) {
      (await wordScores(words[bit])).forEach(function (value, doc) {
        var entry = totals.get(doc);
        if (entry === undefined) totals.set(doc, [value, 1, [bit]]);
        else { entry[0] += value; entry[1] += 1; entry[2].push(bit); }
      });
    }
    var need = Math.max(1, (words.length + 1) >> 1), ranked = [];
    totals.forEach(function (entry, doc) { if (entry[1] >= need) ranked.push([doc, entry]); });
    ranked.sort(function (x, y) { return y[1][1] - x[1][1] || y[1][0] - x[1][0] || x[0] - y[0]; });
    return ranked.map(function (item) {
      var have = new Set(item[1][2]);
      return { doc: item[0], score: item[1][0], matched: item[1][1],
               missing: words.filter(function (_, b) { return !have.has(b); }).map(function (w) { return w.word; }) };
    });
  }

  function marksOf(words) {
    var found = [], gram = manifest.weights[3];
    words.forEach(function (word) {
      var terms = [word.word];
      word.alts.forEach(function (alt) { if (alt.weight !== gram) terms = terms.concat(alt.terms); });
      terms.forEach(function (term) {
        if (found.indexOf(term) < 0 && (term.length > 1 || word.word.length === 1)) found.push(term);
      });
    });
    return found;
  }

  function smallNumbers(text) {
    var out = [], value = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text[i]];
      if (digit >= 32) { value = value * 32 + digit - 32; continue; }
      out.push(value * 32 + digit);
      value = 0;
    }
    return out;
  }

  /* Every doc's row [date rank, values of each facet…] (null: no facets): siteindex/query.py facet_rows. */
  async function facetRows(data, sort) {
    var rows = [];
    for (var d = 0; d < data.n; d++) rows.push([0]);
    data.c.forEach(function (column) {
      var counts = smallNumbers(column[0]), flat = smallNumbers(column[1]), at = 0;
      for (var r = 0; r < rows.length; r++) {
        var found = [], last = 0;
        for (var k = 0; k < counts[r]; k++) { last += flat[at + k]; found.push(last); }
        rows[r].push(found);
        at += counts[r];
      }
    });
    if (sort === "date") smallNumbers(await load("../jiandu-x/dates")).forEach(function (date, r) { rows[r][0] = date; });
    data.none.forEach(function (doc) { rows[doc] = null; });
    return rows;
  }

  /* Facet filters, counts and date order over the ranked results (siteindex/query.py narrow_results). */
  async function narrow(ranked, filters, sort) {
    var facets = plan.facets, data = await load("../jiandu-x/facets"), rows = await facetRows(data, sort);
    var chosen = [];
    facets.forEach(function (facet, f) {
      var picked = (filters && filters[facet[0]]) || [];
      if (picked.length) {
        var wanted = new Set();
        picked.forEach(function (v) { var i = data.v[f].indexOf(v); if (i >= 0) wanted.add(i); });
        chosen.push([f, wanted]);
      }
    });
    function passes(row, skip) {
      return chosen.every(function (c) {
        return c[0] === skip || row[c[0] + 1].some(function (v) { return c[1].has(v); });
      });
    }
    var kept = ranked.filter(function (hit) {
      if (!chosen.length) return true;
      var row = rows[hit.doc];
      return row !== null && row !== undefined && passes(row, -1);
    });
    /* a facet's counts ignore its own filter: its other values stay choosable */
    var counts = facets.map(function () { return new Map(); });
    ranked.forEach(function (hit) {
      var row = rows[hit.doc];
      if (!row) return;
      for (var f = 0; f < facets.length; f++)
        if (passes(row, f)) row[f + 1].forEach(function (v) { counts[f].set(v, (counts[f].get(v) || 0) + 1); });
    });
    var out = {};
    facets.forEach(function (facet, f) {
      out[facet[0]] = Array.from(counts[f]).sort(function (x, y) { return y[1] - x[1] || x[0] - y[0]; })
        .map(function (vc) { return [data.v[f][vc[0]], vc[1]]; });
    });
    if (sort === "date") {
      var date = function (hit) { var row = rows[hit.doc]; return row ? row[0] : 0; };
      kept.sort(function (x, y) { return date(y) - date(x) || x.doc - y.doc; });
    }
    return { kept: kept, facets: out };
  }

  async function rows(hits) {
    var out = [];
    await prefetch(hits.map(function (hit) { return load("d/" + Math.floor(hit.doc / manifest.ds)); }));
    for (var t = 0; t < hits.length; t++) {
      var shard = await load("d/" + Math.floor(hits[t].doc / manifest.ds));
      out.push(shard[hits[t].doc % manifest.ds]);
    }
    return out;
  }

  /* material's protocol: the top results as material renders them, and the total. */
  async function search(query) {
    var words = await parse(query);
    var ranked = await rank(words);
    var top = ranked.slice(0, manifest.top), found = await rows(top), marks = marksOf(words), items = [];
    var terms = {};
    words.forEach(function (x) { terms[x.word] = true; });
    for (var t = 0; t < top.length; t++) {
      var row = found[t], meta = row.slice(3).filter(Boolean).map(escapeHTML).join(" · ");
      var lacks = top[t].missing.length ? "<p class=\"jiandu-lacks\">缺少：" + escapeHTML(top[t].missing.join("、")) + "</p>" : "";
      items.push([{
        location: row[0],
        title: highlight(row[1], marks),
        text: (meta ? "<p class=\"jiandu-meta\">" + meta + "</p>" : "") + (row[2] ? "<p>" + highlight(row[2], marks) + "</p>" : "") + lacks,
        score: top[t].score / 10000,
        terms: Object.assign({}, terms)
      }]);
    }
    return { items: items, total: ranked.length };
  }

  /* The search page's protocol: filters, sort, facet counts, rows with their meta. */
  async function searchPage(request) {
    var words = await parse(request.q || "");
    var narrowed = await narrow(await rank(words), request.filters || {}, request.sort || "relevance");
    var limit = Math.min(request.limit || 50, 200), top = narrowed.kept.slice(0, limit);
    var found = await rows(top), marks = marksOf(words);
    return {
      total: narrowed.kept.length, facets: narrowed.facets, words: words.map(function (w) { return w.word; }),
      facetList: plan.facets.map(function (f) { return { name: f[0], label: f[1], values: narrowed.facets[f[0]] }; }),
      items: top.map(function (hit, i) {
        var row = found[i];
        return { location: row[0], title: highlight(row[1], marks), text: highlight(row[2] || "", marks),
                 id: row[3] || "", date: row[4] || "", region: row[5] || "", category: row[6] || "",
                 missing: hit.missing, score: hit.score };
      })
    };
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
  var ready = null, pending = {}, busy = {};

  async function drain(kind) {
    if (busy[kind]) return;
    busy[kind] = true;
    try {
      while (pending[kind] !== undefined) {
        var query = pending[kind];
        delete pending[kind];
        var result;
        try {
          await ready;
          result = kind === 2 ? await search(query) : await searchPage(query);
        } catch (error) {
          result = kind === 2 ? { items: [], total: 0 } : { items: [], total: 0, facets: {}, words: [], error: String(error) };
          if (scope.console) scope.console.error(error);
        }
        if (kind === 100 && query && query.seq !== undefined) result.seq = query.seq;  /* the page's own number */
        if (pending[kind] === undefined) scope.postMessage({ type: kind === 2 ? 3 : 101, data: result });
      }
    } finally {
      busy[kind] = false;
    }
  }

  scope.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type === 0) {
      ready = Promise.all([load("manifest"), load("../jiandu-x/plan")]).then(function (data) {
        manifest = data[0];
        plan = data[1];
        stop = new Set(manifest.stop);
        synonyms = plan.synonyms || {};
        scope.postMessage({ type: 1 });
      });
      ready.catch(function (error) { if (scope.console) scope.console.error(error); });
    } else if (message.type === 2 && typeof message.data === "string") {
      pending[2] = message.data;
      drain(2);
    } else if (message.type === 100 && message.data && typeof message.data === "object") {
      pending[100] = message.data;
      drain(100);
    }
  });
})(self);
