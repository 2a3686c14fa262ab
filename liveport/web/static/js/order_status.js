// The order and pay pages: polls GET /api/v1/orders/{no} every 2 s (with the session cookie)
// while the order can still change, and rewrites its status and trail in place. Elements
// marked data-while-pending show only while it awaits payment, data-when-landed once the
// payment has landed, data-when-closed when it can no longer be paid. Other scripts hear
// about each change through an "order:status" event on document.
(function () {
  "use strict";

  var root = document.getElementById("order-live");
  if (!root) { return; }
  var orderNo = root.dataset.orderNo;
  var labels = JSON.parse(root.dataset.labels || "{}");
  var finalStates = (root.dataset.finalStates || "").split(" ");
  var landedStates = (root.dataset.landedStates || "").split(" ");
  var PERIOD_MS = 2000;
  var timer = null;
  var shown = root.dataset.status + "|" + document.querySelectorAll("#order-trail li").length;

  function label(status) { return labels[status] || status; }

  // "YYYY-MM-DD HH:MM" in Beijing time, as the server prints it.
  function chinaTime(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function showWhere(selector, visible) {
    document.querySelectorAll(selector).forEach(function (el) { el.hidden = !visible; });
  }

  function render(order) {
    var status = String(order.status);
    var trail = Array.isArray(order.trail) ? order.trail : [];
    var key = status + "|" + trail.length;
    if (key === shown) { return; }
    shown = key;
    root.dataset.status = status;
    var badge = document.getElementById("order-status");
    if (badge) {
      badge.textContent = label(status);
      badge.className = "status status--" + status;
    }
    var list = document.getElementById("order-trail");
    if (list) {
      var items = trail.map(function (event) {
        var li = document.createElement("li");
        var time = document.createElement("time");
        time.dateTime = String(event.at);
        time.textContent = chinaTime(event.at);
        var what = document.createElement("span");
        what.textContent = label(String(event.status));
        li.append(time, " ", what);
        // Why customs refused it, or why it was cancelled: the buyer should not have to ask.
        if ((event.status === "customs_rejected" || event.status === "cancelled" || event.status === "return_requested") && event.reason) {
          var why = document.createElement("span");
          why.className = "reason";
          why.textContent = "— " + String(event.reason);
          li.append(" ", why);
        }
        return li;
      });
      list.replaceChildren.apply(list, items);
    }
    var pending = status === "pending_payment";
    var landed = landedStates.indexOf(status) !== -1;
    showWhere("[data-while-pending]", pending);
    showWhere("[data-when-landed]", landed);
    showWhere("[data-when-closed]", !pending && !landed);
    document.dispatchEvent(new CustomEvent("order:status", { detail: { status: status, landed: landed } }));
  }

  function schedule() {
    if (finalStates.indexOf(root.dataset.status) === -1) {
      timer = window.setTimeout(poll, PERIOD_MS);
    }
  }

  function poll() {
    timer = null;
    fetch("/api/v1/orders/" + encodeURIComponent(orderNo), {
      credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store"
    }).then(function (answer) {
      // Signed out or gone: stop asking; a reload shows why.
      if (answer.status === 401 || answer.status === 403 || answer.status === 404) { return null; }
      return answer.ok ? answer.json() : undefined;
    }).then(function (order) {
      if (order === null) { return; }
      if (order) { render(order); }
      schedule();
    }, function () {
      schedule(); // the network blinked: try again on the next beat
    });
  }

  // Back from the wallet app or another tab: look at once instead of at the next beat.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && timer !== null) {
      window.clearTimeout(timer);
      poll();
    }
  });

  schedule();
})();
