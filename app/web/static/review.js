// The review queue: approve, edit in place, reject with a reason, approve a selection.
// Each decision goes to the JSON API; the card then says what happened and stays visible.
"use strict";

(() => {
  const { tr, api, showError, showOutcome, forgetDraft } = Interlude;
  const OUTCOME = { approved: "review.approved", edited: "review.edited", rejected: "review.rejected" };
  const batchButton = document.getElementById("approve-selected");

  function decided(card, suggestion) {
    card.dataset.state = suggestion.state;
    for (const part of card.querySelectorAll(".actions, .edit, .reject")) part.hidden = true;
    const pick = card.querySelector(".pick");
    if (pick) {
      pick.checked = false;
      pick.disabled = true;
    }
    card.querySelector("[data-role=text]").textContent = suggestion.text;
    const bank = card.querySelector(".bank");
    if (bank) bank.hidden = suggestion.state === "rejected"; // an approved question may be kept
    for (const el of card.querySelectorAll("[data-draft]")) forgetDraft(el);
    showError(card, null);
    showOutcome(card, tr(OUTCOME[suggestion.state] || "review.approved"));
    updateBatch();
  }

  // The plan's rhythm proposed a day for this item; the coach may pick another (same hour).
  function deliverAt(card) {
    const box = card.querySelector("[data-role=deliver-date]");
    if (!box || !box.value) return {};
    const proposed = new Date(box.dataset.time);
    const [year, month, day] = box.value.split("-").map(Number);
    const chosen = new Date(proposed);
    chosen.setFullYear(year, month - 1, day);
    return { deliver_at: chosen.toISOString() };
  }

  async function decide(card, action, body) {
    const id = card.dataset.suggestionId;
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    try {
      decided(card, await api("POST", `/api/v1/suggestions/${id}/${action}`, body));
    } catch (error) {
      if (error.status !== 401) showError(card, error);
    } finally {
      for (const b of card.querySelectorAll("button")) b.disabled = false;
    }
  }

  async function saveToBank(card, button) {
    button.disabled = true;
    try {
      await api("POST", `/api/v1/suggestions/${card.dataset.suggestionId}/save-to-bank`, {});
      card.querySelector(".bank").hidden = true;
      showError(card, null);
      showOutcome(card, tr("review.banked"));
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) showError(card, error);
    }
  }

  function open(card, part) {
    for (const name of ["edit", "reject"]) card.querySelector(`.${name}`).hidden = name !== part;
    card.querySelector(".actions").hidden = Boolean(part);
    if (part) card.querySelector(`.${part} textarea`).focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const card = button && button.closest("article.draft");
    if (!card) return;
    const action = button.dataset.action;
    if (action === "approve") decide(card, "approve", deliverAt(card));
    else if (action === "edit") open(card, "edit");
    else if (action === "reject") open(card, "reject");
    else if (action === "save-to-bank") saveToBank(card, button);
    else if (action === "cancel") {
      open(card, null);
      card.querySelector("[data-action=approve]").focus();
    } else if (action === "save-edit") {
      decide(card, "edit", { text: card.querySelector(".edit textarea").value, ...deliverAt(card) });
    } else if (action === "confirm-reject") {
      const reason = card.querySelector(".reject textarea");
      if (!reason.value.trim()) {
        showError(card, { message: tr("review.reason_needed") });
        reason.focus();
        return;
      }
      decide(card, "reject", { reason: reason.value });
    }
  });

  function picked() {
    return [...document.querySelectorAll("article.draft .pick:checked")];
  }

  function updateBatch() {
    if (batchButton) batchButton.disabled = picked().length === 0;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(".pick")) updateBatch();
  });

  if (batchButton) {
    batchButton.addEventListener("click", async () => {
      const boxes = picked();
      const batch = document.getElementById("batch");
      batchButton.disabled = true;
      try {
        const result = await api("POST", "/api/v1/suggestions/batch", {
          ids: boxes.map((b) => b.value),
          decision: "approve",
        });
        for (const suggestion of result.items) {
          decided(document.getElementById(`draft-${suggestion.id}`), suggestion);
        }
        showError(batch, null);
        showOutcome(batch, tr("review.batch_done", { count: result.items.length }));
      } catch (error) {
        if (error.status !== 401) showError(batch, error);
        updateBatch();
      }
    });
  }
})();
