"use strict";
// One document: metadata, ingestion history, its chunks (page, heading) and, for PDFs, a page
// preview (vendored pdf.js) with the cited passage (?start=&end=&page=) highlighted.
(() => {
  const { t, api, el, size, when, reason } = kb;
  const id = encodeURIComponent(document.getElementById("document").dataset.document);
  const params = new URLSearchParams(location.search);
  const cited = params.has("start") ? { start: Number(params.get("start")), end: Number(params.get("end")) } : null;
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

  async function renderPage() {
    await kbPdf.render(pdf, pageNumber, document.getElementById("pdf-frame"), quote);
    document.getElementById("pdf-page-info").textContent = t("docs.page", pageNumber, pdf.numPages);
    document.getElementById("pdf-prev").disabled = pageNumber <= 1;
    document.getElementById("pdf-next").disabled = pageNumber >= pdf.numPages;
  }

  async function preview(doc) {
    if (doc.format !== "pdf" || doc.status !== "ready") return;
    document.getElementById("preview-panel").hidden = false;
    pdf = await kbPdf.open(id);
    pageNumber = Math.min(Math.max(1, pageNumber), pdf.numPages);
    document.getElementById("pdf-prev").addEventListener("click", () => { pageNumber -= 1; renderPage(); });
    document.getElementById("pdf-next").addEventListener("click", () => { pageNumber += 1; renderPage(); });
    await renderPage();
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
