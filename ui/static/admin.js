"use strict";
(() => {
  const { t, api, el, splitList, toast } = kb;
  const form = (id) => document.getElementById(id);
  const values = (node) => Object.fromEntries(new FormData(node).entries());

  async function loadUsers() {
    const users = await api("GET", "/v1/admin/users");
    const body = form("user-rows");
    body.textContent = "";
    for (const user of users) {
      const groups = el("input", { value: user.groups.join(", "), "aria-label": `${user.name} ${t("admin.groups")}` });
      const role = el("select", { "aria-label": `${user.name} ${t("admin.role")}` }, ...["reader", "editor", "admin"].map((r) => el("option", { value: r, selected: r === user.role }, r)));
      body.append(el("tr", { "data-user": user.name },
        el("td", {}, user.name, user.disabled ? " (disabled)" : ""), el("td", {}, role), el("td", {}, groups),
        el("td", {}, el("div", { class: "actions" },
          el("button", { type: "button", onclick: async () => {
            await api("PATCH", `/v1/admin/users/${user.name}`, { role: role.value, groups: splitList(groups.value) });
            toast("✓"); loadAll();
          } }, t("admin.save")),
          el("button", { type: "button", class: "danger", onclick: async () => {
            if (!confirm(t("admin.confirm.delete", user.name))) return;
            await api("DELETE", `/v1/admin/users/${user.name}`); loadAll();
          } }, t("docs.delete"))))));
    }
  }

  async function loadCollections() {
    const collections = await api("GET", "/v1/admin/collections");
    const body = form("collection-rows");
    body.textContent = "";
    for (const c of collections) {
      const reads = el("input", { value: c.read_groups.join(", "), "aria-label": `${c.name} read` });
      const writes = el("input", { value: c.write_groups.join(", "), "aria-label": `${c.name} write` });
      body.append(el("tr", { "data-collection": c.name }, el("td", {}, c.name), el("td", {}, reads), el("td", {}, writes),
        el("td", {}, el("button", { type: "button", onclick: async () => {
          await api("PATCH", `/v1/admin/collections/${c.name}`, { read_groups: splitList(reads.value), write_groups: splitList(writes.value) });
          toast("✓"); loadAll();
        } }, t("admin.save")))));
    }
  }

  async function loadGroups() {
    const groups = await api("GET", "/v1/admin/groups");
    const body = form("group-rows");
    body.textContent = "";
    for (const g of groups) body.append(el("tr", {}, el("td", {}, g.name), el("td", {}, g.members.join(", ") || "–")));
  }

  async function loadKeys() {
    const keys = await api("GET", "/v1/admin/keys");
    const body = form("key-rows");
    body.textContent = "";
    for (const key of keys.slice().reverse()) {
      body.append(el("tr", {}, el("td", {}, el("code", {}, key.prefix + "…")), el("td", {}, key.user), el("td", {}, key.role), el("td", {}, key.name),
        el("td", {}, el("span", { class: `badge ${key.revoked_at ? "failed" : "ready"}` }, key.revoked_at ? t("admin.revoked") : t("admin.active"))),
        el("td", {}, key.revoked_at ? "" : el("button", { type: "button", class: "danger", onclick: async () => {
          if (!confirm(t("admin.confirm.revoke", key.prefix))) return;
          await api("DELETE", `/v1/admin/keys/${key.id}`); loadKeys();
        } }, t("admin.revoke")))));
    }
  }

  const loadAll = () => Promise.all([loadUsers(), loadCollections(), loadGroups(), loadKeys()]);

  form("user-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = values(event.target);
    await api("POST", "/v1/admin/users", { name: data.name, role: data.role, groups: splitList(data.groups), password: data.password || null });
    event.target.reset(); loadAll();
  });
  form("collection-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = values(event.target);
    await api("POST", "/v1/admin/collections", { name: data.name, read_groups: splitList(data.read_groups), write_groups: splitList(data.write_groups) });
    event.target.reset(); loadAll();
  });
  form("group-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("POST", "/v1/admin/groups", values(event.target));
    event.target.reset(); loadGroups();
  });
  form("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = values(event.target);
    const created = await api("POST", "/v1/admin/keys", { user: data.user, role: data.role || null, name: data.name });
    form("new-key-value").textContent = created.key;
    form("new-key").hidden = false;
    event.target.reset(); loadAll();
  });
  form("copy-key").addEventListener("click", async () => {
    await navigator.clipboard.writeText(form("new-key-value").textContent).catch(() => {});
    toast(t("chat.copied"));
  });
  loadAll();
})();
