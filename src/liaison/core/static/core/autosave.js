// Saves a long form as a draft in the background (the needs assessment: forms marked data-autosave).
//
// A few seconds after the last change, and when the tab is hidden or closed, it posts the whole form
// with action=autosave; the server saves the draft exactly as "Save as draft" would and answers with
// the draft's new version, which goes into the form so the next save is not a conflict. It never
// shows errors itself: if the server cannot save (an answer to correct, someone else's save, the
// network), it says so and leaves the buttons to do the rest. Without JavaScript, "Save as draft"
// does the same job.
const form = document.querySelector("form[data-autosave]");
const status = document.getElementById("autosave-status");

if (form && status && window.fetch && window.FormData) {
  const DELAY = 8000;
  // getAttribute: the form's buttons are named "action", which hides the form.action property.
  const url = form.getAttribute("action");
  const version = form.querySelector("input[name=version]");
  let timer = null;
  let dirty = false;
  let stopped = false;
  let inFlight = false;
  let waiting = null; // the button pressed while a background save was on its way

  const say = (text) => {
    status.textContent = text;
  };

  const body = () => {
    const data = new FormData(form);
    data.set("action", "autosave");
    return data;
  };

  const save = async ({ leaving = false } = {}) => {
    if (!dirty || stopped || inFlight) return;
    dirty = false;
    inFlight = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        redirect: "manual",
        keepalive: leaving,
        headers: { Accept: "application/json" },
      });
      const answer = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
      if (response.ok && answer && answer.saved) {
        version.value = String(answer.version);
        say(`Draft saved automatically at ${answer.saved_at}.`);
      } else if (response.status === 409) {
        stopped = true;
        say("Not saved automatically: someone else has saved this assessment. Use Save as draft to see why.");
      } else if (response.status === 400) {
        say("Not saved automatically: an answer needs correcting. Use Save as draft to see which.");
      } else {
        dirty = true;
        say("Not saved automatically. Use Save as draft before you leave this page.");
      }
    } catch {
      dirty = true;
      say("Not saved automatically. Use Save as draft before you leave this page.");
    } finally {
      inFlight = false;
      if (waiting) {
        // Send what the user asked for now, with the version the background save left.
        const button = waiting;
        waiting = null;
        form.requestSubmit(button);
      }
    }
  };

  const changed = () => {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  };

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // The buttons post the form themselves: no background save may race them.
  form.addEventListener("submit", (event) => {
    window.clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      waiting = event.submitter || form.querySelector("button[type=submit]");
      return;
    }
    stopped = true;
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ leaving: true });
  });
}
