// Switchboard admin page: tenants, branding with a live preview (the real widget), knowledge uploads.
// Everything shown comes from the admin API (/admin/v1, docs/admin.md) and is rendered with
// textContent: no tenant name, file name or error message is ever parsed as HTML.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const KEY = "sb_admin_key";
  const POLL_MS = 700;
  const S = { key: sessionStorage.getItem(KEY), tenants: [], selected: null, config: null, gateway: "", pollTimer: null, preview: null };

  // ---- REST -------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  function detailText(data, status) {
    const d = data && data.detail;
    if (typeof d === "string") return d;
    if (Array.isArray(d)) return d.map((e) => `${(e.loc || []).slice(1).join(".") || "body"}: ${e.msg}`).join("; ");
    return `HTTP ${status}`;
  }

  async function api(method, path, body, contentType = "application/json") {
    const headers = { Authorization: `Bearer ${S.key}` };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = contentType; payload = JSON.stringify(body); }
    const res = await fetch(`/admin/v1${path}`, { method, headers, body: payload });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.status === 401 || res.status === 403) {
      signOut("That admin key was not accepted.");
      throw new ApiError(res.status, detailText(data, res.status));
    }
    if (!res.ok) throw new ApiError(res.status, detailText(data, res.status));
    return data;
  }

  // ---- sign in ----------------------------------------------------------------------
  async function signIn(key) {
    S.key = key;
    try {
      S.tenants = await api("GET", "/tenants");
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) $("login-error").textContent = e.message;
      return;
    }
    sessionStorage.setItem(KEY, key);
    $("login").hidden = true; $("app").hidden = false; $("account").hidden = false;
    $("login-error").textContent = "";
    renderTenants();
  }

  function signOut(message = "") {
    S.key = null; S.selected = null;
    sessionStorage.removeItem(KEY);
    clearTimeout(S.pollTimer);
    dropPreview();
    $("login").hidden = false; $("app").hidden = true; $("account").hidden = true;
    $("login-error").textContent = message;
  }

  // ---- tenants ----------------------------------------------------------------------
  function renderTenants() {
    const list = $("tenants");
    list.replaceChildren(...S.tenants.map((t) => {
      const li = document.createElement("li");
      li.classList.toggle("selected", t.id === S.selected);
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.tenantId = t.id;
      b.setAttribute("aria-current", t.id === S.selected ? "true" : "false");
      const name = document.createElement("strong");
      name.textContent = t.name || t.id;
      const meta = document.createElement("small");
      meta.textContent = `${t.id}${t.disabled ? " · disabled" : ""}`;
      b.append(name, meta);
      b.addEventListener("click", () => select(t.id));
      li.append(b);
      return li;
    }));
  }

  function widgetOf(config) { return (config && config.widget) || {}; }

  async function select(id) {
    const view = await api("GET", `/tenants/${encodeURIComponent(id)}`);
    S.selected = id; S.config = view.config;
    renderTenants();
    const w = widgetOf(view.config);
    $("editor-title").textContent = view.config.name || id;
    $("editor-key").textContent = `Widget key: ${view.config.widget_key}`;
    $("accent").value = (w.theme && w.theme.accent) || "";
    $("accent-picker").value = /^#[0-9a-fA-F]{6}$/.test($("accent").value) ? $("accent").value : "#2563eb";
    $("title").value = (w.strings && w.strings.title) || "";
    $("subtitle").value = (w.strings && w.strings.subtitle) || "";
    $("welcome").value = (view.config.welcome && view.config.welcome.text) || "";
    $("saved").textContent = ""; $("save-error").textContent = ""; $("upload-error").textContent = "";
    $("editor").hidden = false; $("preview").hidden = false; $("empty").hidden = true;
    mountPreview(view.config.widget_key);
    await refreshDocuments();
  }

  async function createTenant(ev) {
    ev.preventDefault();
    $("create-error").textContent = "";
    const id = $("new-id").value.trim(), name = $("new-name").value.trim();
    try {
      await api("POST", "/tenants", { id, name });
    } catch (e) {
      $("create-error").textContent = e.message;
      return;
    }
    $("create-form").reset();
    S.tenants = await api("GET", "/tenants");
    await select(id);
  }

  // ---- branding and its live preview -----------------------------------------------
  function formBranding() {
    const w = widgetOf(S.config);
    const accent = $("accent").value.trim();
    const strings = { ...(w.strings || {}) };
    for (const field of ["title", "subtitle"]) {
      const v = $(field).value.trim();
      if (v) strings[field] = v; else delete strings[field];
    }
    const theme = { ...(w.theme || {}) };
    if (/^#[0-9a-fA-F]{6}$/.test(accent)) theme.accent = accent; else if (!accent) delete theme.accent;
    return { theme, strings };
  }

  function mountPreview(widgetKey) {
    dropPreview();
    const el = document.createElement("switchboard-chat");
    el.setAttribute("widget-key", widgetKey);
    el.setAttribute("api-base", S.gateway);
    el.setAttribute("layout", "embedded");
    el.setAttribute("lang", "en");
    el.setAttribute("data-testid", "preview-widget");
    $("preview-host").append(el);
    S.preview = el;
    updatePreview();
  }

  function dropPreview() {
    if (S.preview) S.preview.remove();
    S.preview = null;
  }

  function updatePreview() {
    if (S.preview && typeof S.preview.setConfig === "function") S.preview.setConfig(formBranding());
  }

  async function save(ev) {
    ev.preventDefault();
    $("saved").textContent = ""; $("save-error").textContent = "";
    const accent = $("accent").value.trim();
    if (accent && !/^#[0-9a-fA-F]{6}$/.test(accent)) {
      $("save-error").textContent = "Expected the accent colour as #rrggbb.";
      return;
    }
    const text = (id) => $(id).value.trim() || null; // null: back to the default
    const welcome = $("welcome").value.trim();
    const patch = {
      widget: { theme: { accent: accent || null }, strings: { title: text("title"), subtitle: text("subtitle") } },
      welcome: welcome ? { text: welcome } : null,
    };
    try {
      const view = await api("PATCH", `/tenants/${encodeURIComponent(S.selected)}`, patch, "application/merge-patch+json");
      S.config = view.config;
      $("saved").textContent = `Saved (version ${view.version}).`;
      updatePreview();
    } catch (e) {
      $("save-error").textContent = e.message;
    }
  }

  // ---- knowledge --------------------------------------------------------------------
  async function refreshDocuments() {
    clearTimeout(S.pollTimer);
    const tenant = S.selected;
    if (!tenant) return;
    let docs;
    try {
      docs = await api("GET", `/tenants/${encodeURIComponent(tenant)}/knowledge`);
    } catch (e) {
      $("upload-error").textContent = e.message;
      return;
    }
    if (tenant !== S.selected) return;
    renderDocuments(docs);
    if (docs.some((d) => d.status === "queued" || d.status === "indexing")) {
      S.pollTimer = setTimeout(refreshDocuments, POLL_MS);
    }
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (text !== undefined) td.textContent = text;
    return td;
  }

  function renderDocuments(docs) {
    $("docs-empty").hidden = docs.length > 0;
    $("docs").replaceChildren(...docs.map((d) => {
      const tr = document.createElement("tr");
      tr.dataset.documentId = String(d.id);
      tr.dataset.status = d.status;
      const name = cell(d.filename);
      const status = cell(d.status, `status-${d.status}`);
      status.dataset.testid = "document-status";
      if (d.status === "failed" && d.error) status.title = d.error;
      const progressCell = cell();
      const bar = document.createElement("progress");
      bar.max = 1; bar.value = d.progress;
      bar.setAttribute("aria-label", `Indexing progress of ${d.filename}`);
      progressCell.append(bar);
      const actions = cell();
      const del = document.createElement("button");
      del.type = "button"; del.className = "delete";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete ${d.filename}`);
      del.addEventListener("click", () => removeDocument(d.id));
      actions.append(del);
      tr.append(name, status, progressCell, actions);
      return tr;
    }));
  }

  async function upload(ev) {
    ev.preventDefault();
    $("upload-error").textContent = "";
    const file = $("file").files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      await api("POST", `/tenants/${encodeURIComponent(S.selected)}/knowledge`, form);
      $("upload-form").reset();
    } catch (e) {
      $("upload-error").textContent = e.message;
    }
    await refreshDocuments();
  }

  async function removeDocument(id) {
    try {
      await api("DELETE", `/tenants/${encodeURIComponent(S.selected)}/knowledge/${id}`);
    } catch (e) {
      $("upload-error").textContent = e.message;
    }
    await refreshDocuments();
  }

  // ---- start ------------------------------------------------------------------------
  async function start() {
    try {
      const page = await (await fetch("/admin/page-config")).json();
      S.gateway = String(page.gateway_url || "");
    } catch {
      S.gateway = "";
    }
    $("gateway").textContent = S.gateway || "(unknown)";
    $("login-form").addEventListener("submit", (ev) => { ev.preventDefault(); signIn($("key").value.trim()); });
    $("sign-out").addEventListener("click", () => signOut());
    $("create-form").addEventListener("submit", createTenant);
    $("branding-form").addEventListener("submit", save);
    $("upload-form").addEventListener("submit", upload);
    for (const id of ["accent", "title", "subtitle"]) $(id).addEventListener("input", updatePreview);
    $("accent").addEventListener("input", () => {
      if (/^#[0-9a-fA-F]{6}$/.test($("accent").value.trim())) $("accent-picker").value = $("accent").value.trim();
    });
    $("accent-picker").addEventListener("input", () => { $("accent").value = $("accent-picker").value; updatePreview(); });
    document.body.dataset.ready = "true";
    if (S.key) await signIn(S.key);
  }

  start();
})();
