// Progressive enhancement only: every page works without this file.
"use strict";

// Leave empty fields out of the filter URL, so that shared addresses stay short.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const parameters = event.detail.parameters;
  for (const [name, value] of Array.from(parameters.entries())) {
    if (value === "") parameters.delete(name);
  }
});

// "Show more" replaces itself with the next entries: keep the reader's place by moving focus
// to the first of them, instead of losing it to the top of the page.
let lastBeforeMore = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target.id === "more") lastBeforeMore = event.detail.target.previousElementSibling;
});
document.addEventListener("htmx:afterSettle", () => {
  const first = lastBeforeMore && lastBeforeMore.nextElementSibling;
  lastBeforeMore = null;
  if (!first) return;
  first.setAttribute("tabindex", "-1");
  first.focus();
});
