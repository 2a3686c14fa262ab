// The room's checkout, opened by a flash-sale reservation ("room:reserved" from
// room_shop.js): the buyer's real-name status, a consignee (choose or add), the exact amounts
// from the quote API at the drop's price, then the order is placed from the reservation and
// the pay page (e-CNY QR or card) takes over. One Idempotency-Key per reservation: a retried
// tap never places two orders. Text is set with textContent.
(function () {
  "use strict";

  var box = document.getElementById("checkout");
  if (!box) { return; }
  var t = box.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var held = null;       // { reservation, product_id, name, orderKey }
  var consigneeId = null;
  var holdTimer = null;

  function call(method, url, body, headers) {
    var all = { "Accept": "application/json" };
    if (body !== undefined) { all["Content-Type"] = "application/json"; }
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: method, credentials: "same-origin", headers: all,
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return { ok: response.ok, status: response.status, body: json };
        });
      });
  }

  function fail(answer) {
    var error = (answer && answer.body && answer.body.error) || {};
    var box = $("checkout-error");
    box.textContent = t.tFailed + (error.message ? ": " + error.message : "");
    box.hidden = false;
  }

  function sum(lines, field) {
    var fen = 0;
    (lines || []).forEach(function (line) { fen += Math.round(parseFloat(line[field]) * 100); });
    return (fen / 100).toFixed(2);
  }

  function showIdentity() {
    call("GET", "/api/v1/me/identity").then(function (answer) {
      var p = $("checkout-identity");
      if (answer.ok) {
        p.textContent = t.tVerified + " " + answer.body.full_name + " · " + answer.body.id_number;
        p.dataset.verified = "yes";
      } else {
        p.textContent = t.tUnverified;
        p.dataset.verified = "no";
      }
    });
  }

  function consigneeOption(c) {
    var label = document.createElement("label");
    label.className = "consignee";
    var radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "consignee";
    radio.value = String(c.id);
    radio.addEventListener("change", function () { consigneeId = c.id; quote(); });
    var text = document.createElement("span");
    text.textContent = c.name + " · " + c.phone + " · " + c.address;
    label.appendChild(radio);
    label.appendChild(text);
    return label;
  }

  function loadConsignees(choose) {
    return call("GET", "/api/v1/me/consignees").then(function (answer) {
      var list = $("consignee-list");
      list.textContent = "";
      var saved = answer.ok ? answer.body : [];
      saved.forEach(function (c) { list.appendChild(consigneeOption(c)); });
      var pick = choose || (saved.filter(function (c) { return c.is_default; })[0] || saved[0] || {}).id;
      $("consignee-new").open = saved.length === 0;
      consigneeId = pick || null;
      list.querySelectorAll("input").forEach(function (radio) { radio.checked = Number(radio.value) === consigneeId; });
      quote();
    });
  }

  function quote() {
    $("place-order").disabled = true;
    if (!held) { return; }
    var body = { items: [{ product_id: held.product_id, qty: held.reservation.qty }],
                 drop_id: held.reservation.drop_id, freight: "0" };
    if (consigneeId) { body.consignee_id = consigneeId; }
    call("POST", "/api/v1/checkout/quote", body).then(function (answer) {
      if (!answer.ok) { fail(answer); return; }
      var q = answer.body;
      $("q-goods").textContent = "¥" + q.goods_value;
      $("q-freight").textContent = "¥" + q.freight;
      $("q-vat").textContent = "¥" + sum(q.lines, "vat");
      $("q-ct").textContent = "¥" + sum(q.lines, "consumption_tax");
      $("q-tax").textContent = "¥" + q.tax_total;
      $("q-total").textContent = "¥" + q.actural_paid;
      $("checkout-error").hidden = true;
      $("place-order").disabled = !consigneeId;
    });
  }

  function tickHold() {
    var left = Math.max(0, Math.floor((Date.parse(held.reservation.expires_at) - Date.now()) / 1000));
    $("checkout-hold").textContent = left > 0
      ? t.tHeld + " " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0")
      : t.tExpired;
    if (left === 0) { $("place-order").disabled = true; clearInterval(holdTimer); }
  }

  document.addEventListener("room:reserved", function (e) {
    held = e.detail;
    held.orderKey = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID()
      : String(Date.now()) + "-" + String(Math.random()).slice(2);
    $("checkout-name").textContent = held.name;
    $("checkout-qty").textContent = String(held.reservation.qty);
    box.hidden = false;
    box.focus();
    box.scrollIntoView({ block: "start" });
    clearInterval(holdTimer);
    tickHold();
    holdTimer = setInterval(tickHold, 1000);
    showIdentity();
    loadConsignees();
  });

  $("consignee-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    call("POST", "/api/v1/me/consignees", {
      name: $("cn-name").value.trim(), phone: $("cn-phone").value.trim(),
      address: $("cn-address").value.trim(), district_code: $("cn-district").value.trim()
    }).then(function (answer) {
      if (!answer.ok) { fail(answer); return; }
      form.reset();
      $("consignee-new").open = false;
      loadConsignees(answer.body.id);
    });
  });

  $("place-order").addEventListener("click", function () {
    var button = $("place-order");
    var label = button.textContent;
    button.disabled = true;
    button.textContent = t.tPlacing;
    call("POST", "/api/v1/orders", { reservation_id: held.reservation.id, consignee_id: consigneeId, freight: "0" },
         { "Idempotency-Key": held.orderKey })
      .then(function (answer) {
        if (!answer.ok) { fail(answer); button.textContent = label; button.disabled = false; return; }
        location.href = "/orders/" + encodeURIComponent(answer.body.order_no) + "/pay";
      });
  });
}());
