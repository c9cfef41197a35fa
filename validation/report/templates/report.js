// theorycheck report: sort the verdict table by a column, filter it by verdict, area and name.
// Plain JavaScript with no library: the page must work offline from one file.
(function () {
  "use strict";
  var table = document.getElementById("verdict-table");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var fVerdict = document.getElementById("filter-verdict");
  var fArea = document.getElementById("filter-area");
  var fText = document.getElementById("filter-text");
  var shown = document.getElementById("shown");
  var empty = document.getElementById("empty");
  var cards = document.querySelectorAll("article.check");

  function matches(el) {
    var v = fVerdict.value, a = fArea.value, t = fText.value.trim().toLowerCase();
    return (!v || el.getAttribute("data-verdict") === v) &&
           (!a || el.getAttribute("data-area") === a) &&
           (!t || el.getAttribute("data-name").toLowerCase().indexOf(t) >= 0);
  }

  function applyFilters() {
    var rows = tbody.rows, n = 0, i;
    for (i = 0; i < rows.length; i++) {
      var ok = matches(rows[i]);
      rows[i].hidden = !ok;
      if (ok) { n++; }
    }
    for (i = 0; i < cards.length; i++) { cards[i].hidden = !matches(cards[i]); }
    shown.textContent = n + " of " + rows.length + " shown";
    empty.hidden = n > 0;
  }

  function number(s) {
    if (s === "inf") { return Infinity; }
    if (s === "-inf") { return -Infinity; }
    return parseFloat(s);
  }

  function sortBy(col) {
    var th = heads[col];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < heads.length; i++) { heads[i].setAttribute("aria-sort", "none"); }
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = th.getAttribute("data-type") === "number";
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (r1, r2) {
      var a = r1.cells[col].getAttribute("data-sort"), b = r2.cells[col].getAttribute("data-sort");
      var c;
      if (numeric) {
        var x = number(a), y = number(b);
        // missing and NaN values go last whatever the direction
        if (isNaN(x) || isNaN(y)) {
          if (isNaN(x) && isNaN(y)) { return Number(r1.getAttribute("data-index")) - Number(r2.getAttribute("data-index")); }
          return isNaN(x) ? 1 : -1;
        }
        c = x < y ? -1 : x > y ? 1 : 0;
      } else {
        c = a.localeCompare(b);
      }
      if (c === 0) { return Number(r1.getAttribute("data-index")) - Number(r2.getAttribute("data-index")); }
      return ascending ? c : -c;
    });
    for (var j = 0; j < rows.length; j++) { tbody.appendChild(rows[j]); }
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    th.querySelector("button").addEventListener("click", function () { sortBy(col); });
  });
  fVerdict.addEventListener("change", applyFilters);
  fArea.addEventListener("change", applyFilters);
  fText.addEventListener("input", applyFilters);
  applyFilters();
}());
