// Integrations: create one (its secret is shown once, here, with the widget's tag to copy),
// revoke one. The list is the page's; a new integration shows after a reload.
"use strict";

(() => {
  const { tr, api } = Interlude;
  const { onSubmit, values, problem, confirmed, actions, rowAction } = InterludeAdmin;
  const secretBox = document.getElementById("integration-secret");
  const snippet = document.getElementById("integration-snippet");

  onSubmit(document.getElementById("integration-form"), async (form) => {
    const scopes = [...form.querySelectorAll("input[name=scopes]:checked")].map((box) => box.value);
    if (!scopes.length) throw problem(tr("admin.key.need_scope"), "scopes");
    const origins = form.elements.allowed_origins.value.split(/\s+/).filter(Boolean);
    const body = { ...values(form, ["name"]), allowed_origins: origins, scopes };
    const created = await api("POST", form.dataset.url, body);
    document.getElementById("integration-secret-value").value = created.secret;
    snippet.value =
      `<script src="${snippet.dataset.publicUrl}/static/widget.js"\n` +
      `        data-integration="${created.integration.id}" data-token-url="/interlude-token"` +
      ` data-lang="fr" defer></script>`;
    form.elements.name.value = "";
    form.elements.allowed_origins.value = "";
    secretBox.hidden = false;
    secretBox.focus();
  });

  document.getElementById("integration-secret-done").addEventListener("click", () => {
    document.getElementById("integration-secret-value").value = "";
    secretBox.hidden = true;
    window.location.reload(); // the list, with the new integration
  });

  actions["revoke-integration"] = async (button) => {
    const row = button.closest("tr");
    const name = row.dataset.name;
    const ok = await confirmed({
      title: tr("admin.integration.revoke_title", { name }),
      text: tr("admin.integration.revoke_text", { name }),
      ok: tr("admin.key.revoke"),
    });
    if (!ok) return;
    await rowAction(button, async () => {
      await api("DELETE", `/api/v1/integrations/${row.dataset.integrationId}`);
      row.dataset.state = "revoked";
      const label = document.createElement("span");
      label.className = "alert-text";
      label.textContent = tr("admin.key.revoked");
      row.querySelector('[data-role="state"]').replaceChildren(label);
      document.getElementById("integrations-status").textContent = tr(
        "admin.integration.revoked_now", { name },
      );
      document.getElementById("integrations-title").focus();
      button.remove();
    });
  };
})();
