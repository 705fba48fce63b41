// Coach pages: a logged session's plan followed until drafted, escalations acknowledged,
// a brief written on demand.
"use strict";

(() => {
  const { tr, api, showError, showOutcome, onDone } = Interlude;
  const POLL_MS = 1000;

  // --- log a session, then follow its plan ---------------------------------------------------
  for (const input of document.querySelectorAll("input[data-default-now]")) {
    if (input.value) continue;
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset()); // datetime-local is local time
    input.value = now.toISOString().slice(0, 16);
  }

  async function followPlan(session, progress) {
    const statusBox = progress.querySelector("#plan-status");
    const bar = progress.querySelector("#plan-bar");
    const link = progress.querySelector("#plan-review");
    for (;;) {
      let run;
      try {
        run = await api("GET", `/api/v1/sessions/${session.id}/plan`);
      } catch (error) {
        if (error.status !== 401) statusBox.textContent = error.message;
        return;
      }
      progress.dataset.status = run.status;
      if (run.status === "done") {
        bar.value = 1;
        statusBox.textContent = tr("plan.done");
        link.href = `/coach/review?learner=${session.learner_id}`;
        link.hidden = false;
        link.focus();
        return;
      }
      if (run.status === "failed") {
        bar.value = 0;
        statusBox.textContent = tr("plan.failed", { error: run.error });
        return;
      }
      statusBox.textContent = tr(`plan.${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  onDone.plan = (session, form) => {
    const progress = document.getElementById("plan-progress");
    form.hidden = true;
    progress.hidden = false;
    progress.dataset.sessionId = session.id;
    progress.querySelector("#plan-status").textContent = tr(session.plan_run_id ? "plan.logged" : "plan.none");
    if (session.plan_run_id) followPlan(session, progress);
  };

  // --- escalations ---------------------------------------------------------------------------
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action=acknowledge]");
    if (!button) return;
    const item = button.closest("[data-escalation-id]");
    button.disabled = true;
    try {
      await api("POST", `/api/v1/escalations/${button.dataset.id}/acknowledge`, {});
      item.dataset.state = "acknowledged";
      button.hidden = true;
      showError(item, null);
      showOutcome(item, tr("coach.acknowledged"));
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) showError(item, error);
    }
  });

  // --- the brief -----------------------------------------------------------------------------
  const write = document.getElementById("write-brief");
  if (write) {
    write.addEventListener("click", async () => {
      const box = write.parentElement;
      write.disabled = true;
      showOutcome(box, tr("brief.writing"));
      try {
        await api("POST", write.dataset.url, {});
        location.reload();
      } catch (error) {
        write.disabled = false;
        showOutcome(box, "");
        if (error.status !== 401) showError(box, error);
      }
    });
  }
})();
