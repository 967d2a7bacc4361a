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
