// The companion inside a host page's frame (/embed/{integration}). It holds no credential of its
// own: the host page posts it a learner token (`interlude:token`), accepted only from the
// integration's allowed origins and only from the parent window; when the token expires it asks
// the host for another (`interlude:token-expired`) and sends the message again once. Replies go
// in with textContent: never HTML. Escape asks the host to close the panel.
"use strict";

(() => {
  const root = document.getElementById("widget");
  const origins = JSON.parse(root.dataset.origins || "[]");
  const words = JSON.parse(document.getElementById("widget-i18n").textContent);
  const list = document.getElementById("widget-messages");
  const form = document.getElementById("widget-form");
  const input = document.getElementById("widget-input");
  const sendButton = document.getElementById("widget-send");
  const status = document.getElementById("widget-status");
  let token = null;
  let host = null; // the origin that gave the token: the only one told anything afterwards
  let conversationId = null;
  let waitingForToken = null; // resolves when a fresh token arrives
  const TOKEN_WAIT_MS = 15000;

  const word = (key) => words[key] || key;

  function tellHost(message) {
    if (host) window.parent.postMessage(message, host);
    // Before the first token the host's origin is unknown: each allowed origin is tried, and
    // the browser delivers only to the one that really is the parent's.
    else origins.forEach((origin) => window.parent.postMessage(message, origin));
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function bubble(role, text, citations) {
    const li = element("li", role);
    li.append(element("p", "who", role === "learner" ? word("widget.you") : word("widget.companion")));
    li.append(element("p", "content", text));
    if (citations && citations.length) {
      const sources = element("ol", "sources");
      sources.setAttribute("aria-label", word("widget.sources"));
      citations.forEach((c) => sources.append(element("li", "", c.title || c.chunk_id || "")));
      li.append(sources);
    }
    list.append(li);
    li.scrollIntoView({ block: "end" });
  }

  // A host that never answers must not leave the learner waiting: after a while the request
  // is sent with the old token and its 401 shows as refused.
  function freshToken() {
    return new Promise((resolve) => {
      waitingForToken = resolve;
      setTimeout(() => {
        waitingForToken = null;
        resolve();
      }, TOKEN_WAIT_MS);
      tellHost({ type: "interlude:token-expired" });
    });
  }

  async function call(method, path, body, retried) {
    const response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && !retried) {
      await freshToken();
      return call(method, path, body, true);
    }
    return response;
  }

  async function send(text) {
    if (!conversationId) {
      const created = await call("POST", "/api/v1/conversations", {});
      if (!created.ok) throw new Error(String(created.status));
      conversationId = (await created.json()).id;
    }
    return call("POST", `/api/v1/conversations/${conversationId}/messages`, { content: text });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      status.textContent = word("widget.empty");
      input.focus();
      return;
    }
    bubble("learner", text);
    input.value = "";
    sendButton.disabled = true;
    status.textContent = word("widget.writing");
    try {
      const answer = await send(text);
      const turn = answer.ok ? await answer.json() : null;
      if (turn && turn.reply) {
        bubble("assistant", turn.reply.content, turn.reply.citations);
        status.textContent = word("widget.replied");
      } else {
        status.textContent = answer.status === 401 || answer.status === 403
          ? word("widget.refused") : word("widget.failed");
      }
    } catch (error) {
      status.textContent = word("widget.failed");
    } finally {
      sendButton.disabled = false;
      input.focus();
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tellHost({ type: "interlude:close" });
  });

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !origins.includes(event.origin)) return;
    const data = event.data || {};
    if (data.type === "interlude:token" && typeof data.token === "string") {
      token = data.token;
      host = event.origin;
      if (waitingForToken) {
        waitingForToken();
        waitingForToken = null;
      } else {
        input.disabled = false;
        sendButton.disabled = false;
        status.textContent = word("widget.connected");
        root.dataset.state = "connected";
      }
    } else if (data.type === "interlude:focus") {
      input.focus();
    }
  });

  tellHost({ type: "interlude:ready" });
})();
