// Admin pages: knowledge (upload with its progress, indexing followed until done, delete,
// try a search), people and enrollments, API keys (the secret shown once), policy.
// Every change goes to the JSON API; an error it names a field for is shown beside that field.
"use strict";

(() => {
  const { tr, api, toLogin, localTimes } = Interlude;
  const POLL_MS = 1000;
  const FLASH = "interlude-admin-flash";
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // "1 passage", "3 passages": a key with `_one` holds the singular.
  const counted = (key, count, values) => tr(count === 1 ? `${key}_one` : key, { ...values, count });
  // As the API's HostName: a site name, no scheme, no path.
  const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

  // --- errors beside their field -------------------------------------------------------------
  function fieldFor(form, name) {
    if (!name) return null;
    // "policy.link_hosts[2]" is reported for one line of the box named "policy.link_hosts".
    for (const candidate of [name, name.replace(/\[\d+\]$/, "")]) {
      const el = form.querySelector(`[name="${CSS.escape(candidate)}"]`);
      if (el) return el;
    }
    return null;
  }

  function clearProblems(form) {
    for (const note of form.querySelectorAll(".field-error")) note.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      const kept = el.dataset.describedby;
      if (kept) el.setAttribute("aria-describedby", kept);
      else el.removeAttribute("aria-describedby");
      delete el.dataset.describedby;
    }
    const box = form.querySelector(".error[role=alert]");
    if (box) {
      box.textContent = "";
      box.hidden = true;
    }
  }

  function showProblem(form, error) {
    clearProblems(form);
    if (!error) return;
    const el = fieldFor(form, error.field);
    if (!el) {
      const box = form.querySelector(".error[role=alert]");
      box.textContent = error.message;
      box.hidden = false;
      return;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${(el.id || el.name).replace(/[^\w-]/g, "-")}-error`;
    note.textContent = error.message;
    (el.closest("fieldset") || el.closest("label") || el).after(note);
    el.dataset.describedby = el.getAttribute("aria-describedby") || "";
    el.setAttribute("aria-describedby", `${note.id} ${el.dataset.describedby}`.trim());
    el.setAttribute("aria-invalid", "true");
    el.focus();
  }

  // A change that needs the page rendered again says what happened once it is back.
  function reloadWith(message) {
    sessionStorage.setItem(FLASH, message);
    location.reload();
  }
  const flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    const note = document.createElement("p");
    note.className = "outcome flash";
    note.setAttribute("role", "status");
    note.id = "flash";
    document.querySelector("main h1").after(note);
    setTimeout(() => (note.textContent = flash), 50); // after insertion, so it is announced
  }

  // One guarded submit for every form: validity, a busy button, the API's error shown.
  function onSubmit(form, send) {
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      clearProblems(form);
      try {
        await send(form);
      } catch (error) {
        if (error.status !== 401) showProblem(form, error);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  function values(form, names) {
    const body = {};
    for (const name of names) {
      const el = form.elements[name];
      const value = el.type === "password" ? el.value : el.value.trim(); // spaces may be chosen
      if (value) body[name] = value; // empty: the API's default
    }
    return body;
  }

  // A refusal found before asking the API, shown the same way as the API's.
  function problem(message, field) {
    return new Interlude.ApiError(message, 0, field);
  }

  // --- the confirmation box ------------------------------------------------------------------
  const confirmBox = document.getElementById("confirm");

  function confirmed({ title, text, ok }) {
    confirmBox.querySelector("#confirm-title").textContent = title;
    confirmBox.querySelector("#confirm-text").textContent = text;
    confirmBox.querySelector("#confirm-ok").textContent = ok;
    confirmBox.returnValue = "";
    confirmBox.showModal();
    return new Promise((resolve) => {
      confirmBox.addEventListener("close", () => resolve(confirmBox.returnValue === "ok"), { once: true });
    });
  }

  const actions = {};
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button && actions[button.dataset.action]) actions[button.dataset.action](button);
  });

  // A row's own action: its button is busy meanwhile, and a refusal is said inside the row.
  async function rowAction(button, work) {
    const row = button.closest("tr, li");
    const box = row.querySelector(".error[role=alert]");
    button.disabled = true;
    try {
      await work(row);
      if (box) box.hidden = true;
    } catch (error) {
      if (error.status === 401) return;
      if (box) {
        box.textContent = error.message;
        box.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  }

  // --- knowledge: upload, follow, delete -----------------------------------------------------
  const documents = document.getElementById("documents");
  const IN_PROGRESS = new Set(((documents && documents.dataset.inProgress) || "").split(" "));

  function setText(row, role, text) {
    const el = row.querySelector(`[data-role="${role}"]`);
    if (el) el.textContent = text;
    return el;
  }

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
    // XMLHttpRequest rather than fetch: only it reports the upload's progress.
    return new Promise((resolve, reject) => {
      const data = new FormData();
      const file = form.elements.file.files[0];
      data.append("file", file, file.name);
      for (const [name, value] of Object.entries(values(form, ["kind", "language", "skill"]))) data.append(name, value);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.url);
      xhr.setRequestHeader("Accept", "application/json");
      if (csrfMeta) xhr.setRequestHeader("X-CSRF-Token", csrfMeta.content);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onerror = () => reject(new Interlude.ApiError(tr("error.network"), 0, null));
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
        reject(new Interlude.ApiError(problem.message || tr("error.generic"), xhr.status, problem.field || null));
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

  // --- knowledge: try a search ---------------------------------------------------------------
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

  // --- people and enrollments ----------------------------------------------------------------
  onSubmit(document.getElementById("person-form"), async (form) => {
    const body = values(form, ["display_name", "email", "role", "locale", "password"]);
    const person = await api("POST", form.dataset.url, body);
    reloadWith(tr("admin.person.added", { name: person.display_name }));
  });

  const editBox = document.getElementById("person-edit");
  actions["edit-person"] = (button) => {
    const row = button.closest("tr");
    const form = editBox.querySelector("form");
    clearProblems(form);
    form.dataset.userId = row.dataset.userId;
    editBox.querySelector('[data-role="name"]').textContent = row.dataset.name;
    form.elements.display_name.value = row.dataset.name;
    form.elements.role.value = row.dataset.role;
    form.elements.locale.value = row.dataset.locale;
    form.elements.password.value = "";
    editBox.showModal();
  };
  actions["close-dialog"] = (button) => button.closest("dialog").close();

  onSubmit(editBox && editBox.querySelector("form"), async (form) => {
    const body = values(form, ["display_name", "role", "locale", "password"]);
    const person = await api("PATCH", `/api/v1/users/${form.dataset.userId}`, body);
    reloadWith(tr("admin.person.saved", { name: person.display_name }));
  });

  async function setActive(button, active) {
    const row = button.closest("tr");
    const name = row.dataset.name;
    if (!active) {
      const ok = await confirmed({
        title: tr("admin.person.deactivate_title", { name }),
        text: tr("admin.person.deactivate_text", { name }),
        ok: tr("admin.person.deactivate"),
      });
      if (!ok) return;
    }
    await rowAction(button, async () => {
      await api("PATCH", `/api/v1/users/${row.dataset.userId}`, { is_active: active });
      reloadWith(tr(active ? "admin.person.reactivated" : "admin.person.deactivated", { name }));
    });
  }
  actions["deactivate-person"] = (button) => setActive(button, false);
  actions["reactivate-person"] = (button) => setActive(button, true);

  onSubmit(document.getElementById("enrollment-form"), async (form) => {
    const body = values(form, ["learner_id", "coach_id", "program_id", "goal"]);
    await api("POST", form.dataset.url, body);
    reloadWith(tr("admin.enrollment.added"));
  });

  async function setEnrollment(button, active) {
    const row = button.closest("tr");
    if (!active) {
      const ok = await confirmed({
        title: tr("admin.enrollment.end_title"),
        text: tr("admin.enrollment.end_text", { enrollment: row.dataset.labelText }),
        ok: tr("admin.enrollment.end"),
      });
      if (!ok) return;
    }
    await rowAction(button, async () => {
      await api("PATCH", `/api/v1/enrollments/${row.dataset.enrollmentId}`, { is_active: active });
      reloadWith(tr(active ? "admin.enrollment.resumed" : "admin.enrollment.ended_now"));
    });
  }
  actions["end-enrollment"] = (button) => setEnrollment(button, false);
  actions["resume-enrollment"] = (button) => setEnrollment(button, true);

  // --- API keys: the secret is shown once, here, and kept nowhere ----------------------------
  const secretBox = document.getElementById("key-secret");
  const keys = document.getElementById("keys");

  onSubmit(document.getElementById("key-form"), async (form) => {
    const scopes = [...form.querySelectorAll("input[name=scopes]:checked")].map((box) => box.value);
    if (!scopes.length) throw problem(tr("admin.key.need_scope"), "scopes");
    const body = { ...values(form, ["name", "user_id"]), scopes };
    const created = await api("POST", form.dataset.url, body);
    const row = document.getElementById("key-template").content.firstElementChild.cloneNode(true);
    const user = form.elements.user_id.selectedOptions[0];
    row.dataset.keyId = created.key.id;
    row.dataset.name = created.key.name;
    setText(row, "name", created.key.name);
    setText(row, "prefix", `${created.key.prefix}…`);
    setText(row, "user", user ? user.textContent.split(" · ")[0] : "");
    setText(row, "scopes", created.key.scopes.map((s) => tr(`admin.scope.${s}`)).join(", "));
    setText(row, "revoke-name", ` ${created.key.name}`);
    row.querySelector("time").setAttribute("datetime", created.key.created_at);
    localTimes(row);
    keys.tBodies[0].prepend(row);
    keys.hidden = false;
    document.getElementById("no-keys").hidden = true;
    form.elements.name.value = "";
    document.getElementById("copy-status").textContent = "";
    document.getElementById("key-secret-value").value = created.secret;
    secretBox.hidden = false;
    secretBox.focus();
  });

  const copyButton = document.getElementById("copy-secret");
  if (copyButton) {
    copyButton.addEventListener("click", async () => {
      const field = document.getElementById("key-secret-value");
      const status = document.getElementById("copy-status");
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = tr("admin.secret.copied");
      } catch (_) {
        field.select(); // no clipboard access: selected, for the person to copy
        status.textContent = tr("admin.secret.copy_by_hand");
      }
    });
    document.getElementById("hide-secret").addEventListener("click", () => {
      document.getElementById("key-secret-value").value = "";
      secretBox.hidden = true;
      document.getElementById("key-name").focus();
    });
  }

  actions["revoke-key"] = async (button) => {
    const row = button.closest("tr");
    const name = row.dataset.name;
    const ok = await confirmed({
      title: tr("admin.key.revoke_title", { name }),
      text: tr("admin.key.revoke_text", { name }),
      ok: tr("admin.key.revoke"),
    });
    if (!ok) return;
    await rowAction(button, async () => {
      await api("DELETE", `/api/v1/api-keys/${row.dataset.keyId}`);
      row.dataset.state = "revoked";
      const state = row.querySelector('[data-role="state"]');
      const label = document.createElement("span");
      label.className = "alert-text";
      label.textContent = tr("admin.key.revoked");
      state.replaceChildren(label);
      document.getElementById("keys-status").textContent = tr("admin.key.revoked_now", { name });
      document.getElementById("keys-title").focus(); // the button that had focus goes
      button.remove();
    });
  };

  // --- policy --------------------------------------------------------------------------------
  const resources = document.getElementById("resources");

  function numberResources() {
    // Names carry the index the API reports an error at: policy.escalation_resources[1].label
    [...resources.querySelectorAll("[data-resource]")].forEach((item, i) => {
      for (const input of item.querySelectorAll("input[data-part]")) {
        input.name = `policy.escalation_resources[${i}].${input.dataset.part}`;
        input.id = `resource-${i}-${input.dataset.part}`;
      }
    });
    document.getElementById("no-resources").hidden = Boolean(resources.children.length);
  }

  if (resources) {
    numberResources();
    document.getElementById("add-resource").addEventListener("click", () => {
      const item = document.getElementById("resource-template").content.firstElementChild.cloneNode(true);
      resources.append(item);
      numberResources();
      item.querySelector("input").focus();
    });
    actions["remove-resource"] = (button) => {
      button.closest("[data-resource]").remove();
      numberResources();
      document.getElementById("add-resource").focus();
    };
  }

  onSubmit(document.getElementById("policy-form"), async (form) => {
    for (const item of [...resources.querySelectorAll("[data-resource]")]) {
      const [label, contact] = ["label", "contact"].map((part) => item.querySelector(`[data-part=${part}]`));
      if (!label.value.trim() && !contact.value.trim()) item.remove(); // a blank row is no resource
    }
    numberResources();
    const listed = [...resources.querySelectorAll("[data-resource]")].map((item) => ({
      label: item.querySelector("[data-part=label]").value.trim(),
      contact: item.querySelector("[data-part=contact]").value.trim(),
    }));
    const unnamed = listed.findIndex((r) => !r.label);
    if (unnamed >= 0) throw problem(tr("admin.policy.need_label"), `policy.escalation_resources[${unnamed}].label`);
    const languages = [...form.querySelectorAll('input[name="policy.languages"]:checked')].map((box) => box.value);
    if (!languages.length) throw problem(tr("admin.policy.need_language"), "policy.languages");
    const hosts = form.elements["policy.link_hosts"].value.split("\n").map((s) => s.trim().toLowerCase()).filter(Boolean);
    const wrong = hosts.find((host) => !HOST.test(host));
    if (wrong) throw problem(tr("admin.policy.bad_host", { host: wrong }), "policy.link_hosts");
    // PATCH replaces the whole policy: what this page does not edit is sent back as it was.
    const policy = {
      escalation_resources: listed,
      languages,
      link_hosts: hosts,
      aggregate_min_group_size: Number(form.dataset.minGroup),
    };
    await api("PATCH", form.dataset.url, { default_language: form.elements.default_language.value, policy });
    form.querySelector(".outcome[role=status]").textContent = tr("admin.policy.saved");
  });
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("#policy-form");
    if (form) form.querySelector(".outcome[role=status]").textContent = "";
  });
})();
