"use strict";
(() => {
  const { t, api, el } = kb;
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#2457d6", "#8fb0ff"];

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  }

  // A bar chart: one bar per row, stacked by series; plain SVG, no library, no network.
  function barChart(container, rows, series, format = (v) => v.toLocaleString()) {
    container.textContent = "";
    if (!rows.length) { container.append(el("p", { class: "muted" }, t("usage.none"))); return; }
    const width = 560, height = 220, left = 56, bottom = 38, top = 10;
    const totals = rows.map((row) => series.reduce((sum, s) => sum + row[s.key], 0));
    const max = Math.max(...totals);
    if (max <= 0) { container.append(el("p", { class: "muted" }, t("usage.zero"))); return; }
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": container.previousElementSibling?.textContent || "" });
    const band = Math.min((width - left - 10) / rows.length, 90);
    for (let i = 0; i <= 4; i++) {
      const y = top + (height - top - bottom) * (1 - i / 4);
      chart.append(svg("line", { x1: left, x2: width - 10, y1: y, y2: y, stroke: "#e6eaf2" }));
      const label = svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5f6b7e" });
      label.textContent = format((max * i) / 4);
      chart.append(label);
    }
    rows.forEach((row, i) => {
      let y = height - bottom;
      series.forEach((s, index) => {
        const h = ((height - top - bottom) * row[s.key]) / max;
        y -= h;
        const rect = svg("rect", { x: left + i * band + band * 0.15, y, width: band * 0.7, height: Math.max(h, 0), fill: COLORS[index % COLORS.length], rx: 2 });
        const title = svg("title", {});
        title.textContent = `${row.key}: ${s.label} ${format(row[s.key])}`;
        rect.append(title);
        chart.append(rect);
      });
      const label = svg("text", { x: left + i * band + band / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#5f6b7e" });
      label.textContent = String(row.key).slice(0, 12);
      chart.append(label);
    });
    container.append(chart);
    if (series.length > 1) {
      container.append(el("div", { class: "legend" }, ...series.map((s, i) =>
        el("span", {}, el("span", { class: "swatch", style: `background:${COLORS[i]}` }), s.label))));
    }
  }

  const tokens = [{ key: "prompt_tokens", label: t("usage.prompt") }, { key: "completion_tokens", label: t("usage.completion") }];
  Promise.all([api("GET", "/v1/usage?group_by=day"), api("GET", "/v1/usage?group_by=model"), api("GET", "/v1/usage?group_by=user")])
    .then(([days, models, users]) => {
      barChart(document.getElementById("chart-day-tokens"), days, tokens);
      barChart(document.getElementById("chart-day-cost"), days, [{ key: "cost", label: "cost" }], (v) => "$" + v.toFixed(v < 1 ? 4 : 2));
      barChart(document.getElementById("chart-model"), models, tokens);
      barChart(document.getElementById("chart-user"), users, tokens);
    });
})();
