// The live figures (merchant desk, operator dashboard): polls the analytics API every few
// seconds and updates the tiles, the GMV-per-minute chart (chart.js) and the breakdowns.
// Text only goes in through textContent: labels come from merchants and are never HTML.
(function () {
  "use strict";
  const box = document.querySelector("section.figures[data-source]");
  if (!box) return;
  const every = Number(box.dataset.everyMs) || 5000;
  const canvas = document.getElementById("gmv-chart");
  let chart = null;

  function hhmm(iso) {
    // Beijing time, as every time on the pages
    const d = new Date(Date.parse(iso) + 8 * 3600 * 1000);
    return String(d.getUTCHours()).padStart(2, "0") + ":" + String(d.getUTCMinutes()).padStart(2, "0");
  }

  function drawChart(points) {
    if (!canvas || typeof window.Chart !== "function") return;
    const labels = points.map((p) => hhmm(p.minute));
    const gmv = points.map((p) => Number(p.gmv));
    const units = points.map((p) => p.units);
    if (chart === null) {
      chart = new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { label: box.dataset.labelGmv + " (¥)", data: gmv, backgroundColor: "#0b4f8a", yAxisID: "y" },
            { label: box.dataset.labelUnits, data: units, type: "line", borderColor: "#b3261e",
              backgroundColor: "#b3261e", yAxisID: "y1", tension: 0.2 },
          ],
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, position: "left" },
                    y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } },
        },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets[0].data = gmv;
      chart.data.datasets[1].data = units;
      chart.update("none");
    }
  }

  function valueAt(data, path) {
    return path.split(".").reduce((v, k) => (v == null ? v : v[k]), data);
  }

  function fillTiles(data) {
    box.querySelectorAll("[data-figure]").forEach((el) => {
      const v = valueAt(data, el.dataset.figure);
      if (el.hasAttribute("data-percent")) {
        el.textContent = v == null ? "—" : (v * 100).toFixed(1) + "%";
      } else if (v != null) {
        el.textContent = String(v);
      }
    });
  }

  function cell(text, numeric) {
    const td = document.createElement("td");
    td.textContent = text;
    if (numeric) td.className = "num";
    return td;
  }

  function fillBreakdowns(data) {
    box.querySelectorAll("table[data-breakdown]").forEach((table) => {
      const rows = data["by_" + table.dataset.breakdown] || [];
      const body = document.createElement("tbody");
      rows.forEach((b) => {
        const tr = document.createElement("tr");
        tr.append(cell(b.label), cell("¥" + b.gmv, true), cell(String(b.units), true), cell(String(b.orders), true));
        body.append(tr);
      });
      table.tBodies[0].replaceWith(body);
    });
    const tags = document.querySelector("[data-figure-map='declarations']");
    if (tags) {
      tags.replaceChildren();
      Object.entries(data.declarations || {}).forEach(([status, count]) => {
        const li = document.createElement("li");
        li.className = "tag";
        li.textContent = status + ": " + count;
        tags.append(li);
      });
    }
  }

  async function refresh() {
    try {
      const answer = await fetch(box.dataset.source, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!answer.ok) return;
      const data = await answer.json();
      fillTiles(data);
      fillBreakdowns(data);
      drawChart(data.by_minute || []);
      box.dataset.updated = new Date().toISOString();
    } catch (err) {
      // the next round tries again; the page keeps the last figures
    }
  }

  refresh();
  window.setInterval(refresh, every);
})();
