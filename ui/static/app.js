// Shared helpers: REST calls with the CSRF header, translation, small DOM utilities.
"use strict";
// The page's data comes as a JSON block, not an inline script: the CSP allows scripts from /static only.
window.KB = JSON.parse(document.getElementById("kb-data").textContent);
const kb = (() => {
  const t = (key, ...args) => {
    let text = (window.KB && KB.t[key]) || key;
    for (const arg of args) text = text.replace("{}", arg);
    return text;
  };
  async function api(method, path, body) {
    const options = { method, headers: { "X-CSRF-Token": KB.csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("signed out"); }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || response.statusText;
      toast(message, true);
      throw new Error(message);
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
      else if (key === "style") node.style.cssText = value;  // CSSOM: a style attribute would break the CSP
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    return node;
  }
  const splitList = (text) => text.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
  const size = (bytes) => bytes < 1024 ? bytes + " B" : bytes < 1048576 ? (bytes / 1024).toFixed(1) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  const when = (iso) => new Date(iso.endsWith("Z") || iso.includes("+") ? iso : iso + "Z").toLocaleString(KB.lang);
  return { t, api, toast, el, splitList, size, when };
})();
