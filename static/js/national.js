// Charts of the national dashboard (Chart.js from our static files). The figures are also in the tables beside them.
(() => {
  const source = document.getElementById("data-nasional");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const band = (v) => (v >= 100 ? "#198754" : v >= 90 ? "#0d6efd" : v >= 80 ? "#0dcaf0" : v >= 70 ? "#ffc107" : v >= 60 ? "#fd7e14" : "#dc3545");
  const bar = (id, series, options = {}) => {
    const el = document.getElementById(id);
    if (!el) return;
    new Chart(el, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ label: el.getAttribute("aria-label"), data: series.values, backgroundColor: options.colours || series.values.map((v) => band(v ?? 0)) }] },
      options: { locale: "id-ID", indexAxis: options.axis || "y", maintainAspectRatio: false, scales: options.scales || { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } }, animation: false },
    });
  };
  bar("grafik-pelaporan", data.rate, { colours: "#0b4f8a" });
  bar("grafik-provinsi", data.provinces);
  bar("grafik-urusan", data.affairs);
  bar("grafik-status", data.bands, { axis: "x", colours: ["#198754", "#0d6efd", "#0dcaf0", "#ffc107", "#fd7e14", "#dc3545"], scales: { y: { beginAtZero: true } } });
})();
