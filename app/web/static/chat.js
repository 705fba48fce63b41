// The learner's chat: send a message, read the reply as it streams (server-sent events over a
// POST, hence fetch and a stream reader: EventSource can only GET), retry a failed reply.
// Every text from the server goes in with textContent: a reply is never HTML.
"use strict";

(() => {
  const { tr, api, request, showError } = Interlude;
  const chat = document.getElementById("chat");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const status = document.getElementById("chat-status");
  const share = document.getElementById("share");

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function citationList(citations) {
    const ul = element("ul", "citations");
    ul.setAttribute("aria-label", tr("sources"));
    citations.forEach((c, index) => {
      const button = element("button", "cite", `[${index + 1}] ${c.title || tr("source")}`);
      button.type = "button";
      button.dataset.chunkId = c.chunk_id || "";
      button.dataset.title = c.title || "";
      button.dataset.quote = c.quote || "";
      const li = element("li");
      li.append(button);
      ul.append(li);
    });
    return ul;
  }

  function bubble(role, text) {
    const li = element("li", `message ${role}`);
    li.append(element("p", "who", role === "learner" ? tr("chat.you") : tr("chat.companion")));
    li.append(element("p", "content", text));
    list.append(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  // [S3] … [S1] … [S3] → [1] … [2] … [1]: the numbers of the citation buttons (the agent lists
  // its citations in the order their labels first appear). Same rule as the page's filter.
  function citeNumbers(text) {
    const order = new Map();
    return text.replace(/\[S(\d{1,2})\]/g, (_, label) => {
      if (!order.has(label)) order.set(label, order.size + 1);
      return `[${order.get(label)}]`;
    });
  }

  function finishReply(li, message) {
    li.dataset.messageId = message.id;
    li.dataset.status = message.status;
    li.querySelector(".content").textContent = citeNumbers(message.content);
    li.removeAttribute("aria-busy");
    if (message.citations && message.citations.length) li.append(citationList(message.citations));
    if (message.safety && message.safety.coach === "offered") li.append(tellCoachButton(message.id));
    status.textContent = tr("chat.replied");
  }

  // A support reply offers to tell the coach; nothing goes to them unless the learner asks.
  function tellCoachButton(messageId) {
    const button = element("button", "tell-coach", tr("chat.tell_coach"));
    button.type = "button";
    button.dataset.messageId = messageId;
    return button;
  }

  async function tellCoach(button) {
    button.disabled = true;
    try {
      await api(
        "POST",
        `/api/v1/conversations/${chat.dataset.conversationId}/messages/${button.dataset.messageId}/tell-coach`,
        {},
      );
      const told = element("p", "hint told-coach", tr("chat.coach_told"));
      button.replaceWith(told);
      status.textContent = tr("chat.coach_told");
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) showError(form, error);
    }
  }

  function showFailure(learnerLi, message) {
    learnerLi.dataset.status = "failed";
    for (const old of learnerLi.querySelectorAll(".error, .retry")) old.remove();
    learnerLi.append(element("p", "error", `${tr("chat.failed")} ${message.error || ""}`.trim()));
    const retry = element("button", "retry", tr("chat.retry"));
    retry.type = "button";
    retry.dataset.messageId = message.id;
    learnerLi.append(retry);
    retry.focus();
  }

  // Server-sent events, parsed line by line as the spec says (a chunk may end anywhere).
  function eventParser(onEvent) {
    let buffer = "";
    let name = "message";
    let data = [];
    return (chunk, done) => {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\n|\r/.exec(buffer);
        if (!match) break;
        if (match[0] === "\r" && match.index === buffer.length - 1 && !done) break; // half of \r\n
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === "") {
          if (data.length) onEvent(name, data.join("\n"));
          name = "message";
          data = [];
        } else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        else if (line.startsWith("event:")) name = line.slice(6).trim();
      }
    };
  }

  function listConversation(created) {
    const link = element("a", "", document.getElementById("conversation-title").textContent);
    link.href = `/me/chat/${created.id}`;
    link.setAttribute("aria-current", "page");
    const li = element("li");
    li.append(link);
    const conversations = document.getElementById("conversation-list");
    for (const empty of conversations.querySelectorAll(".empty")) empty.remove();
    conversations.prepend(li);
  }

  async function ensureConversation() {
    if (chat.dataset.conversationId) return chat.dataset.conversationId;
    const created = await api("POST", "/api/v1/conversations", {});
    chat.dataset.conversationId = created.id;
    listConversation(created);
    // The address now names the conversation, so a reload or a new login comes back to it.
    history.replaceState(null, "", `/me/chat/${created.id}`);
    input.dataset.draft = `chat-${created.id}`;
    return created.id;
  }

  async function send(text) {
    const conversationId = await ensureConversation();
    const learnerLi = bubble("learner", text);
    const replyLi = bubble("assistant", "");
    replyLi.setAttribute("aria-busy", "true");
    status.textContent = tr("chat.writing");
    let response;
    try {
      response = await request(
        "POST",
        `/api/v1/conversations/${conversationId}/messages/stream`,
        { content: text },
        "text/event-stream",
      );
    } catch (error) {
      learnerLi.remove();
      replyLi.remove();
      throw error;
    }
    const content = replyLi.querySelector(".content");
    const parse = eventParser((name, data) => {
      const payload = JSON.parse(data);
      if (name === "stored") {
        learnerLi.dataset.messageId = payload.id;
        learnerLi.dataset.status = payload.status;
        input.value = ""; // stored: only now is the typed text safe to clear
        Interlude.forgetDraft(input);
      } else if (name === "delta") content.textContent += payload.text;
      else if (name === "replace") content.textContent = payload.text;
      else if (name === "reply") {
        learnerLi.dataset.status = "replied";
        finishReply(replyLi, payload);
      } else if (name === "failed") {
        replyLi.remove();
        showFailure(learnerLi, payload);
        status.textContent = tr("chat.failed");
      }
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      parse(value || "", done);
      if (done) break;
    }
    if (replyLi.isConnected && replyLi.hasAttribute("aria-busy")) {
      // The stream ended early (connection lost): the message is stored; a reload shows it.
      replyLi.removeAttribute("aria-busy");
      content.textContent = tr("error.network");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    showError(form, null);
    if (!text) {
      showError(form, { message: tr("chat.empty_message") });
      input.focus();
      return;
    }
    sendButton.disabled = true;
    input.readOnly = true; // kept until the server has stored it: a lost session loses nothing
    try {
      await send(text);
    } catch (error) {
      if (error.status !== 401) showError(form, error);
    } finally {
      sendButton.disabled = false;
      input.readOnly = false;
      input.focus();
    }
  });

  // Enter sends, Shift+Enter starts a new line.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  list.addEventListener("click", async (event) => {
    const tell = event.target.closest("button.tell-coach");
    if (tell) {
      await tellCoach(tell);
      return;
    }
    const retry = event.target.closest("button.retry");
    if (!retry) return;
    const learnerLi = retry.closest("li.message");
    retry.disabled = true;
    status.textContent = tr("chat.writing");
    try {
      const turn = await api(
        "POST",
        `/api/v1/conversations/${chat.dataset.conversationId}/messages/${retry.dataset.messageId}/retry`,
        {},
      );
      if (turn.reply) {
        for (const old of learnerLi.querySelectorAll(".error, .retry")) old.remove();
        learnerLi.dataset.status = "replied";
        const replyLi = bubble("assistant", "");
        learnerLi.after(replyLi);
        finishReply(replyLi, turn.reply);
      } else showFailure(learnerLi, turn.message);
    } catch (error) {
      retry.disabled = false;
      if (error.status !== 401) showError(form, error);
    }
  });

  if (share) {
    share.addEventListener("change", async () => {
      try {
        await api("PATCH", `/api/v1/conversations/${chat.dataset.conversationId}`, {
          shared_with_coach: share.checked,
        });
        status.textContent = tr("chat.share_saved");
      } catch (error) {
        share.checked = !share.checked;
        if (error.status !== 401) showError(form, error);
      }
    });
  }
})();
