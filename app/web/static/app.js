// Shared by every page: the JSON API with the session's CSRF token, drafts kept across a
// lost session, forms that post JSON, the passage dialog, and local times.
"use strict";

const Interlude = (() => {
  const strings = JSON.parse(document.getElementById("i18n").textContent || "{}");
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const DRAFT_PREFIX = "interlude-draft:";

  function tr(key, values) {
    let s = strings[key] || key;
    for (const [name, value] of Object.entries(values || {})) s = s.replaceAll(`{${name}}`, value);
    return s;
  }

  // --- drafts: what a person typed survives a redirect to the login page -----------------
  function draftKey(el) {
    return DRAFT_PREFIX + el.dataset.draft;
  }
  function saveDrafts() {
    for (const el of document.querySelectorAll("[data-draft]")) {
      if (el.value && el.value.trim()) sessionStorage.setItem(draftKey(el), el.value);
    }
  }
  function forgetDraft(el) {
    if (el && el.dataset.draft) sessionStorage.removeItem(draftKey(el));
  }
  function restoreDrafts() {
    for (const el of document.querySelectorAll("[data-draft]")) {
      const kept = sessionStorage.getItem(draftKey(el));
      if (kept === null) continue;
      el.value = kept;
      const hidden = el.closest("[hidden]");
      if (hidden) hidden.hidden = false; // an edit box with a kept draft opens again
    }
  }
  document.addEventListener("input", (event) => {
    const el = event.target;
    if (el.dataset && el.dataset.draft) {
      if (el.value.trim()) sessionStorage.setItem(draftKey(el), el.value);
      else forgetDraft(el);
    }
  });

  function toLogin() {
    saveDrafts();
    const next = location.pathname + location.search;
    location.assign(`/login?expired=1&next=${encodeURIComponent(next)}`);
  }

  // --- the JSON API -------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(message, status, field) {
      super(message);
      this.status = status;
      this.field = field;
    }
  }

  // The session's CSRF token; null on a page without a session (the login page).
  function csrfToken() {
    return csrfMeta ? csrfMeta.content : null;
  }

  async function request(method, path, body, accept, extraHeaders) {
    const headers = { Accept: accept || "application/json", ...extraHeaders };
    const token = csrfToken();
    if (token !== null) headers["X-CSRF-Token"] = token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError(tr("error.network"), 0, null);
    }
    if (response.status === 401) {
      toLogin();
      throw new ApiError(tr("error.generic"), 401, null);
    }
    if (!response.ok) {
      let message = tr("error.generic");
      let field = null;
      try {
        const problem = (await response.json()).error || {};
        message = problem.message || message; // the API says what to fix
        field = problem.field || null;
      } catch (_) {
        /* not JSON: keep the generic message */
      }
      throw new ApiError(message, response.status, field);
    }
    return response;
  }

  async function api(method, path, body, headers) {
    const response = await request(method, path, body, undefined, headers);
    return response.status === 204 ? null : response.json();
  }

  // --- feedback in a form or card ---------------------------------------------------------
  function showError(container, error) {
    const box = container.querySelector(".error[role=alert]");
    if (!box) return;
    box.textContent = error ? error.message || String(error) : "";
    box.hidden = !error;
    for (const el of container.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    if (error && error.field) {
      const named = container.querySelector(`[name="${CSS.escape(error.field)}"]`);
      if (named) {
        named.setAttribute("aria-invalid", "true");
        named.focus();
      }
    }
  }
  function showOutcome(container, message) {
    const box = container.querySelector(".outcome[role=status]");
    if (box) box.textContent = message;
  }

  // --- forms that post JSON: <form data-api-form data-url=... data-done=...> -------------
  const onDone = {
    reload: () => location.reload(),
    // The account no longer exists: the login page says so.
    erased: () => location.assign("/login?erased=1"),
  };

  function formBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      const value = el.value;
      if (el.type === "checkbox") body[el.name] = el.checked;
      else if (el.dataset.list === "lines") body[el.name] = value.split("\n").map((s) => s.trim()).filter(Boolean);
      else if (el.dataset.list === "comma") body[el.name] = value.split(",").map((s) => s.trim()).filter(Boolean);
      else if (el.type === "datetime-local") body[el.name] = value ? new Date(value).toISOString() : null;
      else body[el.name] = value;
    }
    return body;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-api-form]")) return;
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    showError(form, null);
    try {
      const result = await api(form.dataset.method || "POST", form.dataset.url, formBody(form));
      for (const el of form.querySelectorAll("[data-draft]")) forgetDraft(el);
      (onDone[form.dataset.done] || (() => {}))(result, form);
    } catch (error) {
      if (error.status !== 401) showError(form, error);
    } finally {
      if (button) button.disabled = false;
    }
  });

  // --- the passage behind a citation --------------------------------------------------------
  const dialog = document.getElementById("passage");

  function fillPassage(title, meta, note, text, quote) {
    dialog.querySelector("#passage-title").textContent = title;
    dialog.querySelector("#passage-meta").textContent = meta;
    const noteBox = dialog.querySelector("#passage-note");
    noteBox.textContent = note;
    noteBox.hidden = !note;
    const body = dialog.querySelector("#passage-text");
    body.replaceChildren();
    // The quote the citation was made from is marked inside the passage (text nodes only).
    // A quote is plain text (markup and links taken out), so its words are looked for with
    // markup or line breaks allowed between them.
    const found = quote ? findQuote(text, quote) : null;
    if (!found) {
      body.textContent = text;
      return;
    }
    const mark = document.createElement("mark");
    mark.textContent = text.slice(found.start, found.end);
    body.append(text.slice(0, found.start), mark, text.slice(found.end));
  }

  function findQuote(text, quote) {
    const words = quote.replace(/…$/, "").trim().split(/\s+/).filter(Boolean);
    const escape = (word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const count of [words.length, 12, 6]) {
      if (!count || count > words.length) continue;
      const pattern = words.slice(0, count).map(escape).join("[\\s*_#>`|\\-]*");
      const match = new RegExp(pattern).exec(text);
      if (match) return { start: match.index, end: match.index + match[0].length };
    }
    return null;
  }

  async function openPassage(button) {
    const { chunkId, title, quote } = button.dataset;
    fillPassage(title || tr("source"), "", tr("passage.loading"), "", "");
    dialog.showModal();
    try {
      const passage = await api("GET", `/api/v1/knowledge/passages/${encodeURIComponent(chunkId)}`);
      const heading = (passage.heading_path || []).join(" › ");
      const meta = [tr("passage.from", { document: passage.document_name }), heading].filter(Boolean).join(" · ");
      fillPassage(passage.title || title, meta, "", passage.text, quote);
      dialog.dataset.loaded = "passage";
    } catch (error) {
      if (error.status === 401) return;
      fillPassage(title || tr("source"), "", error.status === 404 ? tr("passage.gone") : error.message, quote || "", "");
      dialog.dataset.loaded = "quote";
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.cite");
    if (button) openPassage(button);
  });

  // --- times in the reader's own time zone -------------------------------------------------
  function localTimes(root) {
    // The person's own zone when they chose one on their account page, else the browser's.
    const zone = document.documentElement.dataset.timeZone;
    const options = { dateStyle: "long", timeStyle: "short" };
    if (zone) options.timeZone = zone;
    let format;
    try {
      format = new Intl.DateTimeFormat(document.documentElement.lang, options);
    } catch (error) { // a zone this browser does not know: its own
      delete options.timeZone;
      format = new Intl.DateTimeFormat(document.documentElement.lang, options);
    }
    for (const el of root.querySelectorAll("time[data-local]")) {
      const moment = new Date(el.getAttribute("datetime"));
      if (!Number.isNaN(moment.getTime())) el.textContent = format.format(moment);
    }
  }

  // --- "Copy" buttons: <button data-copy="id-of-an-input"> ---------------------------------
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (error) { // no clipboard access (plain http, permissions): the text stays selected
      return;
    }
    const status = document.getElementById(button.dataset.copy + "-status");
    if (status) status.textContent = tr("calendar.copied");
  });

  document.addEventListener("DOMContentLoaded", () => {
    restoreDrafts();
    localTimes(document);
  });

  return { tr, api, request, csrfToken, toLogin, saveDrafts, forgetDraft, showError, showOutcome, onDone, localTimes, ApiError };
})();
