// Runs first thing in <body> (a file, not an inline script, so a strict CSP can hold): tells the
// NHS.UK stylesheet that JavaScript is on, so it may hide conditional content until it is wanted.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
