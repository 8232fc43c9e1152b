// Starts the NHS.UK frontend components (header menu, error summary focus, conditional radios).
// Everything on the page works without this: it only improves it.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
