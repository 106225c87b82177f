"use strict";
(() => {
  const { t, api, el, toast, errorText, thumb } = kb;
  const messages = document.getElementById("messages");
  const list = document.getElementById("conversations");
  const form = document.getElementById("ask");
  const question = document.getElementById("question");
  const collection = document.getElementById("collection");
  const send = document.getElementById("send");
  const stop = document.getElementById("stop");
  const panel = document.getElementById("citation-panel");
  const layout = document.querySelector(".chat-layout");
  const sidebar = document.querySelector(".sidebar");
  let conversationId = new URLSearchParams(location.search).get("c");
  // Every switch of conversation starts a new view; a stream only touches the page while its view is shown.
  let view = 0;
  let streaming = null;  // {controller, view} of the answer being written in this view
  let stick = true;  // follow new text unless the person scrolled up to read
  let opener = null;  // the [n] button that opened the source panel, to give focus back

  const nearBottom = () => messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
  messages.addEventListener("scroll", () => { stick = nearBottom(); });
  const follow = () => { if (stick) messages.scrollTop = messages.scrollHeight; };

  function setBusy(busy) {
    send.hidden = busy;
    stop.hidden = !busy;
    form.classList.toggle("busy", busy);
  }

  function addMessage(role, text, result) {
    document.querySelector(".welcome")?.remove();
    const bubble = el("div", { class: "bubble" });
    const wrapper = el("div", { class: `msg ${role}` }, bubble);
    if (role === "assistant" && result) finishMessage(wrapper, bubble, result);
    else bubble.textContent = text;
    if (role === "user") wrapper.dataset.question = text;
    messages.append(wrapper);
    follow();
    return { wrapper, bubble };
  }

  function finishMessage(wrapper, bubble, result) {
    const text = result.answer || result.content || "";
    kbMarkdown.answer(bubble, text, result.citations, openCitation);
    wrapper.dataset.mode = result.mode || "";
    const mode = result.mode;
    if (mode && mode !== "llm") wrapper.append(el("div", { class: `note ${mode}` }, t(`chat.mode.${mode}`)));
    // Sources under the answer: the document's title, its file name (and page) beneath.
    const citations = [...new Map((result.citations || []).map((c) => [c.n, c])).values()].sort((a, b) => a.n - b.n);
    if (citations.length) {
      wrapper.append(el("ol", { class: "sources", "aria-label": t("cite.sources") }, ...citations.map((c) =>
        el("li", {}, el("button", { type: "button", class: "source", "data-n": c.n, onclick: (event) => openCitation(c, event.currentTarget) },
          el("span", { class: "source-n" }, c.n),
          el("span", { class: "source-text" }, el("span", { class: "source-title" }, c.title),
            el("span", { class: "source-file" }, c.source + (c.page ? " · " + t("cite.page", c.page) : "")),
            c.attributed ? el("span", { class: "source-attributed", title: t("cite.attributed_hint") }, t("cite.attributed")) : null))))));
    }
    // Claims stating facts that no source supports: said plainly, under the answer.
    const unsupported = result.unsupported_claims || [];
    if (unsupported.length) {
      wrapper.append(el("div", { class: "note unsupported", role: "note" }, t("chat.unsupported"),
        el("ul", {}, ...unsupported.map((claim) => el("li", {}, claim)))));
    }
    const messageId = result.message_id || result.id;
    const tools = el("div", { class: "msg-tools" });
    tools.append(el("button", { type: "button", onclick: async () => {
      await navigator.clipboard.writeText(text).catch(() => {});
      toast(t("chat.copied"));
    } }, t("chat.copy")));
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

  // Regenerate sits on the last answer, Edit on the last question; nothing while an answer streams.
  function lastTurnTools() {
    messages.querySelectorAll(".turn-action").forEach((node) => node.remove());
    if (streaming) return;
    const users = messages.querySelectorAll(".msg.user");
    const lastUser = users[users.length - 1];
    if (!lastUser) return;
    const answer = lastUser.nextElementSibling;
    const again = async (text) => {
      answer?.remove();
      lastUser.remove();
      setBusy(true);
      // The server forgets the old turn too, so a reload shows the thread as it is on screen.
      if (conversationId) await api("POST", `/v1/conversations/${conversationId}/rewind`, { question: lastUser.dataset.question }).catch(() => null);
      ask(text);
    };
    lastUser.append(el("div", { class: "msg-tools turn-action" }, el("button", { type: "button", "data-action": "edit", onclick: () => editQuestion(lastUser, again) }, t("chat.edit"))));
    answer?.querySelector(".msg-tools")?.append(el("button", { type: "button", class: "turn-action", "data-action": "regenerate", onclick: () => again(lastUser.dataset.question) }, "↻ " + t("chat.regenerate")));
  }

  function editQuestion(wrapper, again) {
    const bubble = wrapper.querySelector(".bubble");
    const editor = el("textarea", { class: "edit-question", rows: 3, "aria-label": t("chat.edit") });
    editor.value = wrapper.dataset.question;
    const save = () => { const text = editor.value.trim(); if (text) again(text); };
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); save(); }
      if (event.key === "Escape") { event.stopPropagation(); cancel(); }
    });
    const box = el("div", { class: "edit-box" }, editor, el("div", { class: "msg-tools" },
      el("button", { type: "button", class: "primary", "data-action": "save-edit", onclick: save }, t("chat.edit_send")),
      el("button", { type: "button", onclick: () => cancel() }, t("chat.cancel"))));
    const cancel = () => { box.replaceWith(bubble); lastTurnTools(); wrapper.querySelector("[data-action=edit]")?.focus(); };
    wrapper.querySelector(".turn-action")?.remove();
    bubble.replaceWith(box);
    editor.focus();
  }

  async function openCitation(citation, button) {
    opener = button || null;
    const context = await api("GET", `/v1/documents/${citation.document_id}/text?start=${citation.start}&end=${citation.end}&window=700`);
    document.getElementById("cite-title").textContent = `[${citation.n}] ${citation.title}`;
    document.getElementById("cite-meta").textContent = citation.source + (citation.page ? " · " + t("cite.page", citation.page) : "");
    const mark = kbMarkdown.passage(document.getElementById("cite-text"), context.before, context.quote, context.after);
    document.getElementById("cite-download").href = `/v1/documents/${citation.document_id}/file`;
    document.getElementById("cite-open").href = `/ui/documents/${citation.document_id}?start=${citation.start}&end=${citation.end}${citation.page ? `&page=${citation.page}` : ""}`;
    panel.hidden = false;
    layout.classList.add("with-panel");
    panel.focus();
    mark?.scrollIntoView({ block: "center" });
    // A PDF source also shows its page, the quote boxed on it.
    const preview = document.getElementById("cite-preview");
    preview.hidden = !(citation.page && /\.pdf$/i.test(citation.source));
    delete preview.dataset.rendered;
    if (!preview.hidden) {
      const pdf = await kbPdf.open(citation.document_id);
      await kbPdf.render(pdf, Math.min(citation.page, pdf.numPages), preview, context.quote);
    }
  }

  function closeCitation() {
    if (panel.hidden) return;
    panel.hidden = true;
    layout.classList.remove("with-panel");
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  }
  document.getElementById("cite-close").addEventListener("click", closeCitation);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !panel.hidden) closeCitation(); });

  async function loadConversations() {
    const conversations = await api("GET", "/v1/conversations");
    list.textContent = "";
    if (!conversations.length) list.append(el("li", { class: "muted" }, t("chat.empty")));
    for (const conversation of conversations) {
      const item = el("li", { class: conversation.id === conversationId ? "active" : "", "data-conversation": conversation.id },
        el("a", { href: `?c=${conversation.id}`, "aria-current": conversation.id === conversationId ? "true" : null, onclick: (event) => { event.preventDefault(); openConversation(conversation.id); } }, conversation.title || "…"),
        el("button", { type: "button", class: "link", "aria-label": t("chat.delete"), title: t("chat.delete"), onclick: async () => {
          await api("DELETE", `/v1/conversations/${conversation.id}`);
          if (conversation.id === conversationId) newChat();
          loadConversations();
        } }, "✕"));
      list.append(item);
    }
  }

  function leaveView() {
    view += 1;
    streaming = null;
    setBusy(false);
    closeCitation();
    sidebar.classList.remove("open");
  }

  async function openConversation(id) {
    leaveView();
    const mine = view;
    const detail = await api("GET", `/v1/conversations/${id}`);
    if (mine !== view) return;
    conversationId = id;
    history.replaceState(null, "", `?c=${id}`);
    messages.textContent = "";
    stick = true;
    for (const message of detail.messages) {
      if (message.role === "user") addMessage("user", message.content);
      else addMessage("assistant", message.content, { ...message, answer: message.content, message_id: message.id });
    }
    lastTurnTools();
    loadConversations();
  }

  function newChat() {
    leaveView();
    conversationId = null;
    history.replaceState(null, "", location.pathname);
    messages.textContent = "";
    messages.append(el("p", { class: "welcome muted" }, t("chat.welcome")));
    loadConversations();
    question.focus();
  }
  document.getElementById("new-chat").addEventListener("click", newChat);
  document.getElementById("toggle-conversations").addEventListener("click", (event) => {
    const open = sidebar.classList.toggle("open");
    event.currentTarget.setAttribute("aria-expanded", String(open));
  });

  async function ask(text) {
    const mine = view;
    const controller = new AbortController();
    streaming = { controller, view: mine };
    const shown = () => mine === view;
    setBusy(true);
    stick = true;
    lastTurnTools();
    addMessage("user", text);
    const { wrapper, bubble } = addMessage("assistant", "");
    bubble.textContent = t("chat.thinking");
    bubble.classList.add("muted");
    wrapper.setAttribute("aria-busy", "true");  // screen readers hear the answer once, not every frame
    let answer = "";
    let painting = false, finished = false;
    const paint = () => {
      // One markdown render per frame however fast the deltas come.
      if (painting) return;
      painting = true;
      requestAnimationFrame(() => { painting = false; if (finished) return; kbMarkdown.answer(bubble, kbMarkdown.partial(answer), [], openCitation); if (shown()) follow(); });
    };
    try {
      const response = await fetch("/v1/chat", {
        method: "POST", credentials: "same-origin", signal: controller.signal,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": KB.csrf },
        body: JSON.stringify({ message: text, stream: true, conversation_id: conversationId, collection: collection.value || null }),
      });
      if (!response.ok) throw new Error(errorText(await response.json().catch(() => ({})), response.status));
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
            answer += data.text;
            paint();
          } else if (type === "reset") {
            answer = "";
            bubble.textContent = "";
            if (shown()) toast(t("chat.reset") + kb.reason(data.reason));
          } else if (type === "done") {
            answer = data.answer || answer;
            finished = true;  // the final render below wins over a pending frame
            bubble.classList.remove("muted");
            finishMessage(wrapper, bubble, data);
            if (shown() && !conversationId) {
              conversationId = data.conversation_id;
              history.replaceState(null, "", `?c=${conversationId}`);
            }
          }
        }
      }
    } catch (error) {
      bubble.classList.remove("muted");
      if (error.name === "AbortError") {
        if (!answer) bubble.textContent = "";
        wrapper.dataset.mode = "stopped";
        wrapper.append(el("div", { class: "note" }, t("chat.stopped")));
      } else {
        bubble.textContent = error.message === "Failed to fetch" || error instanceof TypeError ? t("error.network") : error.message;
        wrapper.dataset.mode = "error";
        wrapper.classList.add("failed");
      }
    } finally {
      wrapper.removeAttribute("aria-busy");
      if (shown()) {
        streaming = null;
        setBusy(false);
        lastTurnTools();
        follow();
        question.focus();
      }
      loadConversations().catch(() => {});
    }
  }

  stop.addEventListener("click", () => { streaming?.controller.abort(); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || streaming) return;
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
  // Ready to type at once; not on touch screens, where focusing would throw up the keyboard.
  if (!matchMedia("(pointer: coarse)").matches) question.focus();
})();
