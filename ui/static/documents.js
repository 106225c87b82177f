"use strict";
(() => {
  const { t, api, el, size, when } = kb;
  const PAGE_SIZE = 25;
  const state = { offset: 0, total: 0, q: "", collection: "", status: "" };
  const rows = document.getElementById("document-rows");
  const dropzone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const uploads = document.getElementById("uploads");
  const uploadCollection = document.getElementById("upload-collection");
  const filterCollection = document.getElementById("filter-collection");

  const badge = (status) => el("span", { class: `badge ${status}`, "data-status": status }, t(`status.${status}`));

  async function refresh() {
    const params = new URLSearchParams({ limit: PAGE_SIZE, offset: state.offset });
    for (const key of ["q", "collection", "status"]) if (state[key]) params.set(key, state[key]);
    const page = await api("GET", `/v1/documents?${params}`);
    state.total = page.total;
    rows.textContent = "";
    if (!page.items.length) rows.append(el("tr", {}, el("td", { colspan: 8, class: "muted" }, t("docs.none"))));
    for (const doc of page.items) {
      const busy = ["queued", "parsing", "embedding"].includes(doc.status);
      const statusCell = el("td", {}, badge(doc.status));
      if (busy && doc.progress.total) statusCell.append(el("div", { class: "muted" }, `${doc.progress.done}/${doc.progress.total}`));
      if (doc.error) statusCell.append(el("div", { class: "reason" }, doc.error));
      rows.append(el("tr", { "data-document": doc.id },
        el("td", {}, el("div", { class: "doc-title" }, doc.title), el("div", { class: "doc-source" }, doc.source + (doc.version > 1 ? ` · v${doc.version}` : ""))),
        el("td", {}, doc.collection),
        statusCell,
        el("td", { class: "num" }, doc.chunks || "–"),
        el("td", { class: "num" }, doc.pages ?? "–"),
        el("td", { class: "num" }, size(doc.size_bytes)),
        el("td", {}, when(doc.updated_at)),
        el("td", {}, el("div", { class: "actions" },
          el("a", { class: "button", href: `/v1/documents/${doc.id}/file`, download: doc.source, "aria-label": doc.source }, "⤓"),
          el("button", { type: "button", disabled: busy, onclick: async () => {
            if (!confirm(t("docs.confirm.reindex", doc.title))) return;
            await api("POST", `/v1/documents/${doc.id}/reindex`);
            refresh();
          } }, t("docs.reindex")),
          el("button", { type: "button", class: "danger", onclick: async () => {
            if (!confirm(t("docs.confirm.delete", doc.title))) return;
            await api("DELETE", `/v1/documents/${doc.id}`);
            refresh();
          } }, t("docs.delete")))),
      ));
    }
    const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
    document.getElementById("page-info").textContent = t("docs.page", Math.floor(state.offset / PAGE_SIZE) + 1, pages);
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = state.offset + PAGE_SIZE >= state.total;
    clearTimeout(refresh.timer);
    if (page.items.some((d) => ["queued", "parsing", "embedding"].includes(d.status))) refresh.timer = setTimeout(refresh, 2000);
  }

  function upload(file) {
    const bar = el("progress", { max: 100, value: 0, "aria-label": file.name });
    const status = el("span", { class: "muted" }, t("docs.uploading"));
    const item = el("li", { "data-file": file.name }, el("span", {}, file.name), bar, status);
    uploads.prepend(item);
    const body = new FormData();
    body.append("file", file);
    if (uploadCollection.value) body.append("collection", uploadCollection.value);
    const request = new XMLHttpRequest();
    request.open("POST", "/v1/documents");
    request.setRequestHeader("X-CSRF-Token", KB.csrf);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 50);  // upload is the first half
    });
    request.addEventListener("load", () => {
      const data = JSON.parse(request.responseText || "{}");
      if (request.status >= 400) {
        bar.value = 100;
        status.replaceWith(el("span", { class: "reason" }, data.error ? data.error.message : request.statusText));
        return;
      }
      if (data.duplicate) {
        bar.value = 100;
        status.replaceWith(el("span", { class: "muted" }, t("docs.duplicate")));
        return;
      }
      follow(data.document.id, bar, status);
      refresh();
    });
    request.addEventListener("error", () => status.replaceWith(el("span", { class: "reason" }, "network error")));
    request.send(body);
  }

  async function follow(id, bar, status) {
    // Ingestion progress, live from the job: the second half of the bar.
    let current = status;
    for (;;) {
      const doc = await api("GET", `/v1/documents/${id}`);
      const next = badge(doc.status);
      if (doc.status === "failed" && doc.error) next.title = doc.error;
      current.replaceWith(next);
      current = next;
      if (doc.progress.total) bar.value = 50 + Math.round((doc.progress.done / doc.progress.total) * 50);
      if (doc.status === "ready" || doc.status === "failed") {
        bar.value = 100;
        if (doc.error && doc.status === "failed") current.after(el("span", { class: "reason" }, " " + doc.error));
        refresh();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  }

  dropzone.addEventListener("click", () => input.click());
  dropzone.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); } });
  dropzone.addEventListener("dragover", (event) => { event.preventDefault(); dropzone.classList.add("over"); });
  dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropzone.classList.remove("over");
    [...event.dataTransfer.files].forEach(upload);
  });
  input.addEventListener("change", () => { [...input.files].forEach(upload); input.value = ""; });

  let typing;
  document.getElementById("filter-q").addEventListener("input", (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = event.target.value.trim(); state.offset = 0; refresh(); }, 250);
  });
  filterCollection.addEventListener("change", (event) => { state.collection = event.target.value; state.offset = 0; refresh(); });
  document.getElementById("filter-status").addEventListener("change", (event) => { state.status = event.target.value; state.offset = 0; refresh(); });
  document.getElementById("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); refresh(); });
  document.getElementById("next").addEventListener("click", () => { state.offset += PAGE_SIZE; refresh(); });

  api("GET", "/v1/collections").then((collections) => {
    for (const c of collections) {
      filterCollection.append(el("option", { value: c.name }, c.name));
      if (c.can_write) uploadCollection.append(el("option", { value: c.name }, c.name));
    }
    if (!uploadCollection.options.length) dropzone.setAttribute("aria-disabled", "true");
  });
  refresh();
})();
