// The merchant desk's webhook form: registers an endpoint through the webhooks API and shows
// its signing secret once (the API never answers it again).
(function () {
  "use strict";
  const form = document.getElementById("webhook-form");
  const section = document.getElementById("webhooks");
  if (!form || !section) return;
  const result = document.getElementById("webhook-result");
  section.addEventListener("click", async (event) => {
    const button = event.target.closest("button.remove-webhook");
    if (!button) return;
    button.disabled = true;
    const answer = await fetch("/api/v1/exhibitors/" + encodeURIComponent(section.dataset.exhibitor) +
      "/webhooks/" + encodeURIComponent(button.dataset.id), { method: "DELETE", credentials: "same-origin" });
    if (answer.ok) {
      button.closest("li").remove();
    } else {
      button.disabled = false;
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = Array.from(form.querySelectorAll("input[name=events]:checked")).map((i) => i.value);
    const url = form.querySelector("input[name=url]").value;
    result.hidden = false;
    try {
      const answer = await fetch("/api/v1/exhibitors/" + encodeURIComponent(section.dataset.exhibitor) + "/webhooks", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ url: url, events: events }),
      });
      const body = await answer.json();
      if (answer.ok) {
        result.textContent = result.dataset.secretLabel + " " + body.secret;
      } else {
        result.textContent = (body.error && body.error.message) || String(answer.status);
      }
    } catch (err) {
      result.textContent = String(err);
    }
  });
})();
