// Keyboard control of the slideshow. Without this file the slides still work as plain links.
"use strict";

const KEYS = {
  ArrowRight: "slide-next",
  " ": "slide-next",
  PageDown: "slide-next",
  ArrowLeft: "slide-previous",
  PageUp: "slide-previous",
  Home: "slide-first",
  End: "slide-last",
  Escape: "slide-exit",
};

// While htmx fetches a slide, the latest key waits for it: a link swapped in but not yet
// processed by htmx would otherwise load a whole page (a held arrow key repeats quickly).
let busy = false;
let pending = null;

function follow(id) {
  const link = document.getElementById(id);
  if (link) link.click();
}

document.addEventListener("htmx:beforeRequest", () => { busy = true; });
document.addEventListener("htmx:load", (event) => {
  if (event.detail.elt.id !== "slide") return;
  busy = false;
  if (pending) {
    const id = pending;
    pending = null;
    follow(id);
  }
});
for (const name of ["htmx:responseError", "htmx:sendError"]) {
  document.addEventListener(name, () => { busy = false; pending = null; });
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (event.target.closest("input, select, textarea, [contenteditable]")) return;
  const id = KEYS[event.key];
  if (!id) return;
  event.preventDefault();
  if (busy && id !== "slide-exit") {
    pending = id;
  } else {
    follow(id);
  }
});
