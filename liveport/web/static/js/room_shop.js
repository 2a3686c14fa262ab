// The shop half of the live room: the pinned product's provenance (copied from the product
// bag the server rendered) and its tax estimate from the quote API; the flash sales with a
// countdown, units left and a one-tap buy button that reserves a unit at the gate
// (POST /api/v1/drops/{id}/claims with a fresh Idempotency-Key). A reservation opens the
// checkout (room_checkout.js) through a "room:reserved" event. Text is set with textContent.
(function () {
  "use strict";

  var root = document.getElementById("room");
  if (!root) { return; }
  var t = root.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var drops = {};        // drop_id → what the room told us about it
  var claimed = {};      // drop_id → true once this viewer holds a reservation
  var pinnedProduct = null;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function money(text) { return "¥" + String(text); }

  function bagItem(productId) { return $("bag-" + Number(productId)); }

  function productName(productId) {
    var item = bagItem(productId);
    return item ? item.dataset.name : "#" + Number(productId);
  }

  function postJson(url, body, headers) {
    var all = { "Content-Type": "application/json", "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: all, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return { ok: response.ok, status: response.status, body: json };
        });
      });
  }

  // --- the pinned product --------------------------------------------------------------
  function showPinFacts(pin) {
    var facts = $("pin-facts");
    facts.textContent = "";
    $("pin-tax").textContent = "";
    pinnedProduct = pin ? Number(pin.product_id) : null;
    document.querySelectorAll(".bag-item.is-pinned").forEach(function (el) { el.classList.remove("is-pinned"); });
    if (!pin) { return; }
    var item = bagItem(pin.product_id);
    if (item) {
      item.classList.add("is-pinned");
      var source = item.querySelector(".provenance");
      if (source) { facts.appendChild(source.cloneNode(true)); }
    }
    // Nothing in stock outside flash sales: checkout would refuse the quote, say so instead.
    if (item && item.dataset.available === "0") {
      $("pin-tax").textContent = t.tNoEstimate;
      return;
    }
    estimateTax(Number(pin.product_id));
  }

  function estimateTax(productId) {
    postJson("/api/v1/checkout/quote", { items: [{ product_id: productId, qty: 1 }] }).then(function (answer) {
      if (pinnedProduct !== productId) { return; }
      var box = $("pin-tax");
      if (!answer.ok) { box.textContent = t.tNoEstimate; return; }
      box.textContent = t.tTaxEst + " " + money(answer.body.tax_total) + " · " +
        t.tTotalEst + " " + money(answer.body.actural_paid);
      box.dataset.tax = answer.body.tax_total;
    }).catch(function () { $("pin-tax").textContent = t.tNoEstimate; });
  }

  // --- flash sales -----------------------------------------------------------------------
  function dropItem(drop) {
    var id = "drop-" + Number(drop.drop_id);
    var li = $(id);
    if (li) { return li; }
    li = document.createElement("li");
    li.id = id;
    li.className = "drop";
    var name = document.createElement("span");
    name.className = "drop-name";
    var price = document.createElement("span");
    price.className = "drop-price";
    var state = document.createElement("span");
    state.className = "drop-state";
    state.setAttribute("aria-live", "polite");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--buy";
    button.textContent = t.tBuy;
    button.addEventListener("click", function () { claim(Number(drop.drop_id), button); });
    li.appendChild(name);
    li.appendChild(price);
    li.appendChild(state);
    li.appendChild(button);
    $("drops").appendChild(li);
    return li;
  }

  function secondsUntil(iso) {
    if (!iso) { return 0; }
    return Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
  }

  function render(drop) {
    var li = dropItem(drop);
    li.querySelector(".drop-name").textContent = productName(drop.product_id);
    li.querySelector(".drop-price").textContent = drop.price ? money(drop.price) : "";
    var state = li.querySelector(".drop-state");
    var button = li.querySelector("button");
    var wait = drop.state === "countdown" ? secondsUntil(drop.sales_start_at) : 0;
    li.dataset.state = drop.on_sale === 0 ? "sold_out" : (wait > 0 ? "countdown" : "open");
    if (drop.on_sale === 0) {
      state.textContent = t.tSoldOut;
    } else if (wait > 0) {
      state.textContent = t.tStartsIn + " " + Math.floor(wait / 60) + ":" + String(wait % 60).padStart(2, "0");
    } else if (drop.on_sale !== null && drop.on_sale !== undefined) {
      state.textContent = Number(drop.on_sale) + " " + t.tLeft;
    } else {
      state.textContent = t.tOnSale;
    }
    button.disabled = drop.on_sale === 0 || wait > 0 || !!claimed[drop.drop_id] || button.dataset.busy === "1";
    button.textContent = t.signedIn === "yes" ? t.tBuy : t.tSignInToBuy;
  }

  function update(data, changes) {
    var id = Number(data.drop_id);
    var known = drops[id] || { drop_id: id, state: "open", on_sale: null };
    Object.keys(data).forEach(function (k) { known[k] = data[k]; });
    Object.keys(changes || {}).forEach(function (k) { known[k] = changes[k]; });
    drops[id] = known;
    render(known);
    // An event that does not name the product or price (a stock figure for a drop opened
    // before we joined): the public drop route fills it in.
    if (known.product_id === undefined && !known.loading) {
      known.loading = true;
      fetch("/api/v1/drops/" + id, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d || !drops[id]) { return; }
          drops[id].product_id = d.product_id;
          drops[id].price = d.price;
          if (drops[id].sales_start_at === undefined) { drops[id].sales_start_at = d.sales_start_at; }
          render(drops[id]);
        }).catch(function () { /* the next event tries again */ });
    }
  }

  function remove(dropId) {
    delete drops[Number(dropId)];
    var li = $("drop-" + Number(dropId));
    if (li) { li.remove(); }
  }

  function say(text) {
    var box = $("buy-result");
    box.textContent = text;
    box.hidden = !text;
  }

  var REFUSALS = { sold_out: "tSoldOut", limit_reached: "tLimit", not_open: "tNotOpen",
                   closed: "tNotOpen", identity_required: "tIdentity" };

  function claim(dropId, button) {
    if (t.signedIn !== "yes") { location.href = t.signinUrl; return; }
    button.dataset.busy = "1";
    button.disabled = true;
    say(t.tReserving);
    postJson("/api/v1/drops/" + dropId + "/claims", { qty: 1 }, { "Idempotency-Key": newKey() })
      .then(function (answer) {
        button.dataset.busy = "";
        if (answer.status === 201) {
          claimed[dropId] = true;
          update({ drop_id: dropId, on_sale: answer.body.on_sale });
          say(t.tReserved);
          var drop = drops[dropId];
          document.dispatchEvent(new CustomEvent("room:reserved", { detail: {
            reservation: answer.body.reservation, product_id: drop.product_id,
            name: productName(drop.product_id) } }));
          return;
        }
        var code = (answer.body.error && answer.body.error.code) || "";
        if (code === "sold_out") { update({ drop_id: dropId }, { on_sale: 0 }); }
        say(t[REFUSALS[code]] || (t.tFailed + (code ? " (" + code + ")" : "")));
        if (drops[dropId]) { render(drops[dropId]); }
      })
      .catch(function () {
        button.dataset.busy = "";
        say(t.tFailed);
        if (drops[dropId]) { render(drops[dropId]); }
      });
  }

  var handlers = {
    "snapshot": function (d) {
      showPinFacts(d.pinned);
      Object.keys(drops).forEach(remove);
      (d.drops || []).forEach(function (drop) { update(drop); });
    },
    "pin.set": showPinFacts,
    "pin.cleared": function () { showPinFacts(null); },
    "drop.countdown": function (d) { update(d, { state: "countdown" }); },
    "drop.opened": function (d) { update(d, { state: "open" }); },
    "drop.stock": function (d) { update(d); },
    "drop.sold_out": function (d) { update(d, { on_sale: 0 }); },
    "drop.closed": function (d) { remove(d.drop_id); }
  };

  document.addEventListener("room:event", function (e) {
    var handle = handlers[e.detail.type];
    if (handle) { handle(e.detail.data); }
  });

  // The countdown ticks on its own between events.
  setInterval(function () {
    Object.keys(drops).forEach(function (id) {
      if (drops[id].state === "countdown") { render(drops[id]); }
    });
  }, 500);
}());
