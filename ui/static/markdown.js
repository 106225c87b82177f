// Markdown → sanitised DOM (vendored marked + DOMPurify). Answers keep their [n] markers as buttons;
// source passages keep the cited quote highlighted even when it crosses markdown elements.
"use strict";
const kbMarkdown = (() => {
  const { t, el, toast } = kb;
  const QUOTE_START = "\uE000", QUOTE_END = "\uE001";
  const MARKER = /\[(\d{1,3})\]/g;
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Images are never fetched (documents may point anywhere): they become a link with their alt text.
  marked.use({ gfm: true, breaks: true, renderer: {
    image({ href, text }) { return `<a href="${escape(href)}">${escape(text || href)}</a>`; },
  } });
  const PURIFY = { FORBID_TAGS: ["img", "style", "form", "input", "button", "iframe", "svg", "math"], FORBID_ATTR: ["style", "class", "id"] };

  function fragment(text) {
    return DOMPurify.sanitize(marked.parse(text), { ...PURIFY, RETURN_DOM_FRAGMENT: true });
  }

  function textNodes(root, skip = "code, pre") {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement && node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function decorate(root) {
    for (const link of root.querySelectorAll("a[href]")) {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.title = t("chat.new_tab");
    }
    for (const table of root.querySelectorAll("table")) table.replaceWith(el("div", { class: "md-table" }, table.cloneNode(true)));
    for (const pre of root.querySelectorAll("pre")) {
      const code = pre.textContent;
      const copy = el("button", { type: "button", class: "copy-code", onclick: async () => {
        await navigator.clipboard.writeText(code).catch(() => {});
        toast(t("chat.copied"));
      } }, t("chat.copy_code"));
      pre.replaceWith(el("div", { class: "code-block" }, copy, pre.cloneNode(true)));
    }
  }

  // An answer: markdown, with every checked [n] turned into a button that opens its source.
  function answer(node, text, citations, onCite) {
    const root = fragment(text);
    const byN = new Map((citations || []).map((c) => [c.n, c]));
    for (const textNode of textNodes(root)) {
      const value = textNode.nodeValue;
      if (!MARKER.test(value)) continue;
      MARKER.lastIndex = 0;
      const parts = [];
      let last = 0;
      for (const match of value.matchAll(MARKER)) {
        parts.push(value.slice(last, match.index));
        const citation = byN.get(Number(match[1]));
        parts.push(citation
          ? el("button", { type: "button", class: citation.attributed ? "cite attributed" : "cite", "data-n": match[1], title: citation.attributed ? t("cite.attributed_hint") : null, "aria-label": `${t("cite.title")} ${match[1]}: ${citation.title}${citation.attributed ? " (" + t("cite.attributed") + ")" : ""}`, onclick: (event) => onCite(citation, event.currentTarget) }, match[1])
          : match[0]);
        last = match.index + match[0].length;
      }
      parts.push(value.slice(last));
      textNode.replaceWith(...parts);
    }
    decorate(root);
    node.replaceChildren(root);
  }

  // A source passage: the quote is fenced by two private-use characters before parsing, then every
  // piece of text between them is wrapped in <mark>, whatever elements markdown made around it.
  function passage(node, before, quote, after) {
    const lead = /^(\s*(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*|\|\s*))*/.exec(quote)[0];
    const source = (before ? "…" + before : "") + lead + QUOTE_START + quote.slice(lead.length) + QUOTE_END + (after ? after + "…" : "");
    const root = fragment(source);
    let inside = false, first = null;
    for (const textNode of textNodes(root, "never-skip")) {
      let value = textNode.nodeValue;
      const pieces = [];
      while (value) {
        const marker = inside ? value.indexOf(QUOTE_END) : value.indexOf(QUOTE_START);
        const head = marker < 0 ? value : value.slice(0, marker);
        if (head) {
          if (inside) {
            const mark = el("mark", { class: "quote" }, head);
            if (!first) { first = mark; mark.dataset.testid = "cited-quote"; }
            pieces.push(mark);
          } else pieces.push(head);
        }
        if (marker < 0) break;
        inside = !inside;
        value = value.slice(marker + 1);
      }
      if (pieces.length !== 1 || pieces[0] !== textNode.nodeValue) textNode.replaceWith(...pieces);
    }
    decorate(root);
    node.replaceChildren(root);
    return first;
  }

  // Mid-stream the text may hold an opened ``` or ** whose end has not arrived; close them for display.
  function partial(text) {
    if ((text.match(/^```/gm) || []).length % 2) return text + "\n```";
    if ((text.match(/\*\*/g) || []).length % 2) return text + "**";
    return text;
  }

  return { answer, passage, partial };
})();
