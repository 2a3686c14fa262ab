// The host's stream settings: reveal the key on focus, ask for a new one. The session
// cookie authenticates the POST (same origin only, checked by the server).
(function () {
  "use strict";
  var root = document.getElementById("stream-settings");
  if (!root) { return; }
  var key = document.getElementById("stream-key");
  var result = document.getElementById("rotate-result");
  key.addEventListener("focus", function () { key.type = "text"; key.select(); });
  key.addEventListener("blur", function () { key.type = "password"; });
  document.getElementById("rotate-key").addEventListener("click", function () {
    fetch("/api/v1/shows/" + encodeURIComponent(root.dataset.showId) + "/stream/key", {
      method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (body) {
      key.value = body.stream_key;
      result.textContent = root.dataset.tRotated;
      result.hidden = false;
    }).catch(function (error) {
      result.textContent = String(error.message);
      result.hidden = false;
    });
  });
}());
