/*
 * 知识产权保护中心在线咨询小部件 (ippc-assistant web widget).
 * Embed with one tag:  <script src="https://ASSISTANT-HOST/webhooks/webchat/widget.js" defer></script>
 * Optional attributes: data-title="…" (panel title), data-open="true" (open at load).
 * Plain JavaScript, no dependencies; talks to /webhooks/webchat/socket (JSON frames).
 */
(function () {
  "use strict";
  if (window.__ippcWidget) return;
  var script = document.currentScript;
  var base = new URL(".", script ? script.src : location.href);
  var socketUrl = base.href.replace(/^http/, "ws") + "socket";
  var title = (script && script.dataset.title) || "知识产权保护中心 · 在线咨询";
  var KEY = "ippc-chat:" + base.host + ":";
  var HISTORY_LIMIT = 200;
  /* Security: the conversation id and its resume token are issued by the server; the history
     kept in this browser is forgotten after HISTORY_DAYS (or with the "end" button). */
  var HISTORY_DAYS = 30;

  function load(name, fallback) {
    try {
      var value = localStorage.getItem(KEY + name);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      localStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) {
      /* storage full or disabled: the chat still works, without history */
    }
  }
  function forget() {
    ["conversation", "resume", "history", "started"].forEach(function (name) {
      try { localStorage.removeItem(KEY + name); } catch (e) { /* storage disabled */ }
    });
  }
  /* Only web links and images: never javascript:, data: or other schemes. */
  function safeUrl(value) {
    try {
      var url = new URL(String(value), location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }
  if (Date.now() - load("started", Date.now()) > HISTORY_DAYS * 86400000) forget();

  var state = {
    conversationId: load("conversation", null),
    resume: load("resume", null),
    history: load("history", []),
    open: false,
    socket: null,
    connected: false,
    retries: 0,
    outgoing: [],
    unread: 0,
  };
  if (!state.history.length) save("started", Date.now());

  /* ---- DOM (inside a shadow root so the host page's styles do not leak in) ---- */
  var host = document.createElement("div");
  host.id = "ippc-chat-widget";
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = base.href + "widget.css";
  root.appendChild(style);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  var launcher = el("button", { class: "launcher", type: "button", "aria-label": "打开在线咨询", "aria-expanded": "false", "aria-controls": "ippc-panel" });
  var SVG = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("class", "launcher-icon");
  icon.setAttribute("aria-hidden", "true");
  var bubblePath = document.createElementNS(SVG, "path");
  bubblePath.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  bubblePath.setAttribute("fill", "currentColor");
  icon.appendChild(bubblePath);
  launcher.appendChild(icon);
  var badge = el("span", { class: "badge", hidden: "", "aria-hidden": "true" });
  launcher.appendChild(badge);

  var panel = el("section", { class: "panel", id: "ippc-panel", role: "dialog", "aria-label": title, hidden: "" });
  var header = el("header", { class: "header" });
  var heading = el("div", { class: "heading" });
  var titleNode = el("h2", { class: "title" }, title);
  var centerNode = el("p", { class: "center-name", hidden: "" });
  heading.appendChild(titleNode);
  heading.appendChild(centerNode);
  header.appendChild(heading);
  var endButton = el("button", { class: "end", type: "button", "aria-label": "结束对话并清除记录" }, "结束对话");
  header.appendChild(endButton);
  var closeButton = el("button", { class: "close", type: "button", "aria-label": "关闭在线咨询" }, "×");
  header.appendChild(closeButton);
  var status = el("p", { class: "status", role: "status", "aria-live": "polite" }, "正在连接…");
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "对话记录", tabindex: "0" });
  var typing = el("p", { class: "typing", hidden: "", "aria-live": "polite" }, "正在输入…");
  var form = el("form", { class: "composer" });
  var input = el("textarea", { class: "input", rows: "1", maxlength: "2000", "aria-label": "输入您的问题", placeholder: "请输入您的问题，按回车发送" });
  var send = el("button", { class: "send", type: "submit", "aria-label": "发送" }, "发送");
  form.appendChild(input);
  form.appendChild(send);
  [header, status, log, typing, form].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(panel);
  root.appendChild(launcher);

  /* ---- rendering ---- */
  var URL_PATTERN = /(https?:\/\/[^\s<>"'，。；）]+)/g;

  /* ---- answers: lists as lists, the source footnote as a small collapsible line ---- */
  var LIST_ITEM = /^\s*(?:(\d+)[.、)]|([•·\-])|([①②③④⑤⑥⑦⑧⑨]))\s*(.*)$/;
  var FOOTNOTE = /^(?:来源：|（示例内容|（一般指引)/;

  function splitFootnote(text) {
    var lines = String(text).split("\n");
    var last = lines[lines.length - 1];
    if (lines.length > 1 && FOOTNOTE.test(last)) {
      return { body: lines.slice(0, -1).join("\n"), footnote: last };
    }
    return { body: String(text), footnote: "" };
  }

  function appendBody(parent, text) {
    var list = null;
    var paragraph = [];
    function flushParagraph() {
      if (paragraph.length) {
        var p = el("p", { class: "para" });
        appendText(p, paragraph.join("\n"));
        parent.appendChild(p);
        paragraph = [];
      }
    }
    String(text).split("\n").forEach(function (line) {
      var match = LIST_ITEM.exec(line);
      if (match) {
        flushParagraph();
        var ordered = !!(match[1] || match[3]);
        if (!list || list.ordered !== ordered) {
          list = { ordered: ordered, node: el(ordered ? "ol" : "ul", { class: "list" }) };
          parent.appendChild(list.node);
        }
        var item = el("li");
        appendText(item, match[4]);
        list.node.appendChild(item);
      } else {
        list = null;
        paragraph.push(line);
      }
    });
    flushParagraph();
  }

  function appendFootnote(parent, footnote) {
    var details = el("details", { class: "footnote" });
    details.appendChild(el("summary", {}, "来源"));
    var body = el("p", {});
    appendText(body, footnote.replace(/^来源：/, ""));
    details.appendChild(body);
    parent.appendChild(details);
  }

  function appendText(parent, text) {
    String(text).split(URL_PATTERN).forEach(function (part, index) {
      if (index % 2 === 1) {
        var link = el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, part);
        parent.appendChild(link);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function disableOldChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".choices button"), function (button) {
      button.disabled = true;
    });
  }

  function render(entry, live) {
    var item = el("div", { class: "message " + entry.from + (entry.pushed ? " pushed" : "") });
    var bubble = el("div", { class: "bubble" });
    bubble.appendChild(el("span", { class: "sr-only" }, entry.from === "user" ? "我说：" : "客服说："));
    if (entry.text && entry.from === "bot") {
      var parts = splitFootnote(entry.text);
      appendBody(bubble, parts.body);
      if (parts.footnote) appendFootnote(bubble, parts.footnote);
    } else if (entry.text) {
      appendText(bubble, entry.text);
    }
    if (entry.image && safeUrl(entry.image)) {
      bubble.appendChild(el("img", { src: safeUrl(entry.image), alt: "图片" }));
    }
    item.appendChild(bubble);
    var buttons = entry.buttons || [];
    if (buttons.length) {
      disableOldChoices();
      var choices = el("div", { class: "choices" + (entry.suggested ? " suggested" : ""), role: "group", "aria-label": entry.suggested ? "推荐问题" : "可选回复" });
      buttons.forEach(function (button) {
        var label = button.title || button.payload;
        if (button.url) {
          if (safeUrl(button.url)) {
            choices.appendChild(el("a", { class: "choice link", href: safeUrl(button.url), target: "_blank", rel: "noopener noreferrer" }, label));
          }
          return;
        }
        var choice = el("button", { class: "choice", type: "button" }, label);
        choice.disabled = !live;
        choice.addEventListener("click", function () {
          sendMessage(label, button.payload || label);
        });
        choices.appendChild(choice);
      });
      item.appendChild(choices);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > HISTORY_LIMIT) state.history = state.history.slice(-HISTORY_LIMIT);
    save("history", state.history);
  }

  function addEntry(entry) {
    remember(entry);
    render(entry, true);
    if (entry.from === "bot" && !state.open) {
      state.unread += 1;
      badge.textContent = String(state.unread);
      badge.hidden = false;
      launcher.setAttribute("aria-label", "打开在线咨询（" + state.unread + " 条新消息）");
    }
  }

  state.history.forEach(function (entry, index) {
    render(entry, index === state.history.length - 1);
  });

  /* ---- connection ---- */
  function setStatus(text, connected) {
    status.textContent = text;
    status.classList.toggle("online", !!connected);
  }

  function connect() {
    setStatus(state.retries ? "连接中断，正在重连…" : "正在连接…", false);
    var socket;
    try {
      socket = new WebSocket(socketUrl);
    } catch (e) {
      return scheduleReconnect();
    }
    state.socket = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "hello", resume: state.resume }));
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame.type === "welcome") {
        state.connected = true;
        state.retries = 0;
        if (frame.conversation_id !== state.conversationId) {
          state.conversationId = frame.conversation_id;
          save("conversation", state.conversationId);
        }
        state.resume = frame.resume;
        save("resume", state.resume);
        setStatus("已连接", true);
        while (state.outgoing.length) socket.send(state.outgoing.shift());
      } else if (frame.type === "bot" && frame.message) {
        typing.hidden = true;
        var message = frame.message;
        addEntry({ from: "bot", text: message.text || "", buttons: message.buttons || [], image: message.image, pushed: !!frame.pushed });
      } else if (frame.type === "typing") {
        typing.hidden = !frame.on;
      } else if (frame.type === "error") {
        setStatus("出错了：" + frame.reason, state.connected);
      }
    };
    socket.onclose = function () {
      state.connected = false;
      typing.hidden = true;
      if (state.socket === socket) scheduleReconnect();
    };
    socket.onerror = function () {
      socket.close();
    };
  }

  function scheduleReconnect() {
    state.retries += 1;
    var delay = Math.min(15000, 500 * Math.pow(2, Math.min(state.retries, 5)));
    setStatus("连接中断，正在重连…", false);
    setTimeout(connect, delay);
  }

  window.addEventListener("online", function () {
    if (!state.connected && state.socket) state.socket.close();
  });

  function sendMessage(shown, payload) {
    var text = (shown || "").trim();
    if (!text) return;
    disableOldChoices();
    addEntry({ from: "user", text: text });
    var frame = JSON.stringify(payload && payload !== text ? { type: "message", text: text, payload: payload } : { type: "message", text: text });
    if (state.connected && state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(frame);
    } else {
      state.outgoing.push(frame);
      setStatus("消息将在重新连接后发送…", false);
    }
  }

  /* ---- first view: greeting and suggested questions (knowledge_base/data/widget.yml) ---- */
  var firstView = { config: null, shown: false };

  function applyConfig(config) {
    firstView.config = config;
    if (!(script && script.dataset.title) && config.assistant_name) {
      titleNode.textContent = config.assistant_name;
    }
    if (config.center_name) {
      centerNode.textContent = config.center_name;
      centerNode.hidden = false;
    }
    showFirstView();
  }

  function showFirstView() {
    var config = firstView.config;
    if (!config || firstView.shown || state.history.length || !state.open) return;
    firstView.shown = true;
    addEntry({
      from: "bot",
      text: config.greeting || "",
      buttons: (config.suggestions || []).map(function (q) { return { title: q, payload: q }; }),
      suggested: true,
    });
  }

  function loadConfig() {
    if (!window.fetch) return;
    fetch(base.href + "config")
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (config) { if (config) applyConfig(config); })
      .catch(function () { /* no first view: the chat still works */ });
  }

  /* ---- interaction ---- */
  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    save("open", open);
    if (open) {
      state.unread = 0;
      badge.hidden = true;
      launcher.setAttribute("aria-label", "关闭在线咨询");
      showFirstView();
      input.focus();
      log.scrollTop = log.scrollHeight;
    } else {
      launcher.setAttribute("aria-label", "打开在线咨询");
      launcher.focus();
    }
  }

  /* End the conversation: forget it in this browser and start a new one with the server. */
  endButton.addEventListener("click", function () {
    forget();
    state.history = [];
    state.conversationId = null;
    state.resume = null;
    save("started", Date.now());
    while (log.firstChild) log.removeChild(log.firstChild);
    if (state.socket) state.socket.close();
  });

  launcher.addEventListener("click", function () { setOpen(!state.open); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendMessage(input.value);
    input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  window.__ippcWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    conversationId: function () { return state.conversationId; },
  };
  if ((script && script.dataset.open === "true") || load("open", false)) setOpen(true);
  loadConfig();
  connect();
})();
