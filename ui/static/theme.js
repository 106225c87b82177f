// Runs in <head> so the page never flashes the wrong theme: the saved choice, else the system's.
"use strict";
(() => {
  const saved = localStorage.getItem("kb-theme");
  if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
})();
