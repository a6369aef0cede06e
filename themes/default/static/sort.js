// Sortable tables (progressive enhancement): each column header of a `table.sortable` becomes a
// button; pressing it sorts the rows by that column, again to reverse, and says so in
// `aria-sort`. A header's `data-type` (the Table Schema type) decides how its cells compare:
// integer, number and year as numbers, everything else as text (ISO dates sort as text). Without
// a type, cells that read as numbers compare as numbers. Empty cells go last.
// Without JavaScript the tables keep their server order.
(function () {
  "use strict";
  var NUMERIC = { integer: true, number: true, year: true };
  // A number as written in a data file or on our pages: spaces and narrow no-break spaces
  // between thousands, a decimal comma when there is no point.
  function parseNumber(text, grouped) {
    var t = text.replace(/[\s\u00a0\u202f]/g, "").replace(/\u2212/g, "-");
    if (grouped) t = t.replace(/,/g, "");
    else if (t.indexOf(".") === -1) t = t.replace(",", ".");
    return t === "" ? NaN : Number(t);
  }
  function key(cell, type) {
    var text = (cell ? cell.textContent : "").trim();
    if (text === "") return null;
    var number = parseNumber(text, !type);
    if ((!type || NUMERIC[type]) && !isNaN(number)) return number;
    return text.toLocaleLowerCase();
  }
  function compare(x, y) {
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    if (typeof x === "number") return x - y;
    return x.localeCompare(y, document.documentElement.lang || undefined);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      var type = th.getAttribute("data-type");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.map.call(body.rows, function (row) {
          return { row: row, key: key(row.cells[column], type) };
        });
        rows.sort(function (a, b) {
          // Empty cells last in both directions.
          if (a.key === null || b.key === null) return compare(a.key, b.key);
          var order = compare(a.key, b.key);
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  });
})();
