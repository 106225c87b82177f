// A PDF page drawn with the vendored pdf.js (loaded only when a PDF is shown), with the words of a
// quote boxed over the canvas. Used by the document page and the chat's source panel.
"use strict";
const kbPdf = (() => {
  const { el } = kb;
  const PDFJS = "/static/vendor/pdfjs/";
  let library = null;
  const opened = new Map();

  async function open(documentId) {
    if (!library) {
      library = await import(PDFJS + "pdf.min.mjs");
      library.GlobalWorkerOptions.workerSrc = PDFJS + "pdf.worker.min.mjs";
    }
    if (!opened.has(documentId)) {
      const url = `/v1/documents/${documentId}/file`;
      opened.set(documentId, library.getDocument({ url, standardFontDataUrl: PDFJS + "standard_fonts/", isEvalSupported: false }).promise);
    }
    return opened.get(documentId);
  }

  // Draws page ``number`` into ``frame`` (a box holding a canvas and a marks layer); returns how many
  // boxes mark the quote. The quote is found among the page's text items, ignoring whitespace.
  async function render(pdf, number, frame, quote) {
    const page = await pdf.getPage(number);
    const canvas = frame.querySelector("canvas");
    const marks = frame.querySelector(".pdf-marks");
    const scale = Math.min(2, Math.max(0.4, (frame.clientWidth || 600) / page.getViewport({ scale: 1 }).width));
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${viewport.width}px`;
    canvas.style.height = `${viewport.height}px`;
    await page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null }).promise;
    marks.replaceChildren();
    marks.style.width = canvas.style.width;
    marks.style.height = canvas.style.height;
    const done = (count) => { frame.dataset.rendered = "true"; return count; };  // after the boxes, for tests
    if (!quote) return done(0);
    const squash = (s) => s.replace(/\s+/g, "");
    const wanted = squash(quote);
    const content = await page.getTextContent();
    let joined = "";
    const spans = content.items.map((item) => { const from = joined.length; joined += squash(item.str || ""); return [from, joined.length, item]; });
    let at = joined.indexOf(wanted);
    let length = wanted.length;
    if (at < 0) { at = joined.indexOf(wanted.slice(0, 40)); length = Math.min(wanted.length, joined.length - at); }
    if (at < 0) return done(0);
    let first = null;
    for (const [from, to, item] of spans) {
      if (to <= at || from >= at + length || !item.str.trim()) continue;
      const [x, y] = viewport.convertToViewportPoint(item.transform[4], item.transform[5]);
      const height = Math.hypot(item.transform[2], item.transform[3]) * scale;
      const box = el("span", { class: "pdf-mark", "data-testid": "pdf-highlight" });
      Object.assign(box.style, { left: `${x}px`, top: `${y - height}px`, width: `${item.width * scale}px`, height: `${height * 1.15}px` });
      marks.append(box);
      first = first || box;
    }
    // Scroll the page's own box, never the panel or window around it.
    if (first) frame.scrollTop = Math.max(0, first.offsetTop - frame.clientHeight / 2);
    return done(marks.childElementCount);
  }

  return { open, render };
})();
