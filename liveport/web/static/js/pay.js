// The pay page's two choices. Each starts the payment through the API with the session
// cookie (a same-origin POST: the accounts guard refuses a cookie from another origin):
// e-CNY draws the operator's QR payload with qrcode-generator and links to its cashier;
// card points the card form at the acquirer's hosted page, so the card number, CVV and ID
// number go from this browser straight to the acquirer and never through Liveport.
// order_status.js watches the order and shows "Paid" when the payment lands.
(function () {
  "use strict";

  var root = document.getElementById("pay");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var t = root.dataset;
  var started = {};  // provider → the payment, once the API has answered
  var QR_PIXELS = 264;

  function say(text) {
    var box = $("pay-message");
    box.textContent = text;
    box.hidden = !text;
  }

  function start(provider) {
    if (started[provider]) { return Promise.resolve(started[provider]); }
    return fetch("/api/v1/orders/" + encodeURIComponent(t.orderNo) + "/payments", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ provider: provider })
    }).then(function (answer) {
      return answer.json().catch(function () { return {}; }).then(function (body) {
        if (!answer.ok) {
          var message = body && body.error && body.error.message;
          throw new Error(message || String(answer.status));
        }
        started[provider] = body;
        return body;
      });
    });
  }

  function drawQr(img, text) {
    var qr = window.qrcode(0, "M");
    qr.addData(text);
    qr.make();
    var modules = qr.getModuleCount();
    var cell = Math.max(2, Math.floor(QR_PIXELS / (modules + 8)));
    img.src = qr.createDataURL(cell, cell * 4);
    img.width = img.height = cell * (modules + 8);
  }

  function choose(which) {
    ["ecny", "card"].forEach(function (name) {
      $("choose-" + name).setAttribute("aria-expanded", String(name === which));
      $(name + "-panel").hidden = name !== which;
    });
    say("");
  }

  function failed(error, waitingId) {
    $(waitingId).hidden = true;
    say(t.failed + " " + error.message);
  }

  $("choose-ecny").addEventListener("click", function () {
    choose("ecny");
    start("ecny").then(function (payment) {
      if (typeof window.qrcode !== "function") { throw new Error("qrcode-generator"); }
      drawQr($("ecny-qr"), payment.code_url);
      $("ecny-cashier").href = payment.cashier_url;
      $("ecny-waiting").hidden = true;
      $("ecny-ready").hidden = false;
    }).catch(function (error) { failed(error, "ecny-waiting"); });
  });

  // A form may only post where the page's CSP form-action allows: this site and the
  // configured acquirer. A hosted page elsewhere is linked to instead.
  function formMayPostTo(url) {
    var origin = new URL(url, window.location.href).origin;
    return origin === window.location.origin || origin === t.cardOrigin;
  }

  $("choose-card").addEventListener("click", function () {
    choose("card");
    start("card").then(function (payment) {
      $("card-waiting").hidden = true;
      $("card-link").href = payment.cashier_url;
      if (formMayPostTo(payment.cashier_url)) {
        $("card-form").action = payment.cashier_url;
        $("card-form").hidden = false;
      } else {
        $("card-link-box").hidden = false;
      }
    }).catch(function (error) { failed(error, "card-waiting"); });
  });

  $("card-form").addEventListener("submit", function () {
    // Digits only for the acquirer; the form still goes to it, not to us.
    var number = $("card_no");
    number.value = number.value.replace(/\s+/g, "");
    var id = $("holder_id_no");
    id.value = id.value.trim().toUpperCase();
    $("card-wait").hidden = false;
  });

  document.addEventListener("order:status", function (event) {
    if (event.detail.landed) {
      $("paid-box").focus();
    }
  });
})();
