// Offline search over the static index that `hromadata build` writes to search/<lang>/ (format:
// src/render/search/index.rs). Progressive enhancement: without JavaScript the search page links
// the full lists instead. No dependencies and no requests outside the site: only relative fetches
// of the index files a query needs. The pure part (normalise, tokens, decoding, Engine) also runs
// under Node for tests/search/search.test.mjs; keep normalise/tokens in step with
// src/render/search/normalise.rs (both are tested against tests/search/normalise.json).
(function () {
  "use strict";

  var APOSTROPHES = "'\u02bc\u2019\u2018`\u02b9\uff07";
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var i = 0; i < B64.length; i++) DIGIT[B64.charAt(i)] = i;

  // Lowercase, apostrophes folded to ', decomposed й/ї composed, combining marks dropped, ё → е.
  function normalise(text) {
    var out = [];
    for (var c of String(text)) {
      if (APOSTROPHES.indexOf(c) >= 0) { out.push("'"); continue; }
      var last = out.length ? out[out.length - 1] : "";
      if (c === "\u0306" && last === "и") { out[out.length - 1] = "й"; continue; }
      if (c === "\u0308" && last === "і") { out[out.length - 1] = "ї"; continue; }
      var code = c.codePointAt(0);
      if (code >= 0x300 && code <= 0x36f) continue;
      for (var l of c.toLowerCase()) out.push(l === "ё" ? "е" : l);
    }
    return out.join("");
  }

  function isWord(c) { return c !== "'" && WORD.test(c); }

  // Runs of letters and digits; an apostrophe stays only between two of them.
  function tokens(text) {
    var chars = Array.from(normalise(text)), out = [], current = "";
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      var inner = c === "'" && current !== "" && i + 1 < chars.length && isWord(chars[i + 1]);
      if (isWord(c) || inner) current += c;
      else if (current) { out.push(current); current = ""; }
    }
    if (current) out.push(current);
    return out;
  }

  // Base64 VLQ numbers (five bits a digit, low first, 32 = more digits follow).
  function numbers(text) {
    var out = [], n = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charAt(i)];
      n += (d & 31) * scale;
      scale *= 32;
      if (!(d & 32)) { out.push(n); n = 0; scale = 1; }
    }
    return out;
  }

  // Postings of a facet value: gaps → document numbers.
  function ids(text) {
    var gaps = numbers(text), prev = -1;
    for (var i = 0; i < gaps.length; i++) { prev += gaps[i] + 1; gaps[i] = prev; }
    return gaps;
  }

  // Postings of a term: [document numbers, in-title flags].
  function termPostings(text) {
    var values = numbers(text), docs = [], title = [], prev = -1;
    for (var i = 0; i < values.length; i++) {
      prev += Math.floor(values[i] / 2) + 1;
      docs.push(prev);
      title.push(values[i] % 2);
    }
    return [docs, title];
  }

  // The shards (indexes into `firsts`, the sorted first terms) that may hold terms starting with w.
  function shardsFor(firsts, w) {
    var lo = 0, hi = firsts.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= w) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var out = firsts.length ? [at] : [];
    for (var j = at + 1; j < firsts.length && firsts[j].startsWith(w); j++) out.push(j);
    return out;
  }

  // The search over one language's index; `load(path)` resolves to the parsed JSON file.
  function Engine(load) {
    var cache = {};
    function get(path) {
      if (!cache[path]) cache[path] = load(path);
      return cache[path];
    }
    var meta = null, facets = null;
    // Loads a facet's values (a lazy facet's only when asked for).
    function loadFacet(f) {
      if (f.values) return Promise.resolve(f);
      return get("facets/" + f.key + ".json").then(function (file) {
        f.values = file.values.map(function (v, k) {
          return { key: v[0], label: v[1], index: k, docs: ids(file.docs[k]) };
        });
        return f;
      });
    }
    this.init = function () {
      return get("meta.json").then(function (m) {
        meta = m;
        facets = facets || m.facets.map(function (f) {
          return { key: f.key, label: f.label, lazy: f.lazy, values: null };
        });
        return Promise.all(facets.filter(function (f) { return !f.lazy; }).map(loadFacet));
      }).then(function () { return meta; });
    };
    this.loadFacet = function (key) {
      return loadFacet(facets.filter(function (f) { return f.key === key; })[0]);
    };
    // Per document: 0 no match, 1 in the text, 2 in the title.
    function word(w) {
      var hits = new Uint8Array(meta.docs);
      var files = shardsFor(meta.shards, w).map(function (n) { return get("terms/" + n + ".json"); });
      return Promise.all(files).then(function (shards) {
        shards.forEach(function (shard) {
          Object.keys(shard).forEach(function (term) {
            if (!term.startsWith(w)) return;
            var p = termPostings(shard[term]);
            for (var i = 0; i < p[0].length; i++) hits[p[0][i]] = Math.max(hits[p[0][i]], p[1][i] + 1);
          });
        });
        return hits;
      });
    }
    // Results of query `q` under `selected` ({facet: [value keys]}): ranked document numbers,
    // facet counts for the results' other selections, and whether one-letter words were dropped.
    this.search = function (q, selected) {
      var all = tokens(q), words = all.filter(function (w) { return Array.from(w).length > 1; });
      words = words.filter(function (w, i) { return words.indexOf(w) === i; });
      return Promise.all(words.map(word)).then(function (hits) {
        var n = meta.docs, score = new Int32Array(n), miss = new Uint8Array(n);
        for (var d = 0; d < n; d++) {
          for (var k = 0; k < hits.length; k++) {
            if (!hits[k][d]) { score[d] = -1; break; }
            if (hits[k][d] === 2) score[d]++;
          }
        }
        var masks = facets.map(function (f) {
          var chosen = (selected[f.key] || []);
          if (!chosen.length || !f.values) return null;
          var mask = new Uint8Array(n);
          f.values.forEach(function (v) {
            if (chosen.indexOf(v.key) >= 0) v.docs.forEach(function (id) { mask[id] = 1; });
          });
          for (var d = 0; d < n; d++) if (!mask[d]) miss[d]++;
          return mask;
        });
        var results = [];
        for (var d2 = 0; d2 < n; d2++) if (score[d2] >= 0 && !miss[d2]) results.push(d2);
        results.sort(function (a, b) { return score[b] - score[a] || a - b; });
        var counts = facets.map(function (f, k) {
          var mask = masks[k];
          if (!f.values) return null;
          return f.values.map(function (v) {
            var c = 0;
            v.docs.forEach(function (id) {
              if (score[id] >= 0 && (!miss[id] || (mask && miss[id] === 1 && !mask[id]))) c++;
            });
            return c;
          });
        });
        return { results: results, counts: counts, short: all.length > words.length && !words.length };
      });
    };
    this.facets = function () { return facets; };
    // The rows [url, title, title language, excerpt, kind] of documents `list`.
    this.docs = function (list) {
      var chunks = {};
      list.forEach(function (id) { chunks[Math.floor(id / meta.chunk)] = true; });
      var keys = Object.keys(chunks);
      return Promise.all(keys.map(function (c) { return get("docs/" + c + ".json"); })).then(function (files) {
        var byChunk = {};
        keys.forEach(function (c, k) { byChunk[c] = files[k]; });
        return list.map(function (id) { return byChunk[Math.floor(id / meta.chunk)][id % meta.chunk]; });
      });
    };
  }

  var api = { normalise: normalise, tokens: tokens, numbers: numbers, ids: ids, termPostings: termPostings, shardsFor: shardsFor, Engine: Engine };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  if (typeof document === "undefined") return;
  var root = document.getElementById("search");
  if (root) ui(root);

  function ui(root) {
    var PAGE = 20, SHOWN = 8;
    var data = root.dataset, lang = data.lang, home = data.home;
    var input = document.getElementById("search-q"), form = document.getElementById("search-form");
    var status = document.getElementById("search-status"), list = document.getElementById("search-list");
    var more = document.getElementById("search-more"), facetBox = document.getElementById("search-facets");
    var facetList = document.getElementById("search-facet-list"), clear = document.getElementById("search-clear");
    var engine = new Engine(function (path) {
      return fetch(data.index + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
    });
    var params = new URLSearchParams(location.search), selected = {}, expanded = {};
    var current = [], shown = 0, run = 0, timer = null;
    input.value = params.get("q") || "";
    status.textContent = data.loading;

    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }

    function syncUrl() {
      var p = new URLSearchParams();
      if (input.value.trim()) p.set("q", input.value.trim());
      engine.facets().forEach(function (f) {
        (selected[f.key] || []).forEach(function (v) { p.append(f.key, v); });
      });
      var qs = p.toString();
      history.replaceState(null, "", qs ? "?" + qs : location.pathname);
    }

    function renderFacets(counts) {
      var focused = document.activeElement && document.activeElement.id;
      facetList.textContent = "";
      engine.facets().forEach(function (f, k) {
        var chosen = selected[f.key] || [];
        if (!f.values) return facetList.appendChild(lazyFacet(f));
        var values = f.values.filter(function (v) {
          return counts[k][v.index] > 0 || chosen.indexOf(v.key) >= 0;
        });
        if (!values.length) return;
        values.sort(function (a, b) { return counts[k][b.index] - counts[k][a.index] || a.index - b.index; });
        var set = el("fieldset", "search-facet"), legend = el("legend", "", f.label);
        set.appendChild(legend);
        var open = expanded[f.key] || values.length <= SHOWN + 2;
        values.forEach(function (v, n) {
          if (!open && n >= SHOWN && chosen.indexOf(v.key) < 0) return;
          var id = "f-" + f.key + "-" + v.index, row = el("div", "search-value");
          var box = el("input");
          box.type = "checkbox"; box.id = id; box.name = f.key; box.value = v.key;
          box.checked = chosen.indexOf(v.key) >= 0;
          box.addEventListener("change", function () {
            var now = (selected[f.key] || []).filter(function (x) { return x !== v.key; });
            if (box.checked) now.push(v.key);
            selected[f.key] = now;
            update();
          });
          var label = el("label", "", v.label + " ");
          label.htmlFor = id;
          label.appendChild(el("span", "count", "(" + counts[k][v.index] + ")"));
          row.appendChild(box);
          row.appendChild(label);
          set.appendChild(row);
        });
        if (!open) {
          var all = el("button", "search-all", data.allValues + " (" + values.length + ")");
          all.type = "button";
          all.id = "f-all-" + f.key;
          all.addEventListener("click", function () { expanded[f.key] = true; update(); });
          set.appendChild(all);
        }
        facetList.appendChild(set);
      });
      facetBox.hidden = false;
      var any = Object.keys(selected).some(function (key) { return selected[key].length; });
      clear.hidden = !any;
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    }

    // A big facet (every hromada, every publisher) shown as a button until opened.
    function lazyFacet(f) {
      var set = el("fieldset", "search-facet"), open = el("button", "search-all", data.allValues);
      set.appendChild(el("legend", "", f.label));
      open.type = "button";
      open.id = "f-open-" + f.key;
      open.addEventListener("click", function () {
        engine.loadFacet(f.key).then(update).then(function () {
          var first = facetList.querySelector("input[name='" + f.key + "']");
          if (first) first.focus();
        }).catch(function () { status.textContent = data.error; });
      });
      set.appendChild(open);
      return set;
    }

    function showMore() {
      var slice = current.slice(shown, shown + PAGE), mine = run;
      shown += slice.length;
      more.hidden = shown >= current.length;
      return engine.docs(slice).then(function (rows) {
        if (mine !== run) return;
        var kinds = engine.meta.kinds;
        rows.forEach(function (row) {
          var li = el("li"), a = el("a", "search-title", row[1]);
          a.href = home + row[0];
          if (row[2] !== lang) a.lang = row[2];
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", "badge search-kind", kinds[row[4]] || row[4]));
          if (row[3]) {
            var p = el("p", "meta", row[3]);
            // Excerpts of publishers and territories are place names, transliterated on English
            // pages by the build; a dataset's excerpt is in its title's language.
            var exLang = row[4] === "dataset" ? row[2] : lang;
            if (exLang !== lang) p.lang = exLang;
            li.appendChild(p);
          }
          list.appendChild(li);
        });
      });
    }

    function update() {
      var mine = ++run;
      syncUrl();
      return engine.search(input.value, selected).then(function (r) {
        if (mine !== run) return;
        current = r.results;
        shown = 0;
        list.textContent = "";
        renderFacets(r.counts);
        status.textContent = r.short ? data.short : current.length ? data.found + ": " + current.length : data.none;
        return showMore();
      }).catch(function () { status.textContent = data.error; });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); update(); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 200); });
    more.addEventListener("click", function () {
      var first = shown;
      showMore().then(function () {
        var link = list.children[first] && list.children[first].querySelector("a");
        if (link) link.focus();
      });
    });
    clear.addEventListener("click", function () { selected = {}; update(); input.focus(); });
    engine.init().then(function (meta) {
      engine.meta = meta;
      var wanted = engine.facets().filter(function (f) {
        selected[f.key] = params.getAll(f.key);
        return selected[f.key].length;
      });
      return Promise.all(wanted.map(function (f) { return engine.loadFacet(f.key); })).then(update);
    }).catch(function () { status.textContent = data.error; });
  }
})();
