// Shared helpers: REST calls with the CSRF header, translation (also of server errors), small DOM utilities.
"use strict";
window.KB = JSON.parse(document.getElementById("kb-config")?.textContent || "{}");
const kb = (() => {
  const t = (key, ...args) => {
    let text = (KB.t && KB.t[key]) || key;
    for (const arg of args) text = text.replace("{}", arg);
    return text;
  };
  // A server failure reason (written in English) in the page's language; unknown ones stay as they are.
  function reason(text) {
    if (!text) return "";
    for (const [pattern, translated] of KB.reasons || []) {
      const match = new RegExp(pattern, "i").exec(text);
      if (match) return translated.replace(/\{(\d)\}/g, (_, n) => match[Number(n)] || "");
    }
    return text;
  }
  // One error shape from the API ({error: {code, message}}) into a sentence a person can read.
  function errorText(data, status) {
    const error = (data && data.error) || {};
    const code = error.code || (status === 404 ? "not_found" : status === 403 ? "forbidden" : status === 415 ? "unsupported_media_type" : status === 413 ? "payload_too_large" : "internal_error");
    const generic = t(`error.code.${code}`);
    const fixed = ["not_found", "unauthorized", "forbidden", "unsupported_media_type", "payload_too_large", "quota_exceeded", "internal_error"];
    // Fixed-meaning codes never show the server's text (it may carry ids); the others add the reason.
    if (fixed.includes(code) || !error.message) return generic;
    const detail = reason(error.message);
    if (KB.lang === "zh-CN" && detail === error.message) return generic;
    return detail === error.message ? error.message.replace(/\b[0-9a-f]{16,}\b/gi, "…") : `${generic} ${detail}`;
  }
  async function api(method, path, body, { quiet = false } = {}) {
    const options = { method, headers: { "X-CSRF-Token": KB.csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      if (!quiet) toast(t("error.network"), true);
      throw new Error(t("error.network"));
    }
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error(t("error.code.unauthorized")); }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = errorText(data, response.status);
      if (!quiet) toast(message, true);
      const failure = new Error(message);
      failure.code = data.error && data.error.code;
      throw failure;
    }
    return data;
  }
  let toastTimer;
  function toast(message, bad = false) {
    const node = document.getElementById("toast");
    if (!node) return;
    node.textContent = message;
    node.className = "show" + (bad ? " bad" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.className = ""; }, 4000);
  }
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    return node;
  }
  const size = (bytes) => bytes < 1024 ? bytes + " B" : bytes < 1048576 ? (bytes / 1024).toFixed(1) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  const when = (iso) => new Date(iso.endsWith("Z") || iso.includes("+") ? iso : iso + "Z").toLocaleString(KB.lang);

  // Theme: follows the system until the person picks one; the toggle flips and remembers it.
  const dark = () => (document.documentElement.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light")) === "dark";
  const themeToggle = document.getElementById("theme-toggle");
  if (themeToggle) {
    themeToggle.setAttribute("aria-pressed", String(dark()));
    themeToggle.addEventListener("click", () => {
      const next = dark() ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      localStorage.setItem("kb-theme", next);
      themeToggle.setAttribute("aria-pressed", String(next === "dark"));
    });
  }
  // The language link keeps the page and whatever the script put in the address (the open conversation).
  document.querySelector("[data-testid=lang-switch]")?.addEventListener("click", (event) => {
    const link = new URL(event.currentTarget.href);
    link.searchParams.set("next", location.pathname + location.search);
    event.currentTarget.href = link.toString();
  });
  const THUMB = "M2 10h3v10H2zM7 20h9.6a2 2 0 0 0 2-1.6l1.3-6.8A2 2 0 0 0 17.9 9H13l.7-4.2A1.6 1.6 0 0 0 12.1 3L7 9.5z";
  function thumb(up) {
    // Inline SVG: emoji fonts are often missing on offline machines.
    const ns = "http://www.w3.org/2000/svg";
    const icon = document.createElementNS(ns, "svg");
    for (const [k, v] of Object.entries({ viewBox: "0 0 22 22", width: "15", height: "15", "aria-hidden": "true" })) icon.setAttribute(k, v);
    if (!up) icon.setAttribute("transform", "rotate(180)");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    icon.append(path);
    return icon;
  }
  return { t, api, toast, el, size, when, reason, errorText, thumb };
})();
