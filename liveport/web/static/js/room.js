// The live room page: one WebSocket to /ws/shows/{id} carrying the events of DESIGN.md §7
// (docs/realtime/room-events.md). Every text from the room is set with textContent, never
// parsed as HTML. Taps on the like button are sent as one batch per second, the way a
// phone app does. A gap in seq asks the server for a fresh snapshot.
(function () {
  "use strict";

  var root = document.getElementById("room");
  if (!root) { return; }
  var showId = root.dataset.showId;
  var english = root.dataset.lang === "en";
  var t = root.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var chatList = $("chat");
  var MAX_CHAT = 100;

  var socket = null;
  var lastSeq = 0;
  var you = {};
  var likes = 0;
  var unsentTaps = 0;
  var retryMs = 500;
  var ref = 0;

  function setText(id, value) {
    var el = $(id);
    if (el) { el.textContent = String(value); }
  }

  function connection(text) { setText("connection", text); }

  function addChat(message) {
    if (chatList.querySelector('[data-id="' + Number(message.id) + '"]')) { return; }
    var li = document.createElement("li");
    li.dataset.id = String(Number(message.id));
    if (message.user && message.user.role !== "buyer") { li.className = "staff"; }
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = (message.user && message.user.name) || "";
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    li.appendChild(who);
    li.appendChild(text);
    chatList.appendChild(li);
    while (chatList.children.length > MAX_CHAT) { chatList.removeChild(chatList.firstChild); }
    chatList.scrollTop = chatList.scrollHeight;
  }

  function removeChat(ids) {
    ids.forEach(function (id) {
      var li = chatList.querySelector('[data-id="' + Number(id) + '"]');
      if (li) { li.remove(); }
    });
  }

  function showPin(pin) {
    $("pin-empty").hidden = !!pin;
    $("pin-card").hidden = !pin;
    if (!pin) { return; }
    $("pin-card").dataset.productId = String(pin.product_id);
    setText("pin-name", english ? pin.name_en : pin.name_zh);
    setText("pin-price", pin.price_cny);
  }

  // The shop part of the room (room_shop.js: pinned card, flash sales, buying) hears every
  // event through one DOM event; the two scripts share nothing else.
  function emit(type, data) {
    document.dispatchEvent(new CustomEvent("room:event", { detail: { type: type, data: data || {} } }));
  }

  function showLikes(total) {
    likes = Math.max(likes, Number(total) || 0);
    setText("likes", likes + unsentTaps);
  }

  function canChat(allowed) {
    var form = $("chat-form");
    if (form) { form.querySelector("button").disabled = !allowed; }
    $("like-button").disabled = !you.can_like;
  }

  function snapshot(event) {
    var data = event.data;
    lastSeq = event.seq;
    you = data.you || {};
    chatList.textContent = "";
    (data.chat || []).forEach(addChat);
    showPin(data.pinned);
    emit("snapshot", data);
    likes = 0;
    showLikes(data.likes);
    setText("viewers", data.viewers);
    canChat(!!you.can_chat);
    connection(t.tLive);
  }

  var handlers = {
    "chat.message": addChat,
    "chat.removed": function (d) { removeChat(d.ids || []); },
    "like.total": function (d) { showLikes(d.total); },
    "viewers.count": function (d) { setText("viewers", d.count); },
    "pin.set": showPin,
    "pin.cleared": function () { showPin(null); },
    "ticker.purchase": function (d) {
      var li = document.createElement("li");
      li.textContent = d.buyer + (d.city ? " · " + d.city : "") + " " + t.tBought + " " +
        (english ? d.product_name_en : d.product_name) + " ×" + Number(d.qty);
      var ticker = $("ticker");
      ticker.insertBefore(li, ticker.firstChild);
      while (ticker.children.length > 5) { ticker.removeChild(ticker.lastChild); }
    },
    "host.announcement": function (d) {
      var box = $("announcement");
      box.textContent = d.text;
      box.hidden = false;
    },
    "user.muted": function (d) { if (d.user_id === you.user_id) { you.can_chat = false; canChat(false); connection(t.tMuted); } },
    "user.banned": function (d) { if (d.user_id === you.user_id) { connection(t.tBanned); } },
    "user.unmuted": function (d) { if (d.user_id === you.user_id) { you.can_chat = true; canChat(true); connection(t.tLive); } }
  };

  function reply(data) {
    var box = $("chat-error");
    if (!box) { return; }
    box.hidden = data.ok !== false || data.code === "like_refused";
    if (data.ok === false) { box.textContent = t.tRefused + " (" + data.code + ")"; }
  }

  // A server catching up sends several events in one message, one per line.
  function onMessage(message) {
    String(message.data).split("\n").forEach(onEvent);
  }

  function onEvent(line) {
    var event;
    try { event = JSON.parse(line); } catch (e) { return; }
    if (event.v !== 1) { return; }
    if (event.seq === null) { reply(event.data || {}); return; }
    if (event.type === "snapshot") { snapshot(event); return; }
    if (event.seq <= lastSeq) { return; }
    if (lastSeq && event.seq > lastSeq + 1) {
      socket.send(JSON.stringify({ type: "snapshot" }));
    }
    lastSeq = event.seq;
    var handle = handlers[event.type];
    if (handle) { handle(event.data || {}); }
    emit(event.type, event.data);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/shows/" + encodeURIComponent(showId));
    socket.onopen = function () { retryMs = 500; };
    socket.onmessage = onMessage;
    socket.onclose = function (e) {
      if (e.code === 4403) { connection(t.tBanned); return; }
      connection(t.tReconnecting);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  $("like-button").addEventListener("click", function () {
    unsentTaps += 1;
    setText("likes", likes + unsentTaps);
  });
  setInterval(function () {
    if (unsentTaps > 0 && send({ type: "like", count: unsentTaps })) {
      likes += unsentTaps;
      unsentTaps = 0;
    }
  }, 1000);

  var form = $("chat-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = $("chat-text");
      var text = input.value.trim();
      if (text && send({ type: "chat", text: text, ref: ++ref })) { input.value = ""; }
    });
  }

  // Connect once every deferred script (the shop half of the room) is listening.
  if (document.readyState === "complete") { connect(); } else {
    document.addEventListener("DOMContentLoaded", connect);
  }
}());
