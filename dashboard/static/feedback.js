/* Leadstream: sending a relevant/irrelevant label from a feedback form in the background,
   shared by the live dashboard and the review page. */
(function () {
  "use strict";

  /* The feedback form and the label chosen by a submit event, or null for other submits. */
  function labelSubmit(event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains("feedback")) return null;
    event.preventDefault();
    const button = event.submitter;
    if (!button || !button.value) return null;
    return { form: form, label: button.value };
  }

  /* The server's answer; an Error with a sentence a person can act on when it is not saved
     (with `sessionEnded` set when the sign-in has expired). */
  async function postLabel(form, label, csrf) {
    const data = new FormData(form);
    data.set("label", label);
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) {
      const ended = new Error("Your session has ended; sign in again.");
      ended.sessionEnded = true;
      throw ended;
    }
    if (!response.ok) throw new Error(answer.error || "The label was not saved (HTTP " + response.status + ").");
    return answer;
  }

  window.LeadstreamFeedback = { labelSubmit: labelSubmit, postLabel: postLabel };
})();
