"""The style and script of the HTML report, inlined into every page (the page loads nothing from anywhere)."""

from __future__ import annotations

CSS = """
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --head: #f3f5f8; --accent: #2457c5; --good: #1b7f3b; }
* { box-sizing: border-box; }
body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1180px; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead, .muted { color: var(--muted); }
nav { margin: 12px 0 8px; font-size: 14px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: var(--head); white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #aab; font-size: 11px; }
table.sortable th[data-order="asc"]::after { content: " \\25B2"; color: var(--accent); }
table.sortable th[data-order="desc"]::after { content: " \\25BC"; color: var(--accent); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.rank1 td { background: #f1f8f3; }
td.sig { color: var(--good); }
ul.notes { font-size: 13px; color: var(--muted); margin: 2px 0 12px; }
figure { margin: 10px 0 22px; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
figcaption { font-size: 13px; color: var(--muted); }
pre { background: #f7f8fa; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 12.5px; }
details { margin: 6px 0 12px; }
summary { cursor: pointer; color: var(--accent); }
.methods { font-size: 13px; color: var(--muted); max-width: 70em; }
"""

#: Click a column header to sort by it (numbers by value, text alphabetically); click again to reverse.
SCRIPT = """
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-v");
    if (raw === null) { raw = cell.textContent.trim(); }
    var number = parseFloat(raw);
    return isNaN(number) || !/^[-+0-9.eE]+$/.test(raw) ? { text: raw.toLowerCase() } : { number: number };
  }
  function compare(a, b) {
    if (a.number !== undefined && b.number !== undefined) { return a.number - b.number; }
    if (a.number !== undefined) { return -1; }
    if (b.number !== undefined) { return 1; }
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      th.addEventListener("click", function () {
        var order = th.getAttribute("data-order") === "asc" ? "desc" : "asc";
        headers.forEach(function (other) { other.removeAttribute("data-order"); });
        th.setAttribute("data-order", order);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(key(r1.cells[column]), key(r2.cells[column]));
          return order === "asc" ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
"""
