// Filtering a full table (progressive enhancement, no dependencies, no requests): the table
// names its filter input (`data-filter`) and its row count (`data-count`, an aria-live region).
// The filter is case-insensitive and treats the apostrophe's spellings (' ʼ ’ ‘ `) as one, so
// "Кам'янець" finds "Кам’янець". Sorting is `sort.js`'s.
(function () {
  "use strict";
  function normalise(text) {
    return text.toLocaleLowerCase("uk").replace(/['\u02bc\u2019\u2018`]/g, "\u2019").replace(/\s+/g, " ").trim();
  }
  function group(n) {
    var sep = document.documentElement.lang === "uk" ? "\u202f" : ",";
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }
  document.querySelectorAll("table[data-filter]").forEach(function (table) {
    var input = document.getElementById(table.getAttribute("data-filter"));
    var count = document.getElementById(table.getAttribute("data-count"));
    if (!input || !count) return;
    var tools = input.closest("[hidden]");
    if (tools) tools.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    // Each row's text once, cells apart so a search does not match across two cells.
    var texts = rows.map(function (row) {
      return normalise(Array.prototype.map.call(row.cells, function (c) { return c.textContent; }).join("\u0001"));
    });
    var timer = null;
    function apply() {
      var query = normalise(input.value);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = query === "" || texts[i].indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = count.getAttribute("data-shown") + " " + group(shown) + " " +
        count.getAttribute("data-of") + " " + group(rows.length);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 200);
    });
  });
})();
