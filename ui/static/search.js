"use strict";
// Retrieval test: run a query with the chosen mode, fusion and collection and see the ranked chunks
// with their scores, exactly as chat would retrieve them (the API filters by the caller's access).
(() => {
  const { t, api, el } = kb;
  const form = document.getElementById("search-form");
  const results = document.getElementById("search-results");
  const summary = document.getElementById("search-summary");
  const collection = document.getElementById("search-collection");
  const mode = document.getElementById("search-mode");
  const fusion = document.getElementById("search-fusion");
  const syncFusion = () => { fusion.disabled = mode.value !== "hybrid"; };
  mode.addEventListener("change", syncFusion);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { query: document.getElementById("search-query").value.trim(), mode: mode.value, top_k: Number(document.getElementById("search-top-k").value) || 8 };
    if (!body.query) return;
    if (mode.value === "hybrid") body.fusion = fusion.value;
    if (collection.value) body.collection = collection.value;
    summary.textContent = t("common.loading");
    const started = performance.now();
    const response = await api("POST", "/v1/search", body).catch(() => null);
    results.textContent = "";
    if (!response) { summary.textContent = ""; return; }
    summary.textContent = t("search.summary", response.results.length, t(`search.mode.${response.mode}`), Math.round(performance.now() - started));
    for (const hit of response.results) {
      const text = el("div", { class: "md search-text" });
      kbMarkdown.passage(text, "", hit.text, "");
      text.querySelectorAll("mark").forEach((mark) => mark.replaceWith(...mark.childNodes));  // the whole chunk; nothing to highlight
      const where = [hit.source, hit.page ? t("cite.page", hit.page) : "", hit.heading].filter(Boolean).join(" · ");
      results.append(el("li", { class: "search-hit", "data-document": hit.document_id },
        el("div", { class: "hit-head" },
          el("a", { class: "doc-title", href: `/ui/documents/${hit.document_id}?start=${hit.char_start}&end=${hit.char_end}${hit.page ? `&page=${hit.page}` : ""}` }, hit.title),
          el("span", { class: "score", title: t("search.score") }, hit.score.toFixed(4))),
        el("div", { class: "doc-source" }, `${hit.collection} · ${where}`),
        text));
    }
    if (!response.results.length) results.append(el("li", { class: "muted" }, t("search.none")));
  });

  api("GET", "/v1/collections").then((collections) => {
    for (const c of collections) collection.append(el("option", { value: c.name }, c.name));
  });
  syncFusion();
  document.getElementById("search-query").focus();
})();
