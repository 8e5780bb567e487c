// Charts of the achievement dashboard (Chart.js from our static files).
(() => {
  const source = document.getElementById("data-grafik");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const bands = (v) => (v >= 100 ? "#198754" : v >= 90 ? "#0d6efd" : v >= 80 ? "#0dcaf0" : v >= 70 ? "#ffc107" : v >= 60 ? "#fd7e14" : "#dc3545");
  const affairs = document.getElementById("grafik-urusan");
  if (affairs) {
    new Chart(affairs, {
      type: "bar",
      data: { labels: data.affairs.labels, datasets: [{ label: "IP-SPM", data: data.affairs.values, backgroundColor: data.affairs.values.map((v) => bands(v ?? 0)) }] },
      options: { locale: "id-ID", indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } }, animation: false },
    });
  }
  const trend = document.getElementById("grafik-tren");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: { labels: data.trend.labels, datasets: [{ label: "IP-SPM", data: data.trend.values, borderColor: "#0b4f8a", tension: 0.2, spanGaps: true }] },
      options: { locale: "id-ID", scales: { y: { min: 0, max: 100 } }, animation: false },
    });
  }
})();
