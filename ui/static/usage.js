"use strict";
(() => {
  const { t, api, el } = kb;
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#2457d6", "#8fb0ff"];
  const number = new Intl.NumberFormat(KB.lang);
  const compact = new Intl.NumberFormat(KB.lang, { notation: "compact", maximumFractionDigits: 1 });
  const money = (v) => "$" + v.toFixed(v > 0 && v < 1 ? 4 : 2);
  const ms = (v) => (v ? `${number.format(Math.round(v))} ms` : "–");

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  }

  // Axis steps of 1, 2 or 5 × 10^n; whole numbers for counts, so token axes never show fractions.
  function ticks(max, integer) {
    const raw = max / 4;
    const power = 10 ** Math.floor(Math.log10(raw));
    let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    if (integer) step = Math.max(1, Math.ceil(step));
    const top = Math.ceil(max / step) * step;
    const values = [];
    for (let v = 0; v <= top + step / 2; v += step) values.push(v);
    return values;
  }

  // A bar chart: one bar per row, stacked by series; plain SVG, no library, no network.
  function barChart(container, rows, series, { format = compact.format, integer = true } = {}) {
    container.textContent = "";
    if (!rows.length) { container.append(el("p", { class: "muted" }, t("usage.none"))); return; }
    const totals = rows.map((row) => series.reduce((sum, s) => sum + row[s.key], 0));
    const max = Math.max(...totals);
    if (max <= 0) { container.append(el("p", { class: "muted" }, t("usage.zero"))); return; }
    const steps = ticks(max, integer);
    const top = steps[steps.length - 1];
    const labels = steps.map((v) => format(v));
    const left = 14 + 7 * Math.max(...labels.map((l) => l.length));  // room for the widest label
    // The drawing is as wide as its box, so 12 px labels stay 12 px on a phone.
    const width = Math.max(300, Math.round(container.clientWidth || 560)), height = 230, bottom = 40, head = 12;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": container.closest("section")?.querySelector("h2")?.textContent || "" });
    steps.forEach((value, i) => {
      const y = head + (height - head - bottom) * (1 - value / top);
      chart.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, stroke: "currentColor", "stroke-opacity": 0.15 }));
      const label = svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 12, fill: "currentColor" });
      label.textContent = labels[i];
      chart.append(label);
    });
    const band = Math.min((width - left - 10) / rows.length, 90);
    const every = Math.ceil(rows.length / Math.floor((width - left) / 70));  // skip labels that would overlap
    rows.forEach((row, i) => {
      let y = height - bottom;
      series.forEach((s, index) => {
        const h = ((height - head - bottom) * row[s.key]) / top;
        y -= h;
        const rect = svg("rect", { x: left + i * band + band * 0.15, y, width: band * 0.7, height: Math.max(h, 0), fill: COLORS[index % COLORS.length], rx: 2 });
        const title = svg("title", {});
        title.textContent = `${row.key}: ${s.label} ${format(row[s.key])}`;
        rect.append(title);
        chart.append(rect);
      });
      if (i % every) return;
      const label = svg("text", { x: left + i * band + band / 2, y: height - bottom + 18, "text-anchor": "middle", "font-size": 12, fill: "currentColor" });
      label.textContent = String(row.key).length > 10 ? String(row.key).slice(5) : String(row.key);
      chart.append(label);
    });
    container.append(chart);
    if (series.length > 1) {
      container.append(el("div", { class: "legend" }, ...series.map((s, i) =>
        el("span", {}, el("span", { class: `swatch swatch-${i}` }), s.label))));
    }
  }

  function table(node, rows, keyLabel) {
    const head = [keyLabel, t("usage.requests"), t("usage.prompt"), t("usage.completion"), t("usage.cost"), t("usage.p50"), t("usage.p95")];
    node.replaceChildren(el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { class: i ? "num" : "" }, h)))));
    const body = el("tbody", {});
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: head.length, class: "muted" }, t("usage.none"))));
    for (const row of rows) {
      body.append(el("tr", { "data-key": row.key }, el("td", {}, row.key),
        ...[number.format(row.requests), number.format(row.prompt_tokens), number.format(row.completion_tokens), money(row.cost), ms(row.p50_latency_ms), ms(row.p95_latency_ms)]
          .map((v) => el("td", { class: "num" }, v))));
    }
    node.append(body);
  }

  function totals(rows) {
    const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
    const items = [[t("usage.requests"), number.format(sum("requests"))], [t("usage.tokens"), number.format(sum("prompt_tokens") + sum("completion_tokens"))],
      [t("usage.prompt"), number.format(sum("prompt_tokens"))], [t("usage.completion"), number.format(sum("completion_tokens"))], [t("usage.cost"), money(sum("cost"))]];
    document.getElementById("totals").replaceChildren(...items.map(([label, value]) => el("div", { class: "total" }, el("dt", {}, label), el("dd", {}, value))));
  }

  const day = (date) => date.toISOString().slice(0, 10);
  const since = document.getElementById("since"), until = document.getElementById("until");
  until.value = day(new Date());
  since.value = day(new Date(Date.now() - 29 * 86400000));

  async function load() {
    const range = new URLSearchParams();
    if (since.value) range.set("since", `${since.value}T00:00:00`);
    if (until.value) range.set("until", `${day(new Date(Date.parse(until.value) + 86400000))}T00:00:00`);
    const [days, models, users] = await Promise.all(["day", "model", "user"].map((g) => api("GET", `/v1/usage?group_by=${g}&${range}`)));
    const tokens = [{ key: "prompt_tokens", label: t("usage.prompt") }, { key: "completion_tokens", label: t("usage.completion") }];
    totals(days);
    barChart(document.getElementById("chart-day-tokens"), days, tokens);
    barChart(document.getElementById("chart-day-cost"), days, [{ key: "cost", label: t("usage.cost") }], { format: money, integer: false });
    table(document.getElementById("table-model"), models, t("usage.model"));
    table(document.getElementById("table-user"), users, t("usage.user"));
  }
  document.getElementById("range").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
})();
