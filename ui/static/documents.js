"use strict";
(() => {
  const { t, api, el, size, when, reason, errorText } = kb;
  const PAGE_SIZE = 25;
  const state = { offset: 0, total: 0, q: "", collection: "", status: "" };
  const rows = document.getElementById("document-rows");
  const dropzone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const uploads = document.getElementById("uploads");
  const uploadCollection = document.getElementById("upload-collection");
  const filterCollection = document.getElementById("filter-collection");
  const clearUploads = document.getElementById("clear-uploads");
  const writable = new Set();  // collections this person may upload to, re-index or delete in
  const waiting = [];  // files not yet sent; two go at a time
  let sending = 0;

  const badge = (status) => el("span", { class: `badge ${status}`, "data-status": status }, t(`status.${status}`));

  const duration = (seconds) => seconds < 90 ? t("docs.queue.seconds", Math.max(1, Math.round(seconds)))
    : seconds < 5400 ? t("docs.queue.minutes", Math.round(seconds / 60)) : t("docs.queue.hours", Math.round(seconds / 3600));

  // Position and ETA of busy documents, from /v1/ingestion/queue (only what this person may read).
  async function queueOf(items) {
    const summary = document.getElementById("queue-summary");
    const queued = new Map();
    if (!items.some((d) => ["queued", "parsing", "embedding"].includes(d.status))) { summary.hidden = true; return queued; }
    const view = await api("GET", "/v1/ingestion/queue?limit=500", undefined, { quiet: true }).catch(() => null);
    if (!view) return queued;
    for (const entry of view.items) queued.set(entry.document_id, entry);
    summary.hidden = !view.items.length;
    summary.textContent = t("docs.queue.summary", view.items.length, view.throughput_bytes_per_s ? size(view.throughput_bytes_per_s) : "–");
    return queued;
  }

  async function refresh() {
    const params = new URLSearchParams({ limit: PAGE_SIZE, offset: state.offset });
    for (const key of ["q", "collection", "status"]) if (state[key]) params.set(key, state[key]);
    const page = await api("GET", `/v1/documents?${params}`);
    const queued = await queueOf(page.items);
    state.total = page.total;
    rows.textContent = "";
    if (!page.items.length) rows.append(el("tr", {}, el("td", { colspan: 8, class: "muted" }, t("docs.none"))));
    for (const doc of page.items) {
      const busy = ["queued", "parsing", "embedding"].includes(doc.status);
      const statusCell = el("td", {}, badge(doc.status));
      if (busy && doc.progress.total) statusCell.append(el("div", { class: "muted" }, `${doc.progress.done}/${doc.progress.total}`));
      const entry = busy && queued.get(doc.id);
      if (entry) {
        const parts = entry.position ? [t("docs.queue.position", entry.position)] : [];
        if (entry.eta_s !== null) parts.push(t("docs.queue.eta", duration(entry.eta_s)));
        if (parts.length) statusCell.append(el("div", { class: "muted", "data-queue": entry.position }, parts.join(" · ")));
      }
      if (doc.error) statusCell.append(el("div", { class: "reason", title: doc.error }, reason(doc.error)));
      const label = (key) => t(`docs.col.${key}`);
      const actions = el("div", { class: "actions" },
        el("a", { class: "button", href: `/v1/documents/${doc.id}/file`, download: doc.source, "aria-label": `${t("cite.download")}: ${doc.source}`, title: t("cite.download") }, "⤓"));
      if (writable.has(doc.collection)) actions.append(
          el("button", { type: "button", disabled: busy, "data-action": "reindex", onclick: async () => {
            if (!confirm(t("docs.confirm.reindex", doc.title))) return;
            await api("POST", `/v1/documents/${doc.id}/reindex`);
            refresh();
          } }, t("docs.reindex")),
          el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
            if (!confirm(t("docs.confirm.delete", doc.title))) return;
            await api("DELETE", `/v1/documents/${doc.id}`);
            refresh();
          } }, t("docs.delete")));
      rows.append(el("tr", { "data-document": doc.id },
        el("td", {}, el("a", { class: "doc-title", href: `/ui/documents/${doc.id}` }, doc.title), el("div", { class: "doc-source" }, doc.source + (doc.version > 1 ? ` · v${doc.version}` : ""))),
        el("td", { "data-label": label("collection") }, doc.collection),
        statusCell,
        el("td", { class: "num", "data-label": label("chunks") }, doc.chunks || "–"),
        el("td", { class: "num", "data-label": label("pages") }, doc.pages ?? "–"),
        el("td", { class: "num", "data-label": label("size") }, size(doc.size_bytes)),
        el("td", { "data-label": label("updated") }, when(doc.updated_at)),
        el("td", {}, actions),
      ));
    }
    const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
    document.getElementById("page-info").textContent = t("docs.page", Math.floor(state.offset / PAGE_SIZE) + 1, pages);
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = state.offset + PAGE_SIZE >= state.total;
    clearTimeout(refresh.timer);
    if (page.items.some((d) => ["queued", "parsing", "embedding"].includes(d.status))) refresh.timer = setTimeout(refresh, 2000);
  }

  function finished(item, failed, text) {
    item.classList.add(failed ? "failed" : "done");
    item.dataset.state = failed ? "failed" : "done";
    if (text) item.querySelector(".upload-status").replaceWith(el("span", { class: failed ? "reason upload-status" : "muted upload-status" }, text));
    clearUploads.hidden = false;
    sending -= 1;
    next();
  }

  // Queued files wait with an empty bar; two upload at a time.
  // A file from a folder keeps its path inside the folder as its title ("policies/hr/leave.md").
  function upload(file, path = file.webkitRelativePath || "") {
    const bar = el("progress", { max: 100, value: 0, "aria-label": file.name });
    const status = el("span", { class: "muted upload-status" }, t("docs.waiting"));
    const item = el("li", { "data-file": path || file.name, "data-state": "waiting" }, el("span", { class: "upload-name" }, path || file.name), bar, status);
    uploads.prepend(item);
    waiting.push({ file, item, bar, collection: uploadCollection.value, title: path.replace(/^\/+/, "") });
    next();
  }

  function next() {
    while (sending < 2 && waiting.length) {
      sending += 1;
      send(waiting.shift());
    }
  }

  function send({ file, item, bar, collection, title }) {
    item.dataset.state = "uploading";
    item.querySelector(".upload-status").textContent = t("docs.uploading");
    const body = new FormData();
    body.append("file", file);
    if (collection) body.append("collection", collection);
    if (title) body.append("title", title.slice(0, 500));
    const request = new XMLHttpRequest();
    request.open("POST", "/v1/documents");
    request.setRequestHeader("X-CSRF-Token", KB.csrf);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(request.responseText || "{}"); } catch { data = {}; }
      if (request.status >= 400) { bar.value = 100; finished(item, true, errorText(data, request.status)); return; }
      if (data.duplicate) { bar.value = 100; finished(item, false, t("docs.duplicate")); return; }
      bar.value = 0;  // uploaded; the bar now follows ingestion from an empty start
      follow(data.document.id, item, bar);
      refresh();
    });
    request.addEventListener("error", () => finished(item, true, t("error.network")));
    request.send(body);
  }

  async function follow(id, item, bar) {
    // Ingestion progress, live from the job.
    item.dataset.state = "ingesting";
    for (;;) {
      const doc = await api("GET", `/v1/documents/${id}`, undefined, { quiet: true }).catch(() => null);
      if (!doc) { finished(item, true, t("error.code.not_found")); return; }
      const current = item.querySelector(".upload-status");
      const next = badge(doc.status);
      next.classList.add("upload-status");
      current.replaceWith(next);
      bar.value = doc.progress.total ? Math.round((doc.progress.done / doc.progress.total) * 100) : 0;
      if (doc.status === "ready") { bar.value = 100; finished(item, false); refresh(); return; }
      if (doc.status === "failed") {
        bar.value = 100;
        next.after(el("span", { class: "reason", title: doc.error || "" }, " " + reason(doc.error || t("status.failed"))));
        finished(item, true);
        refresh();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  }

  clearUploads.addEventListener("click", () => {
    uploads.querySelectorAll("li.done, li.failed").forEach((item) => item.remove());
    clearUploads.hidden = true;
  });
  dropzone.addEventListener("click", () => input.click());
  dropzone.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); } });
  dropzone.addEventListener("dragover", (event) => { event.preventDefault(); dropzone.classList.add("over"); });
  dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
  // Dropped folders are walked (readEntries returns at most 100 entries per call).
  async function walk(entry, found) {
    if (entry.isFile) {
      found.push(await new Promise((resolve, reject) => entry.file((file) => resolve([file, entry.fullPath]), reject)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, found);
      }
    }
    return found;
  }
  dropzone.addEventListener("drop", async (event) => {
    event.preventDefault();
    dropzone.classList.remove("over");
    const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry());
    if (!entries.some((entry) => entry && entry.isDirectory)) { [...event.dataTransfer.files].forEach((file) => upload(file)); return; }
    for (const entry of entries) {
      if (!entry) continue;
      for (const [file, path] of await walk(entry, [])) upload(file, entry.isDirectory ? path : "");
    }
  });
  const folder = document.getElementById("folder");
  document.getElementById("choose-folder").addEventListener("click", () => folder.click());
  folder.addEventListener("change", () => { [...folder.files].forEach((file) => upload(file)); folder.value = ""; });
  input.addEventListener("change", () => { [...input.files].forEach((file) => upload(file)); input.value = ""; });

  let typing;
  document.getElementById("filter-q").addEventListener("input", (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = event.target.value.trim(); state.offset = 0; refresh(); }, 250);
  });
  filterCollection.addEventListener("change", (event) => { state.collection = event.target.value; state.offset = 0; refresh(); });
  document.getElementById("filter-status").addEventListener("change", (event) => { state.status = event.target.value; state.offset = 0; refresh(); });
  document.getElementById("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); refresh(); });
  document.getElementById("next").addEventListener("click", () => { state.offset += PAGE_SIZE; refresh(); });

  // Readers get no drop zone, upload, re-index or delete; editors only for the collections they may write.
  api("GET", "/v1/collections").then((collections) => {
    for (const c of collections) {
      filterCollection.append(el("option", { value: c.name }, c.name));
      if (c.can_write) {
        writable.add(c.name);
        uploadCollection.append(el("option", { value: c.name }, c.name));
      }
    }
    document.getElementById("upload-area").hidden = writable.size === 0;
    document.getElementById("read-only").hidden = writable.size > 0;
    refresh();
  });
})();
