// Live updates for the staff console: the queue and an open ticket's transcript are polled
// every two seconds and redrawn with textContent only (no HTML from the server is injected).
"use strict";

const POLL_MS = 2000;
const SENDERS = { user: "用户", bot: "机器人", staff: "客服" };

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) { window.location.assign("/login"); throw new Error("logged out"); }
  if (!response.ok) { throw new Error("HTTP " + response.status); }
  return response.json();
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}

function renderQueueTable(tableId, rows, extra, known) {
  const table = document.getElementById(tableId);
  if (!table) { return; }
  const body = table.tBodies[0];
  const fragment = document.createDocumentFragment();
  for (const item of rows) {
    const tr = document.createElement("tr");
    tr.dataset.id = item.id;
    if (known && !known.has(String(item.id))) { tr.className = "fresh"; }
    const link = document.createElement("a");
    link.href = "/tickets/" + item.id;
    link.textContent = "#" + item.id;
    cell(tr, "").appendChild(link);
    cell(tr, item.channel);
    cell(tr, item.reason);
    cell(tr, item.topic_label);
    cell(tr, item.created);
    cell(tr, extra(item));
    cell(tr, item.last_message);
    fragment.appendChild(tr);
  }
  if (!rows.length) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    const td = cell(tr, "暂无");
    td.colSpan = 7;
    fragment.appendChild(tr);
  }
  body.replaceChildren(fragment);
  table.querySelector(".count").textContent = String(rows.length);
}

function knownIds(tableId) {
  const table = document.getElementById(tableId);
  return new Set(table ? Array.from(table.tBodies[0].rows, (r) => r.dataset.id).filter(Boolean) : []);
}

async function pollQueue() {
  const status = document.getElementById("live-status");
  try {
    const data = await getJSON("/api/queue");
    renderQueueTable("waiting", data.waiting, (t) => t.waiting_minutes + " 分钟", knownIds("waiting"));
    renderQueueTable("active", data.active, (t) => t.assignee, knownIds("active"));
    renderQueueTable("left_messages", data.left_messages, (t) => t.callback_after, knownIds("left_messages"));
    status.textContent = "实时更新中 · " + new Date().toLocaleTimeString("zh-CN");
  } catch (error) {
    status.textContent = "连接中断，正在重试…";
  }
}

function appendLine(list, line) {
  const li = document.createElement("li");
  li.className = "line line-" + line.sender;
  li.dataset.id = line.id;
  const sender = document.createElement("span");
  sender.className = "sender";
  sender.textContent = SENDERS[line.sender] || line.sender;
  const time = document.createElement("time");
  time.textContent = line.local_at;
  li.append(sender, time);
  if (line.topic) {
    const understanding = document.createElement("span");
    understanding.className = "understanding";
    understanding.textContent = (line.topic_label || line.topic) + (line.confidence == null ? "" : " · " + line.confidence.toFixed(2));
    li.appendChild(understanding);
  }
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = line.text;
  li.appendChild(text);
  list.appendChild(li);
}

async function pollTicket() {
  const body = document.body;
  const list = document.getElementById("transcript");
  try {
    const data = await getJSON("/api/tickets/" + body.dataset.ticketId + "?after=" + body.dataset.lastId);
    for (const line of data.messages) {
      appendLine(list, line);
      body.dataset.lastId = String(line.id);
    }
    const statusNames = { waiting: "排队中", active: "处理中", closed: "已关闭", "left-message": "留言" };
    document.getElementById("ticket-status").textContent = statusNames[data.status] || data.status;
    document.getElementById("ticket-assignee").textContent = data.assignee || "未分配";
    document.getElementById("ticket-rating").textContent = data.rating ? data.rating + " 分" : "未评分";
  } catch (error) {
    // keep the page; the next poll retries
  }
}

function start() {
  const page = document.body.dataset.page;
  const poll = page === "queue" ? pollQueue : page === "ticket" ? pollTicket : null;
  if (!poll) { return; }
  const loop = async () => { await poll(); window.setTimeout(loop, POLL_MS); };
  window.setTimeout(loop, POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
