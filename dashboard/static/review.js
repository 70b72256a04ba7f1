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
    const submit = window.LeadstreamFeedback.labelSubmit(event);
    if (!submit) return;
    submit.form.classList.add("is-busy");
    try {
      await window.LeadstreamFeedback.postLabel(submit.form, submit.label, csrf);
      leaveQueue(submit.form.closest("li"));
    } catch (error) {
      showNotice(error.message);
      submit.form.classList.remove("is-busy");
    }
  }

  document.addEventListener("submit", sendLabel);
})();
