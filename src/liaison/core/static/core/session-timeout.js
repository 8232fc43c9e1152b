// The warning before a signed-in session ends (core/includes/session_timeout.html).
//
// The server ends a session after 15 minutes without a request and 12 hours after signing in; this
// only warns first. Two minutes before, it asks the server how long is really left (GET /session,
// which does not count as activity, so another tab's work is seen), then opens an alert dialog.
// "Stay signed in" posts to /session, which restarts the idle clock without reloading the page, so
// anything typed into a form stays where it is. Without JavaScript none of this runs and the server's
// limits hold all the same.
const dialog = document.getElementById("session-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const url = dialog.dataset.clockUrl;
  const warning = Number(dialog.dataset.warningSeconds) * 1000;
  const title = document.getElementById("session-timeout-title");
  const status = document.getElementById("session-timeout-status");
  const stay = dialog.querySelector("[data-action=stay]");
  const close = dialog.querySelector("[data-action=close]");
  const signedInTitle = title.textContent;
  let idleDeadline = 0;
  let absoluteDeadline = 0;
  let state = "quiet"; // quiet, checking, idle, absolute or ended

  const setClock = (idleSecondsLeft, absoluteSecondsLeft) => {
    idleDeadline = Date.now() + idleSecondsLeft * 1000;
    absoluteDeadline = Date.now() + absoluteSecondsLeft * 1000;
  };
  setClock(Number(dialog.dataset.idleSecondsLeft), Number(dialog.dataset.absoluteSecondsLeft));

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // The clock as the server sees it, or null when the session has already ended.
  const ask = async (method) => {
    try {
      const response = await fetch(url, {
        method,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      if (!response.ok) return null;
      const clock = await response.json();
      setClock(clock.idle_seconds_left, clock.absolute_seconds_left);
      return clock;
    } catch {
      return null;
    }
  };

  const words = (milliseconds) => {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    if (seconds > 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minutes`;
    }
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  };

  const show = (next) => {
    state = next;
    for (const element of dialog.querySelectorAll("[data-when]")) {
      element.hidden = !element.dataset.when.split(" ").includes(next);
    }
    title.textContent = next === "ended" ? title.dataset.endedText : signedInTitle;
    if (!dialog.open) dialog.showModal();
  };

  const end = () => {
    show("ended");
    status.textContent = "You have been signed out.";
  };

  const remaining = () => Math.min(idleDeadline, absoluteDeadline) - Date.now();

  const tick = async () => {
    if (state === "checking" || state === "ended") return;
    let left = remaining();
    if (state === "quiet" && left > warning) return;
    if (state === "quiet" || left <= 0) {
      // Ask the server before saying anything: another tab may have kept the session alive.
      const before = state;
      state = "checking";
      if ((await ask("GET")) === null) {
        end();
        return;
      }
      state = before;
      left = remaining();
      if (left > warning) {
        state = "quiet";
        if (dialog.open) dialog.close();
        return;
      }
      if (left <= 0) {
        end();
        return;
      }
      if (state === "quiet") show(absoluteDeadline <= idleDeadline ? "absolute" : "idle");
    }
    for (const element of dialog.querySelectorAll(".liaison-timeout__left")) {
      element.textContent = words(left);
    }
  };

  const staySignedIn = async () => {
    if ((await ask("POST")) === null) {
      end();
      return;
    }
    state = "quiet";
    dialog.close();
    status.textContent = "You are still signed in.";
  };

  stay.addEventListener("click", staySignedIn);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("cancel", (event) => {
    // Escape while the session can be kept means "stay"; otherwise it just closes the message.
    if (state === "idle") {
      event.preventDefault();
      staySignedIn();
    }
  });
  // The page's own htmx requests count as activity on the server.
  document.body.addEventListener("htmx:afterRequest", () => {
    if (state === "quiet") idleDeadline = Date.now() + Number(dialog.dataset.idleSeconds) * 1000;
  });
  window.setInterval(tick, 1000);
}
