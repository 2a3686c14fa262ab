// The host console's flash-sale controls and sales figures: copy buttons for the encoder
// settings, open (with a countdown) and close each drop, and its stock left and units sold
// from GET /api/v1/shows/{id}/drops — read every 3 s and at once on any drop event from
// the room (host_console.js). Units sold and GMV add up the drops' sold units at their price.
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root) { return; }
  var t = root.dataset;
  var labels = JSON.parse(t.dropLabels || "{}");
  var $ = function (id) { return document.getElementById(id); };
  var refreshTimer = null;

  function say(text) { $("control-result").textContent = text; }

  document.querySelectorAll(".copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = $(button.dataset.copy);
      var done = function () { $("copy-result").textContent = t.tCopied; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          input.type = "text"; input.select(); done();
        });
      } else {
        input.type = "text"; input.select(); done();
      }
    });
  });

  function fen(text) { return Math.round(parseFloat(text) * 100); }

  function showDrops(drops) {
    var units = 0;
    var gmvFen = 0;
    drops.forEach(function (drop) {
      var sold = Number(drop.sold || 0);
      units += sold;
      gmvFen += sold * fen(drop.price);
      var row = $("host-drop-" + Number(drop.id));
      if (!row) { return; }
      var status = drop.status === "open" && drop.on_sale === 0 ? "sold_out" : drop.status;
      row.dataset.status = status;
      row.querySelector(".drop-status").textContent = labels[status] || status;
      row.querySelector(".drop-left").textContent = drop.on_sale === null ? String(drop.quantity) : String(drop.on_sale);
      row.querySelector(".drop-sold").textContent = String(sold + Number(drop.reserved || 0));
      row.querySelector(".open-drop").disabled = drop.status !== "scheduled";
      row.querySelector(".close-drop").disabled = drop.status === "closed" || drop.status === "scheduled";
    });
    $("stat-units").textContent = String(units);
    $("stat-gmv").textContent = "¥" + (gmvFen / 100).toFixed(2);
  }

  function refresh() {
    clearTimeout(refreshTimer);
    fetch("/api/v1/shows/" + encodeURIComponent(t.showId) + "/drops", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (drops) { if (drops) { showDrops(drops); } })
      .catch(function () { /* the next round tries again */ })
      .then(function () { refreshTimer = setTimeout(refresh, 3000); });
  }

  function control(url, body) {
    fetch(url, { method: "POST", credentials: "same-origin",
                 headers: { "Accept": "application/json", "Content-Type": "application/json" },
                 body: JSON.stringify(body || {}) })
      .then(function (response) {
        say(response.ok ? t.tDone : t.tFailed + " (HTTP " + response.status + ")");
        refresh();
      })
      .catch(function () { say(t.tFailed); });
  }

  document.querySelectorAll(".open-drop").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      control("/api/v1/drops/" + Number(button.dataset.dropId) + "/open",
              { countdown_s: Number($("countdown").value) });
    });
  });
  document.querySelectorAll(".close-drop").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      control("/api/v1/drops/" + Number(button.dataset.dropId) + "/close");
    });
  });

  document.addEventListener("host:event", function (e) {
    if (String(e.detail.type).indexOf("drop.") === 0) { refresh(); }
  });
  refresh();
}());
