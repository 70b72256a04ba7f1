/* Leadstream review page: labels are sent in the background and a labelled tweet leaves the queue.
   Without this script the same forms post normally and the page reloads without the tweet. */
(function () {
  "use strict";

  const list = document.getElementById("review-list");
  if (!document.body.classList.contains("review") || !list) {
    return;
  }
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function showNotice(message) {
    const notice = document.getElementById("notice");
    notice.textContent = message;
    notice.className = "notice notice-error";
    notice.hidden = false;
  }

  function leaveQueue(item) {
    item.remove();
    document.getElementById("empty-state").hidden = list.children.length > 0;
  }

  async function sendLabel(event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains("feedback")) return;
    event.preventDefault();
    const button = event.submitter;
    if (!button || !button.value) return;
    const data = new FormData(form);
    data.set("label", button.value);
    form.classList.add("is-busy");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 401) throw new Error("Your session has ended; sign in again.");
      if (!response.ok) throw new Error(answer.error || "The label was not saved (HTTP " + response.status + ").");
      leaveQueue(form.closest("li"));
    } catch (error) {
      showNotice(error.message);
      form.classList.remove("is-busy");
    }
  }

  document.addEventListener("submit", sendLabel);
})();
