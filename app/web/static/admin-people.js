// People and enrollments: add, edit, deactivate or reactivate a person; enroll, end, resume.
"use strict";

(() => {
  const { tr, api } = Interlude;
  const { clearProblems, reloadWith, onSubmit, values, confirmed, actions, rowAction } = InterludeAdmin;

  // --- people --------------------------------------------------------------------------------
  // The person chooses their own password: adding them sends the invitation (or says how to
  // make one when this installation sends no e-mail).
  function invitationNote(sent, person, org) {
    const values = { name: person.display_name, email: person.email, org };
    return sent.mailed ? tr("admin.person.invited", values)
      : `${tr("admin.person.added", values)} ${tr("admin.person.no_mail", values)}`;
  }

  onSubmit(document.getElementById("person-form"), async (form) => {
    const body = values(form, ["display_name", "email", "role", "locale"]);
    const person = await api("POST", form.dataset.url, body);
    const sent = await api("POST", `/api/v1/users/${person.id}/invitation`, {});
    reloadWith(invitationNote(sent, person, form.dataset.org));
  });

  actions["invite-person"] = async (button) => {
    const row = button.closest("tr");
    const org = document.getElementById("person-form").dataset.org;
    await rowAction(button, async () => {
      const sent = await api("POST", `/api/v1/users/${row.dataset.userId}/invitation`, {});
      const values = { name: row.dataset.name, email: row.dataset.email, org };
      reloadWith(sent.mailed ? tr("admin.person.invitation_sent", values)
        : tr("admin.person.no_mail", values));
    });
  };

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
    editBox.showModal();
  };

  onSubmit(editBox && editBox.querySelector("form"), async (form) => {
    const body = values(form, ["display_name", "role", "locale"]);
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

  // --- enrollments ---------------------------------------------------------------------------
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
})();
