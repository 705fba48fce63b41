// The circle's page is the shared space of a remote circle: while the tab is visible, every
// few seconds, it reads the session under way from the API (GET /api/v1/circle-sessions/<id>,
// which applies the same rules as the page: members get the drafts the facilitator approved,
// never the others) and shows the step, the time left, what members wrote and the approved
// drafts without reloading. A hidden tab asks nothing. The forms stay the server's: when the
// circle moves on, a notice asks to refresh before writing at the new step.
"use strict";

(() => {
  const POLL_MS = 5000;
  const SHOWN = new Set(["approved", "edited"]);
  const section = document.getElementById("circle-session");
  if (!section || section.dataset.live !== "1") return;
  const path = `/api/v1/circle-sessions/${encodeURIComponent(section.dataset.sessionId)}`;
  const tr = Interlude.tr;
  let timer = null;
  let asking = false;

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function showStep(session) {
    if (session.step === section.dataset.step) return;
    section.dataset.step = session.step;
    for (const li of document.querySelectorAll("#circle-steps li[data-step-key]")) {
      const current = li.dataset.stepKey === session.step;
      li.classList.toggle("current", current);
      if (current) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
      const mark = li.querySelector(".current-mark");
      if (mark) mark.hidden = !current;
    }
    const moved = document.getElementById("circle-moved");
    if (moved) moved.hidden = false; // the forms below are for the step that ended
  }

  function showTime(session) {
    const left = document.getElementById("circle-time-left");
    if (!left) return;
    if (session.closed_at) left.textContent = tr("circles.closed");
    else if (session.seconds_left > 0) {
      left.textContent = tr("circles.time_left", { minutes: Math.ceil(session.seconds_left / 60) });
    } else left.textContent = tr("circles.time_up");
  }

  function showContributions(contributions) {
    for (const c of contributions) {
      if (document.getElementById(`contribution-${c.id}`)) continue;
      const box = document.getElementById(`said-${c.step}`);
      if (!box) continue;
      const said = element("p", "card");
      said.id = `contribution-${c.id}`;
      said.append(element("strong", "", c.author), ` : ${c.text}`);
      box.append(said);
      box.hidden = false;
    }
  }

  function showDrafts(drafts) {
    const box = document.getElementById("circle-drafts");
    if (!box) return;
    for (const draft of drafts) {
      if (!SHOWN.has(draft.state) || document.getElementById(`draft-${draft.id}`)) continue;
      const article = element("article", "card");
      article.id = `draft-${draft.id}`;
      article.dataset.kind = draft.kind;
      article.dataset.state = draft.state;
      const head = element("p", "kind", `${tr(`circles.draft.${draft.kind}`)} · `);
      head.append(element("span", "badge", tr(`circles.draft_state.${draft.state}`)));
      const text = element("div", "text");
      for (const line of draft.text.split("\n")) if (line) text.append(element("p", "", line));
      article.append(head, text);
      box.append(article);
      box.hidden = false;
    }
  }

  async function poll() {
    if (asking) return;
    asking = true;
    try {
      const session = await Interlude.api("GET", path);
      showStep(session);
      showTime(session);
      showContributions(session.contributions);
      showDrafts(session.drafts);
    } catch (_) {
      /* a network hiccup or a restart: the next round asks again */
    } finally {
      asking = false;
    }
  }

  function start() {
    if (timer === null) timer = setInterval(poll, POLL_MS);
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) stop();
    else {
      poll();
      start();
    }
  });
  if (!document.hidden) start();
})();
