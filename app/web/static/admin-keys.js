// API keys: create one (the secret is shown once, here, and kept nowhere), copy it, revoke.
"use strict";

(() => {
  const { tr, api, localTimes } = Interlude;
  const { setText, onSubmit, values, problem, confirmed, actions, rowAction } = InterludeAdmin;
  const secretBox = document.getElementById("key-secret");
  const keys = document.getElementById("keys");

  onSubmit(document.getElementById("key-form"), async (form) => {
    const scopes = [...form.querySelectorAll("input[name=scopes]:checked")].map((box) => box.value);
    if (!scopes.length) throw problem(tr("admin.key.need_scope"), "scopes");
    const body = { ...values(form, ["name"]), scopes };
    const created = await api("POST", form.dataset.url, body);
    const row = document.getElementById("key-template").content.firstElementChild.cloneNode(true);
    row.dataset.keyId = created.key.id;
    row.dataset.name = created.key.name;
    setText(row, "name", created.key.name);
    setText(row, "prefix", `${created.key.prefix}…`);
    setText(row, "user", form.dataset.owner);
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
})();
