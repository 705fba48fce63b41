// The learner's journal: share an entry with the coach or make it private again; delete one.
"use strict";

(() => {
  const { tr, api, showError, showOutcome } = Interlude;

  for (const entry of document.querySelectorAll(".journal-entry")) {
    const url = `/api/v1/journal/${entry.dataset.entryId}`;
    const share = entry.querySelector(".entry-share");
    share.addEventListener("change", async () => {
      showError(entry, null);
      try {
        await api("PATCH", url, { shared_with_coach: share.checked });
        showOutcome(entry, tr(share.checked ? "journal.now_shared" : "journal.now_private"));
      } catch (error) {
        share.checked = !share.checked; // the page keeps saying what is true
        if (error.status !== 401) showError(entry, error);
      }
    });
    entry.querySelector(".entry-delete").addEventListener("click", async () => {
      if (!window.confirm(tr("journal.confirm_delete"))) return;
      try {
        await api("DELETE", url);
        entry.remove();
      } catch (error) {
        if (error.status !== 401) showError(entry, error);
      }
    });
  }
})();
