// The operator's dead-letter list: retry a failed declaration through the customs API.
(function () {
  "use strict";
  const table = document.getElementById("dead-letters");
  if (!table) return;
  table.addEventListener("click", async (event) => {
    const button = event.target.closest("button.retry");
    if (!button) return;
    button.disabled = true;
    const result = button.parentElement.querySelector(".retry-result");
    try {
      const answer = await fetch("/api/v1/customs/declarations/" + encodeURIComponent(button.dataset.id) + "/retry",
        { method: "POST", credentials: "same-origin", headers: { accept: "application/json" } });
      const body = await answer.json();
      if (answer.ok) {
        result.textContent = table.dataset.doneLabel + " (" + body.status + ")";
      } else {
        result.textContent = table.dataset.failedLabel + ": " + ((body.error && body.error.message) || answer.status);
        button.disabled = false;
      }
    } catch (err) {
      result.textContent = table.dataset.failedLabel;
      button.disabled = false;
    }
  });
})();
