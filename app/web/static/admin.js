// Shared by the admin pages (each has its own admin-*.js): a refusal shown beside the field
// it names, the message said after a reload, guarded submits, the confirmation box and the
// buttons of a row. Every change goes to the JSON API through Interlude.
"use strict";

const InterludeAdmin = (() => {
  const { tr } = Interlude;
  const FLASH = "interlude-admin-flash";
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // "1 passage", "3 passages": a key with `_one` holds the singular.
  const counted = (key, count, values) => tr(count === 1 ? `${key}_one` : key, { ...values, count });

  function setText(row, role, text) {
    const el = row.querySelector(`[data-role="${role}"]`);
    if (el) el.textContent = text;
    return el;
  }

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

  // --- buttons of a row: <button data-action="name">, its handler set by the page's script ----
  const actions = {
    "close-dialog": (button) => button.closest("dialog").close(),
  };
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

  return {
    sleep,
    counted,
    setText,
    clearProblems,
    showProblem,
    reloadWith,
    onSubmit,
    values,
    problem,
    confirmed,
    actions,
    rowAction,
  };
})();
