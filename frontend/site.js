// Every page: htmx for the small interactions (follow, the "might work with"
// list). Configured for the site's Content-Security-Policy: no inline styles
// (its indicator style), no eval, no inline scripts in swapped content.
import htmx from "htmx.org";

htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
htmx.config.selfRequestsOnly = true;

// Django's CSRF token, from the hidden field of the form an element sits in
// or from the page's token holder, on every htmx request.
document.body.addEventListener("htmx:configRequest", (event) => {
  const holder =
    event.detail.elt.closest("form")?.querySelector("input[name=csrfmiddlewaretoken]") ||
    document.querySelector("[data-csrf] input[name=csrfmiddlewaretoken]");
  if (holder) event.detail.headers["X-CSRFToken"] = holder.value;
});

window.htmx = htmx;
