"use strict";
(() => {
  const { t, api, el, toast } = kb;
  const form = (id) => document.getElementById(id);
  const values = (node) => Object.fromEntries(new FormData(node).entries());

  let groupNames = [];
  // Groups are picked from the existing ones; a new group is only made in the Groups form.
  function picker(selected, label, implicit = true) {
    const select = el("select", { multiple: true, class: "group-picker", "aria-label": label, size: Math.min(Math.max(groupNames.length, 2), 4) });
    // "everyone" is implicit for collections (every user is in it), pointless as a user's group.
    for (const name of new Set([...(implicit ? ["everyone"] : []), ...groupNames, ...selected])) select.append(el("option", { value: name, selected: selected.includes(name) }, name));
    return select;
  }
  const picked = (select) => [...select.selectedOptions].map((o) => o.value);
  function fillPickers() {
    for (const select of document.querySelectorAll("form .group-picker")) {
      const keep = picked(select);
      const names = select.name === "groups" ? groupNames : ["everyone", ...groupNames];
      select.replaceChildren(...names.map((name) => el("option", { value: name, selected: keep.includes(name) }, name)));
      select.size = Math.min(Math.max(groupNames.length, 2), 4);
    }
  }

  async function loadUsers() {
    const users = await api("GET", "/v1/admin/users");
    form("user-names").replaceChildren(...users.map((user) => el("option", { value: user.name })));
    const body = form("user-rows");
    body.textContent = "";
    for (const user of users) {
      const self = user.name === KB.user.name;
      const groups = picker(user.groups, `${user.name} ${t("admin.groups")}`, false);
      const role = el("select", { "aria-label": `${user.name} ${t("admin.role")}` }, ...["reader", "editor", "admin"].map((r) => el("option", { value: r, selected: r === user.role }, r)));
      const actions = el("div", { class: "actions" },
        el("button", { type: "button", onclick: async () => {
          await api("PATCH", `/v1/admin/users/${encodeURIComponent(user.name)}`, { role: role.value, groups: picked(groups) });
          toast("✓"); loadAll();
        } }, t("admin.save")),
        el("button", { type: "button", "data-action": "reset-password", onclick: async () => {
          const password = prompt(t("admin.prompt.password", user.name));
          if (!password) return;
          await api("PATCH", `/v1/admin/users/${encodeURIComponent(user.name)}`, { password });
          toast(t("admin.password_set"));
        } }, t("admin.reset_password")));
      if (!self) {
        actions.append(
          el("button", { type: "button", "data-action": "disable", onclick: async () => {
            await api("PATCH", `/v1/admin/users/${encodeURIComponent(user.name)}`, { disabled: !user.disabled });
            loadAll();
          } }, user.disabled ? t("admin.enable") : t("admin.disable")),
          el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
            if (!confirm(t("admin.confirm.delete", user.name))) return;
            await api("DELETE", `/v1/admin/users/${encodeURIComponent(user.name)}`); loadAll();
          } }, t("docs.delete")));
      }
      body.append(el("tr", { "data-user": user.name },
        el("td", {}, user.name, self ? el("span", { class: "muted" }, ` (${t("admin.you")})`) : ""), el("td", {}, role), el("td", {}, groups),
        el("td", {}, el("span", { class: `badge ${user.disabled ? "failed" : "ready"}` }, user.disabled ? t("admin.disabled") : t("admin.active"))),
        el("td", {}, actions)));
    }
  }

  async function loadCollections() {
    const collections = await api("GET", "/v1/admin/collections");
    const body = form("collection-rows");
    body.textContent = "";
    for (const c of collections) {
      const reads = picker(c.read_groups, `${c.name} ${t("admin.read_groups")}`);
      const writes = picker(c.write_groups, `${c.name} ${t("admin.write_groups")}`);
      body.append(el("tr", { "data-collection": c.name }, el("td", {}, c.name), el("td", {}, reads), el("td", {}, writes),
        el("td", {}, el("button", { type: "button", onclick: async () => {
          await api("PATCH", `/v1/admin/collections/${c.name}`, { read_groups: picked(reads), write_groups: picked(writes) });
          toast("✓"); loadAll();
        } }, t("admin.save")))));
    }
  }

  async function loadGroups() {
    const groups = await api("GET", "/v1/admin/groups");
    groupNames = groups.map((g) => g.name);
    fillPickers();
    const body = form("group-rows");
    body.textContent = "";
    for (const g of groups) body.append(el("tr", { "data-group": g.name }, el("td", {}, g.name), el("td", {}, g.members.join(", ") || "–")));
    if (!groups.length) body.append(el("tr", {}, el("td", { colspan: 2, class: "muted" }, t("admin.no_groups"))));
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

  // Groups first: the user and collection rows build their pickers from them.
  const loadAll = () => loadGroups().then(() => Promise.all([loadUsers(), loadCollections(), loadKeys()]));

  form("user-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = values(event.target);
    await api("POST", "/v1/admin/users", { name: data.name, role: data.role, groups: picked(event.target.elements.groups), password: data.password || null });
    event.target.reset(); loadAll();
  });
  form("collection-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = values(event.target);
    const fields = event.target.elements;
    await api("POST", "/v1/admin/collections", { name: data.name, read_groups: picked(fields.read_groups), write_groups: picked(fields.write_groups) });
    event.target.reset(); loadAll();
  });
  form("group-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("POST", "/v1/admin/groups", values(event.target));
    event.target.reset(); loadAll();
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
