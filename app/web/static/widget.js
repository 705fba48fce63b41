// Interlude's widget for a host page: one tag,
//   <script src="https://interlude.example/static/widget.js" data-integration="<id>"
//           data-token-url="/interlude-token" data-lang="fr" defer></script>
// adds a button that opens the companion in a frame (/embed/<id>). The frame asks for a learner
// token when it is ready or when its token expired; this script gets one from the host's own
// backend (data-token-url: a POST answering {"token": ...}, which calls Interlude's
// POST /api/v1/integrations/token with the integration's secret) and posts it to the frame,
// to Interlude's origin only. The host page never holds the secret.
"use strict";

(() => {
  const script = document.currentScript;
  const interlude = new URL(script.src).origin;
  const integration = script.dataset.integration;
  const tokenUrl = script.dataset.tokenUrl;
  const lang = (script.dataset.lang || document.documentElement.lang || "fr").slice(0, 2);
  const english = lang === "en";
  const labels = english
    ? { open: "Open the companion", close: "Close the companion", title: "Interlude companion" }
    : { open: "Ouvrir le compagnon", close: "Fermer le compagnon", title: "Compagnon Interlude" };

  const box = document.createElement("div");
  box.className = "interlude-widget";
  box.dataset.state = "loading";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = labels.open;
  button.setAttribute("aria-expanded", "false");
  const panel = document.createElement("div");
  panel.id = `interlude-panel-${integration}`;
  panel.hidden = true;
  button.setAttribute("aria-controls", panel.id);
  const frame = document.createElement("iframe");
  frame.title = labels.title;
  frame.src = `${interlude}/embed/${encodeURIComponent(integration)}?lang=${english ? "en" : "fr"}`;
  frame.style.width = "100%";
  frame.style.height = "32rem";
  frame.style.border = "1px solid #c9ced6";
  frame.style.borderRadius = "8px";
  panel.append(frame);
  box.append(button, panel);
  (script.parentElement || document.body).insertBefore(box, script.nextSibling);

  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? labels.close : labels.open;
    if (open) frame.contentWindow.postMessage({ type: "interlude:focus" }, interlude);
    else button.focus();
  }
  button.addEventListener("click", () => setOpen(panel.hidden));

  async function sendToken() {
    try {
      const response = await fetch(tokenUrl, { method: "POST", credentials: "same-origin" });
      if (!response.ok) throw new Error(`token route answered ${response.status}`);
      const { token } = await response.json();
      frame.contentWindow.postMessage({ type: "interlude:token", token }, interlude);
      box.dataset.state = "ready";
    } catch (error) {
      box.dataset.state = "no-token"; // the frame then says the connection was refused
    }
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== interlude || event.source !== frame.contentWindow) return;
    const type = event.data && event.data.type;
    if (type === "interlude:ready" || type === "interlude:token-expired") sendToken();
    else if (type === "interlude:close") setOpen(false);
  });
})();
