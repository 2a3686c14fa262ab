// The host console's live half: one room socket (/ws/shows/{id}, the host's session cookie)
// for viewers, likes, the pinned product and the chat, with moderation on each viewer's
// message (remove, mute 10 minutes, ban) through the room's HTTP API. Other console scripts
// hear every room event as a "host:event" DOM event. Text is set with textContent.
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root) { return; }
  var t = root.dataset;
  var showId = root.dataset.showId;
  var api = "/api/v1/shows/" + encodeURIComponent(showId);
  var $ = function (id) { return document.getElementById(id); };
  var chat = $("host-chat");
  var lastSeq = 0;
  var socket = null;
  var retryMs = 500;
  var likes = 0;

  function setText(id, value) { var el = $(id); if (el) { el.textContent = String(value); } }

  function act(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (body) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, credentials: "same-origin", headers: headers,
                        body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        setText("control-result", response.ok ? t.tDone : t.tFailed + " (HTTP " + response.status + ")");
        return response.ok;
      })
      .catch(function () { setText("control-result", t.tFailed); return false; });
  }

  function actionButton(label, name, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--quiet";
    button.textContent = label;
    button.setAttribute("aria-label", label + " · " + name);
    button.addEventListener("click", handler);
    return button;
  }

  function addChat(message) {
    var id = Number(message.id);
    if (chat.querySelector('[data-id="' + id + '"]')) { return; }
    var user = message.user || {};
    var li = document.createElement("li");
    li.dataset.id = String(id);
    li.dataset.userId = String(Number(user.id));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = user.name || "";
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    li.appendChild(who);
    li.appendChild(text);
    if (user.role === "buyer") {
      var tools = document.createElement("span");
      tools.className = "tools";
      var label = (user.name || "") + ": " + message.text;
      tools.appendChild(actionButton(t.tRemove, label, function () { act("DELETE", api + "/chat/" + id); }));
      tools.appendChild(actionButton(t.tMute, label, function () {
        act("POST", api + "/sanctions", { user_id: Number(user.id), kind: "mute", minutes: 10 });
      }));
      tools.appendChild(actionButton(t.tBan, label, function () {
        act("POST", api + "/sanctions", { user_id: Number(user.id), kind: "ban" });
      }));
      li.appendChild(tools);
    } else {
      li.className = "staff";
    }
    chat.appendChild(li);
    while (chat.children.length > 200) { chat.removeChild(chat.firstChild); }
    chat.scrollTop = chat.scrollHeight;
  }

  function removeChat(ids) {
    (ids || []).forEach(function (id) {
      var li = chat.querySelector('[data-id="' + Number(id) + '"]');
      if (li) { li.remove(); }
    });
  }

  function showPin(pin) {
    var current = pin ? Number(pin.product_id) : null;
    var item = current ? $("lineup-" + current) : null;
    setText("pinned-name", item ? item.dataset.name : (pin ? (t.lang === "en" ? pin.name_en : pin.name_zh) : "—"));
    $("unpin").disabled = !pin;
    document.querySelectorAll(".pin-button").forEach(function (button) {
      var on = Number(button.dataset.productId) === current;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.closest("li").classList.toggle("is-pinned", on);
    });
  }

  function showLikes(total) {
    likes = Math.max(likes, Number(total) || 0);
    setText("stat-likes", likes);
  }

  var handlers = {
    "snapshot": function (d) {
      chat.textContent = "";
      (d.chat || []).forEach(addChat);
      showPin(d.pinned);
      showLikes(d.likes);
      setText("stat-viewers", d.viewers);
      setText("connection", t.tLive);
    },
    "chat.message": addChat,
    "chat.removed": function (d) { removeChat(d.ids); },
    "like.total": function (d) { showLikes(d.total); },
    "viewers.count": function (d) { setText("stat-viewers", d.count); },
    "pin.set": showPin,
    "pin.cleared": function () { showPin(null); }
  };

  function onEvent(line) {
    var event;
    try { event = JSON.parse(line); } catch (e) { return; }
    if (event.v !== 1 || event.seq === null) { return; }
    if (event.type !== "snapshot") {
      if (event.seq <= lastSeq) { return; }
      if (lastSeq && event.seq > lastSeq + 1) { socket.send(JSON.stringify({ type: "snapshot" })); }
    }
    lastSeq = event.seq;
    var data = event.type === "snapshot" ? event.data : (event.data || {});
    var handle = handlers[event.type];
    if (handle) { handle(data); }
    document.dispatchEvent(new CustomEvent("host:event", { detail: { type: event.type, data: data } }));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/shows/" + encodeURIComponent(showId));
    socket.onopen = function () { retryMs = 500; };
    socket.onmessage = function (message) { String(message.data).split("\n").forEach(onEvent); };
    socket.onclose = function () {
      setText("connection", t.tReconnecting);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  $("unpin").addEventListener("click", function () { act("DELETE", api + "/pin"); });
  document.querySelectorAll(".pin-button").forEach(function (button) {
    button.addEventListener("click", function () {
      act("PUT", api + "/pin", { product_id: Number(button.dataset.productId) });
    });
  });

  if (document.readyState === "complete") { connect(); } else {
    document.addEventListener("DOMContentLoaded", connect);
  }
}());
