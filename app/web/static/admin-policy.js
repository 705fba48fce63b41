// Policy: help resources per safety tier (added, removed, numbered as the API names them), languages,
// the sites a link may point to; checked here first, then saved whole, refused (412) when
// another admin saved since this page was loaded.
"use strict";

(() => {
  const { tr, api } = Interlude;
  const { onSubmit, problem, actions } = InterludeAdmin;
  // As the API's HostName: a site name, no scheme, no path.
  const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
  // One list per safety tier (urgent, support, out of scope), each named as the API names it.
  const lists = [...document.querySelectorAll("ol.resources[data-field]")];

  function numberResources(list) {
    // Names carry the index the API reports an error at: policy.escalation_resources[1].label
    const { field, suffix } = list.dataset;
    [...list.querySelectorAll("[data-resource]")].forEach((item, i) => {
      for (const input of item.querySelectorAll("input[data-part]")) {
        input.name = `policy.${field}[${i}].${input.dataset.part}`;
        input.id = `resource${suffix}-${i}-${input.dataset.part}`;
      }
    });
    document.getElementById(`no-resources${suffix}`).hidden = Boolean(list.children.length);
  }

  lists.forEach(numberResources);
  actions["add-resource"] = (button) => {
    const list = document.getElementById(button.dataset.list);
    const item = document.getElementById("resource-template").content.firstElementChild.cloneNode(true);
    list.append(item);
    numberResources(list);
    item.querySelector("input").focus();
  };
  actions["remove-resource"] = (button) => {
    const list = button.closest("ol.resources");
    button.closest("[data-resource]").remove();
    numberResources(list);
    document.getElementById(`add-resource${list.dataset.suffix}`).focus();
  };

  // The rows of one list, blank ones dropped; a row with a contact but no name is refused.
  function listed(list) {
    for (const item of [...list.querySelectorAll("[data-resource]")]) {
      const [label, contact] = ["label", "contact"].map((part) => item.querySelector(`[data-part=${part}]`));
      if (!label.value.trim() && !contact.value.trim()) item.remove(); // a blank row is no resource
    }
    numberResources(list);
    const rows = [...list.querySelectorAll("[data-resource]")].map((item) => ({
      label: item.querySelector("[data-part=label]").value.trim(),
      contact: item.querySelector("[data-part=contact]").value.trim(),
    }));
    const unnamed = rows.findIndex((r) => !r.label);
    if (unnamed >= 0) throw problem(tr("admin.policy.need_label"), `policy.${list.dataset.field}[${unnamed}].label`);
    return rows;
  }

  onSubmit(document.getElementById("policy-form"), async (form) => {
    const resources = Object.fromEntries(lists.map((list) => [list.dataset.field, listed(list)]));
    const languages = [...form.querySelectorAll('input[name="policy.languages"]:checked')].map((box) => box.value);
    if (!languages.length) throw problem(tr("admin.policy.need_language"), "policy.languages");
    const hosts = form.elements["policy.link_hosts"].value.split("\n").map((s) => s.trim().toLowerCase()).filter(Boolean);
    const wrong = hosts.find((host) => !HOST.test(host));
    if (wrong) throw problem(tr("admin.policy.bad_host", { host: wrong }), "policy.link_hosts");
    const hour = form.elements["policy.delivery_hour"].value.trim();
    const workingDays = [...form.querySelectorAll('input[name="policy.working_days"]:checked')].map((box) => Number(box.value));
    if (!workingDays.length) throw problem(tr("admin.policy.need_working_day"), "policy.working_days");
    const daysOff = form.elements["policy.days_off"].value.split("\n").map((s) => s.trim()).filter(Boolean);
    const badDay = daysOff.find((day) => !/^\d{4}-\d{2}-\d{2}$/.test(day));
    if (badDay) throw problem(tr("admin.policy.bad_day", { day: badDay }), "policy.days_off");
    const quietStart = form.elements["policy.quiet_hours.start"].value.trim();
    const quietEnd = form.elements["policy.quiet_hours.end"].value.trim();
    if (!quietStart !== !quietEnd) throw problem(tr("admin.policy.quiet_both"), "policy.quiet_hours.start");
    // This page edits every part of the policy, so it sends them all.
    const policy = {
      ...resources,
      languages,
      link_hosts: hosts,
      aggregate_min_group_size: Number(form.elements["policy.aggregate_min_group_size"].value),
      delivery_hour: hour === "" ? null : Number(hour),
      working_days: workingDays,
      days_off: daysOff,
      quiet_hours: quietStart === "" ? null : { start: Number(quietStart), end: Number(quietEnd) },
    };
    let saved;
    try {
      saved = await api(
        "PATCH",
        form.dataset.url,
        { default_language: form.elements.default_language.value, policy },
        { "If-Match": `"${form.dataset.version}"` },
      );
    } catch (error) {
      if (error.status === 412) throw problem(tr("admin.policy.stale"), null);
      throw error;
    }
    form.dataset.version = saved.version;
    form.querySelector(".outcome[role=status]").textContent = tr("admin.policy.saved");
  });
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("#policy-form");
    if (form) form.querySelector(".outcome[role=status]").textContent = "";
  });
})();
