"use strict";
(() => {
  const { t, api, el, toast } = kb;
  const messages = document.getElementById("messages");
  const list = document.getElementById("conversations");
  const form = document.getElementById("ask");
  const question = document.getElementById("question");
  const collection = document.getElementById("collection");
  const panel = document.getElementById("citation-panel");
  const layout = document.querySelector(".chat-layout");
  let conversationId = new URLSearchParams(location.search).get("c");
  let busy = false;

  const MARKER = /\[(\d{1,3})\]/g;
  const THUMB = "M2 10h3v10H2zM7 20h9.6a2 2 0 0 0 2-1.6l1.3-6.8A2 2 0 0 0 17.9 9H13l.7-4.2A1.6 1.6 0 0 0 12.1 3L7 9.5z";

  function thumb(up) {
    // Inline SVG: emoji fonts are often missing on offline machines.
    const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 22 22");
    icon.setAttribute("width", "15");
    icon.setAttribute("height", "15");
    icon.setAttribute("aria-hidden", "true");
    if (!up) icon.setAttribute("transform", "rotate(180)");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    icon.append(path);
    return icon;
  }

  function renderAnswer(node, text, citations) {
    // Text stays text (no HTML from the server is trusted); [n] with a checked citation becomes a button.
    node.textContent = "";
    const byN = new Map((citations || []).map((c) => [c.n, c]));
    let last = 0;
    for (const match of text.matchAll(MARKER)) {
      node.append(text.slice(last, match.index));
      const citation = byN.get(Number(match[1]));
      node.append(citation
        ? el("button", { type: "button", class: "cite", "aria-label": `${t("cite.title")} ${match[1]}: ${citation.title}`, onclick: () => openCitation(citation) }, match[1])
        : match[0]);
      last = match.index + match[0].length;
    }
    node.append(text.slice(last));
  }

  function addMessage(role, text, result) {
    document.querySelector(".welcome")?.remove();
    const bubble = el("div", { class: "bubble" });
    const wrapper = el("div", { class: `msg ${role}` }, bubble);
    if (role === "assistant" && result) finishMessage(wrapper, bubble, result);
    else bubble.textContent = text;
    messages.append(wrapper);
    messages.scrollTop = messages.scrollHeight;
    return { wrapper, bubble };
  }

  function finishMessage(wrapper, bubble, result) {
    renderAnswer(bubble, result.answer || result.content, result.citations);
    const mode = result.mode;
    if (mode && mode !== "llm") wrapper.append(el("div", { class: `note ${mode}` }, t(`chat.mode.${mode}`)));
    const messageId = result.message_id || result.id;
    const tools = el("div", { class: "msg-tools" });
    const copy = el("button", { type: "button", onclick: async () => {
      await navigator.clipboard.writeText(bubble.textContent).catch(() => {});
      toast(t("chat.copied"));
    } }, t("chat.copy"));
    tools.append(copy);
    if (messageId && mode !== "blocked") {
      for (const [value, label] of [[1, "chat.helpful"], [-1, "chat.unhelpful"]]) {
        const button = el("button", { type: "button", "aria-label": t(label), title: t(label), "aria-pressed": String(result.feedback === value), "data-feedback": value }, thumb(value > 0));
        button.addEventListener("click", async () => {
          const pressed = button.getAttribute("aria-pressed") === "true";
          await api("POST", `/v1/messages/${messageId}/feedback`, { value: pressed ? 0 : value });
          tools.querySelectorAll("button[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", "false"));
          button.setAttribute("aria-pressed", String(!pressed));
        });
        tools.append(button);
      }
    }
    wrapper.append(tools);
  }

  async function openCitation(citation) {
    const context = await api("GET", `/v1/documents/${citation.document_id}/text?start=${citation.start}&end=${citation.end}&window=700`);
    document.getElementById("cite-title").textContent = `[${citation.n}] ${citation.title}`;
    document.getElementById("cite-meta").textContent = citation.source + (citation.page ? " · " + t("cite.page", citation.page) : "");
    const text = document.getElementById("cite-text");
    text.textContent = "";
    const mark = el("mark", { "data-testid": "cited-quote" }, context.quote);
    text.append(context.before ? "…" + context.before : "", mark, context.after ? context.after + "…" : "");
    document.getElementById("cite-download").href = `/v1/documents/${citation.document_id}/file`;
    panel.hidden = false;
    layout.classList.add("with-panel");
    panel.focus();
    mark.scrollIntoView({ block: "center" });
  }

  function closeCitation() {
    panel.hidden = true;
    layout.classList.remove("with-panel");
  }
  document.getElementById("cite-close").addEventListener("click", closeCitation);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !panel.hidden) closeCitation(); });

  async function loadConversations() {
    const conversations = await api("GET", "/v1/conversations");
    list.textContent = "";
    if (!conversations.length) list.append(el("li", { class: "muted" }, t("chat.empty")));
    for (const conversation of conversations) {
      const item = el("li", { class: conversation.id === conversationId ? "active" : "" },
        el("a", { href: `?c=${conversation.id}`, onclick: (event) => { event.preventDefault(); openConversation(conversation.id); } }, conversation.title || "…"),
        el("button", { type: "button", class: "link", "aria-label": t("chat.delete"), title: t("chat.delete"), onclick: async () => {
          await api("DELETE", `/v1/conversations/${conversation.id}`);
          if (conversation.id === conversationId) newChat();
          loadConversations();
        } }, "✕"));
      list.append(item);
    }
  }

  async function openConversation(id) {
    const detail = await api("GET", `/v1/conversations/${id}`);
    conversationId = id;
    history.replaceState(null, "", `?c=${id}`);
    messages.textContent = "";
    for (const message of detail.messages) {
      if (message.role === "user") addMessage("user", message.content);
      else addMessage("assistant", message.content, { ...message, answer: message.content, message_id: message.id });
    }
    closeCitation();
    loadConversations();
  }

  function newChat() {
    conversationId = null;
    history.replaceState(null, "", location.pathname);
    messages.textContent = "";
    messages.append(el("p", { class: "welcome muted" }, t("chat.welcome")));
    closeCitation();
    loadConversations();
    question.focus();
  }
  document.getElementById("new-chat").addEventListener("click", newChat);

  async function ask(text) {
    busy = true;
    document.getElementById("send").disabled = true;
    addMessage("user", text);
    const { wrapper, bubble } = addMessage("assistant", "");
    bubble.textContent = t("chat.thinking");
    bubble.classList.add("muted");
    let shown = "";
    try {
      const response = await fetch("/v1/chat", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": KB.csrf },
        body: JSON.stringify({ message: text, stream: true, conversation_id: conversationId, collection: collection.value || null }),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new Error((data.error && data.error.message) || response.statusText);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const type = (block.match(/^event: (.*)$/m) || [])[1];
          const data = JSON.parse((block.match(/^data: (.*)$/m) || [, "{}"])[1]);
          if (type === "delta") {
            bubble.classList.remove("muted");
            shown += data.text;
            bubble.textContent = shown;
          } else if (type === "reset") {
            shown = "";
            bubble.textContent = "";
            toast(t("chat.reset") + data.reason);
          } else if (type === "done") {
            bubble.classList.remove("muted");
            wrapper.dataset.mode = data.mode;
            finishMessage(wrapper, bubble, data);
            if (!conversationId) {
              conversationId = data.conversation_id;
              history.replaceState(null, "", `?c=${conversationId}`);
            }
          }
          messages.scrollTop = messages.scrollHeight;
        }
      }
      loadConversations();
    } catch (error) {
      bubble.classList.remove("muted");
      bubble.textContent = error.message;
      wrapper.append(el("div", { class: "note blocked" }, error.message));
    } finally {
      busy = false;
      document.getElementById("send").disabled = false;
      question.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || busy) return;
    question.value = "";
    ask(text);
  });
  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });

  api("GET", "/v1/collections").then((collections) => {
    for (const c of collections) collection.append(el("option", { value: c.name }, c.name));
  });
  if (conversationId) openConversation(conversationId); else loadConversations();
})();
