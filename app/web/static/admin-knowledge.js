// Knowledge: upload with its progress, indexing followed until done, delete, try a search.
"use strict";

(() => {
  const { tr, api, toLogin, localTimes, csrfToken, ApiError } = Interlude;
  const { sleep, counted, setText, onSubmit, values, confirmed, actions, rowAction } = InterludeAdmin;
  const POLL_MS = 1000;
  const documents = document.getElementById("documents");
  const IN_PROGRESS = new Set(((documents && documents.dataset.inProgress) || "").split(" "));

  // --- upload, follow, delete ----------------------------------------------------------------
  function fillDocument(row, doc) {
    row.dataset.documentId = doc.id;
    row.dataset.status = doc.status;
    const title = doc.title || doc.name;
    setText(row, "title", title);
    setText(row, "name", doc.name).hidden = !doc.title || doc.title === doc.name;
    if (doc.kind) setText(row, "kind", tr(`admin.doc_kind.${doc.kind}`));
    setText(row, "language", doc.language ? tr(`admin.lang.${doc.language}`) : "—");
    setText(row, "skill", doc.skill || "—");
    setText(row, "status", tr(`admin.status.${doc.status}`));
    setText(row, "chunks", doc.status === "indexed" ? counted("admin.documents.passages", doc.chunk_count) : "");
    setText(row, "reason", doc.error).hidden = !doc.error;
    setText(row, "delete-name", ` ${title}`);
    const time = row.querySelector("time");
    time.setAttribute("datetime", doc.updated_at);
    localTimes(row);
  }

  function documentRow(doc) {
    let row = documents.querySelector(`tr[data-document-id="${CSS.escape(doc.id)}"]`);
    if (!row) {
      row = document.getElementById("document-template").content.firstElementChild.cloneNode(true);
      documents.tBodies[0].prepend(row);
    }
    documents.hidden = false;
    document.getElementById("no-documents").hidden = true;
    return row;
  }

  async function follow(row, onStatus) {
    for (;;) {
      let doc;
      try {
        doc = await api("GET", `/api/v1/knowledge/documents/${row.dataset.documentId}`);
      } catch (error) {
        if (error.status !== 401) setText(row, "reason", error.message).hidden = false;
        return null;
      }
      fillDocument(row, doc);
      if (onStatus) onStatus(doc);
      if (!IN_PROGRESS.has(doc.status)) return doc;
      await sleep(POLL_MS);
    }
  }

  function send(form, onProgress) {
    // XMLHttpRequest rather than fetch (Interlude.request): only it reports the upload's progress.
    return new Promise((resolve, reject) => {
      const data = new FormData();
      const file = form.elements.file.files[0];
      data.append("file", file, file.name);
      for (const [name, value] of Object.entries(values(form, ["kind", "language", "skill", "event_date"]))) data.append(name, value);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.url);
      xhr.setRequestHeader("Accept", "application/json");
      const token = csrfToken();
      if (token !== null) xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onerror = () => reject(new ApiError(tr("error.network"), 0, null));
      xhr.onload = () => {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (_) {
          /* not JSON: a generic message below */
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
        if (xhr.status === 401) toLogin();
        const problem = (body && body.error) || {};
        reject(new ApiError(problem.message || tr("error.generic"), xhr.status, problem.field || null));
      };
      xhr.send(data);
    });
  }

  onSubmit(document.getElementById("upload-form"), async (form) => {
    const progress = document.getElementById("upload-progress");
    const bar = document.getElementById("upload-bar");
    const status = document.getElementById("upload-status");
    progress.hidden = false;
    progress.dataset.state = "uploading";
    bar.parentElement.hidden = false;
    bar.max = 100;
    bar.value = 0;
    status.textContent = tr("admin.upload.sending", { percent: 0 });
    let doc;
    try {
      doc = await send(form, (share) => {
        bar.value = Math.round(share * 100);
        status.textContent = tr("admin.upload.sending", { percent: bar.value });
      });
    } catch (error) {
      progress.dataset.state = "refused";
      bar.parentElement.hidden = true; // sent in full, yet not accepted: a full bar would say otherwise
      status.textContent = tr("admin.upload.refused");
      throw error;
    }
    bar.value = 100;
    progress.dataset.state = "indexing";
    const kind = form.elements.kind;
    const row = documentRow(doc);
    if (kind.value && !doc.kind) setText(row, "kind", kind.selectedOptions[0].textContent);
    fillDocument(row, doc);
    form.reset();
    const done = await follow(row, (d) => {
      const said = { name: d.title || d.name, error: d.error };
      if (d.status === "indexed") status.textContent = counted("admin.upload.indexed", d.chunk_count, said);
      else status.textContent = tr(`admin.upload.${d.status}`, said);
    });
    if (done) progress.dataset.state = done.status;
  });

  if (documents) {
    for (const row of documents.querySelectorAll("tbody tr")) {
      if (IN_PROGRESS.has(row.dataset.status)) follow(row);
    }
  }

  actions["delete-document"] = async (button) => {
    const row = button.closest("tr");
    const name = row.querySelector('[data-role="title"]').textContent;
    const ok = await confirmed({
      title: tr("admin.documents.delete_title"),
      text: tr("admin.documents.delete_text", { name }),
      ok: tr("admin.documents.delete"),
    });
    if (!ok) return;
    await rowAction(button, async () => {
      await api("DELETE", `/api/v1/knowledge/documents/${row.dataset.documentId}`);
      const heading = document.getElementById("documents-title");
      row.remove();
      const empty = !documents.tBodies[0].rows.length;
      documents.hidden = empty;
      document.getElementById("no-documents").hidden = !empty;
      document.getElementById("documents-status").textContent = tr("admin.documents.deleted", { name });
      heading.focus(); // the button that had focus is gone
    });
  };

  // --- try a search --------------------------------------------------------------------------
  function passageItem(p) {
    const item = document.createElement("li");
    item.className = "passage card";
    item.dataset.documentId = p.document_id;
    const title = document.createElement("h3");
    title.textContent = p.title || p.document_name;
    const meta = document.createElement("p");
    meta.className = "meta";
    const where = [tr("passage.from", { document: p.document_name }), (p.heading_path || []).join(" › ")];
    const score = p.score === null || p.score === undefined ? "" : tr("admin.search.score", { score: p.score.toFixed(3) });
    meta.textContent = [...where, score].filter(Boolean).join(" · ");
    const text = document.createElement("p");
    text.className = "passage-text";
    text.textContent = p.text;
    item.append(title, meta, text);
    return item;
  }

  onSubmit(document.getElementById("search-form"), async (form) => {
    const status = document.getElementById("search-status");
    const list = document.getElementById("search-results");
    const query = new URLSearchParams({ q: form.elements.q.value.trim(), k: form.elements.k.value || "5" });
    status.textContent = tr("admin.search.searching");
    list.replaceChildren();
    try {
      const passages = await api("GET", `/api/v1/knowledge/search?${query}`);
      list.replaceChildren(...passages.map(passageItem));
      status.textContent = passages.length ? counted("admin.search.found", passages.length) : tr("admin.search.nothing");
    } catch (error) {
      status.textContent = "";
      throw error;
    }
  });
})();
