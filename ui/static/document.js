"use strict";
// One document: metadata, ingestion history, its chunks (page, heading) and, for PDFs, a page
// preview (vendored pdf.js) with the cited passage (?start=&end=&page=) highlighted.
(() => {
  const { t, api, el, size, when, reason } = kb;
  const id = document.getElementById("document").dataset.document;
  const params = new URLSearchParams(location.search);
  const cited = params.has("start") ? { start: Number(params.get("start")), end: Number(params.get("end")) } : null;
  const PDFJS = "/static/vendor/pdfjs/";
  let pdf = null, pageNumber = Number(params.get("page")) || 1, quote = "";

  function meta(doc) {
    document.getElementById("doc-title").textContent = doc.title;
    document.getElementById("doc-source").textContent = `${doc.source} · ${doc.collection}`;
    const status = el("span", { class: `badge ${doc.status}`, "data-status": doc.status }, t(`status.${doc.status}`));
    const rows = [[t("docs.col.status"), status], [t("doc.format"), doc.format.toUpperCase()], [t("docs.col.pages"), doc.pages ?? "–"],
      [t("docs.col.chunks"), doc.chunks], [t("doc.tokens"), doc.tokens], [t("docs.col.size"), size(doc.size_bytes)], [t("doc.version"), doc.version],
      [t("doc.uploader"), doc.uploader || "–"], [t("doc.created"), when(doc.created_at)], [t("docs.col.updated"), when(doc.updated_at)]];
    if (doc.error) rows.push([t("docs.reason"), el("span", { class: "reason", title: doc.error }, reason(doc.error))]);
    document.getElementById("doc-meta").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  function jobs(list) {
    const body = document.getElementById("doc-jobs");
    body.replaceChildren(...list.map((job) => el("tr", {},
      el("td", {}, el("span", { class: `badge ${job.status}` }, t(`status.${job.status}`)), job.error ? el("div", { class: "reason", title: job.error }, reason(job.error)) : ""),
      el("td", {}, job.started_at ? when(job.started_at) : when(job.created_at)),
      el("td", {}, job.finished_at ? when(job.finished_at) : "–"),
      el("td", { class: "num" }, job.attempts))));
  }

  const PAGE = 200;
  let shown = 0;
  function chunks(list, total) {
    shown += list.length;
    document.getElementById("chunk-count").textContent = `(${shown < total ? `${shown} / ` : ""}${total})`;
    const target = document.getElementById("doc-chunks");
    for (const chunk of list) {
      const text = el("div", { class: "md chunk-text" });
      const hit = cited && chunk.char_start < cited.end && chunk.char_end > cited.start;
      if (hit) {
        // The cited range inside this chunk is highlighted; the rest stays plain.
        const from = Math.max(0, cited.start - chunk.char_start), to = Math.min(chunk.text.length, cited.end - chunk.char_start);
        kbMarkdown.passage(text, chunk.text.slice(0, from), chunk.text.slice(from, to), chunk.text.slice(to));
      } else {
        kbMarkdown.passage(text, "", chunk.text, "");
        text.querySelectorAll("mark").forEach((mark) => mark.replaceWith(...mark.childNodes));
      }
      const where = [chunk.page ? t("cite.page", chunk.page) : "", chunk.heading].filter(Boolean).join(" · ");
      target.append(el("li", { class: hit ? "chunk cited" : "chunk", id: `chunk-${chunk.index}`, "data-page": chunk.page ?? "" },
        el("div", { class: "doc-source" }, `${t("doc.chunk", chunk.index + 1)}${where ? " · " + where : ""} · ${chunk.tokens} tokens`), text));
    }
    document.querySelector(".chunk.cited:not([data-seen])")?.scrollIntoView({ block: "center" });
    document.querySelectorAll(".chunk.cited").forEach((node) => { node.dataset.seen = "1"; });
    const more = document.getElementById("more-chunks");
    more.hidden = shown >= total;
  }

  // Long documents come in pages of chunks; "Show more" fetches the next one.
  async function loadChunks(total) {
    const list = await api("GET", `/v1/documents/${id}/chunks?limit=${PAGE}&offset=${shown}`);
    chunks(list, total);
  }

  // The quote's words, found among the page's text items, get translucent boxes over the canvas.
  async function renderPage() {
    const page = await pdf.getPage(pageNumber);
    const canvas = document.getElementById("pdf-canvas");
    const frame = document.getElementById("pdf-frame");
    const scale = Math.min(2, Math.max(0.5, (frame.clientWidth || 600) / page.getViewport({ scale: 1 }).width));
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${viewport.width}px`;
    canvas.style.height = `${viewport.height}px`;
    await page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null }).promise;
    document.getElementById("pdf-page-info").textContent = t("docs.page", pageNumber, pdf.numPages);
    document.getElementById("pdf-prev").disabled = pageNumber <= 1;
    document.getElementById("pdf-next").disabled = pageNumber >= pdf.numPages;
    const marks = document.getElementById("pdf-marks");
    marks.replaceChildren();
    marks.style.width = canvas.style.width;
    marks.style.height = canvas.style.height;
    if (!quote) return;
    const squash = (s) => s.replace(/\s+/g, "");
    const wanted = squash(quote);
    const content = await page.getTextContent();
    let joined = "";
    const spans = content.items.map((item) => { const from = joined.length; joined += squash(item.str); return [from, joined.length, item]; });
    let at = joined.indexOf(wanted);
    let length = wanted.length;
    if (at < 0) { at = joined.indexOf(wanted.slice(0, 40)); length = Math.min(wanted.length, joined.length - at); }
    if (at < 0) return;
    for (const [from, to, item] of spans) {
      if (to <= at || from >= at + length || !item.str.trim()) continue;
      const [x, y] = viewport.convertToViewportPoint(item.transform[4], item.transform[5]);
      const height = Math.hypot(item.transform[2], item.transform[3]) * scale;
      const box = el("span", { class: "pdf-mark", "data-testid": "pdf-highlight" });
      Object.assign(box.style, { left: `${x}px`, top: `${y - height}px`, width: `${item.width * scale}px`, height: `${height * 1.15}px` });
      marks.append(box);
    }
  }

  async function preview(doc) {
    if (doc.format !== "pdf" || doc.status !== "ready") return;
    document.getElementById("preview-panel").hidden = false;
    const pdfjs = await import(PDFJS + "pdf.min.mjs");
    pdfjs.GlobalWorkerOptions.workerSrc = PDFJS + "pdf.worker.min.mjs";
    pdf = await pdfjs.getDocument({ url: `/v1/documents/${id}/file`, standardFontDataUrl: PDFJS + "standard_fonts/", isEvalSupported: false }).promise;
    pageNumber = Math.min(Math.max(1, pageNumber), pdf.numPages);
    document.getElementById("pdf-prev").addEventListener("click", () => { pageNumber -= 1; renderPage(); });
    document.getElementById("pdf-next").addEventListener("click", () => { pageNumber += 1; renderPage(); });
    await renderPage();
    document.getElementById("pdf-frame").dataset.rendered = "true";
  }

  (async () => {
    const doc = await api("GET", `/v1/documents/${id}`);
    meta(doc);
    document.title = `${doc.title} · knowbase`;
    const [history, context] = await Promise.all([
      api("GET", `/v1/documents/${id}/jobs`),
      cited ? api("GET", `/v1/documents/${id}/text?start=${cited.start}&end=${cited.end}&window=0`) : null,
    ]);
    quote = context ? context.quote : "";
    jobs(history);
    document.getElementById("more-chunks").addEventListener("click", () => loadChunks(doc.chunks));
    if (doc.status === "ready") await loadChunks(doc.chunks);
    await preview(doc);
  })().catch((error) => {
    // Not found or not readable: say so instead of "Loading…" forever.
    document.getElementById("doc-title").textContent = error.message;
  });
})();
