// Client-side sorting for tables: click a th.sortable header; cells may carry data-sort with the raw value.
document.addEventListener("click", (event) => {
  const th = event.target.closest("th.sortable");
  if (!th) return;
  const table = th.closest("table");
  const index = Array.from(th.parentNode.children).indexOf(th);
  const body = table.tBodies[0];
  const asc = th.dataset.dir !== "asc";
  th.parentNode.querySelectorAll("th").forEach((h) => delete h.dataset.dir);
  th.dataset.dir = asc ? "asc" : "desc";
  const value = (row) => {
    const cell = row.children[index];
    const raw = cell.dataset.sort ?? cell.textContent.trim();
    const number = parseFloat(raw);
    return Number.isNaN(number) ? raw.toLowerCase() : number;
  };
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = value(a), y = value(b);
    return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1);
  });
  rows.forEach((row) => body.appendChild(row));
});
