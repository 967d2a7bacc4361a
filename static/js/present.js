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

// A slide is shown whole on a wide screen: a long one is set smaller until it fits (a phone
// scrolls instead). Without this file a long slide scrolls.
const WIDE = window.matchMedia("(min-width: 48em)");

function fitSlide() {
  const slide = document.getElementById("slide");
  if (!slide) return;
  // On the root, which a swap never replaces (htmx would copy a style attribute of the old
  // slide onto the new one, and the CSP refuses that).
  const root = document.documentElement;
  let fit = 1;
  root.style.removeProperty("--fit");
  if (WIDE.matches) {
    while (root.scrollHeight > window.innerHeight && fit > 0.6) {
      fit -= 0.04;
      root.style.setProperty("--fit", fit.toFixed(2));
    }
  }
  slide.dataset.fit = fit.toFixed(2);
}

document.addEventListener("DOMContentLoaded", fitSlide);
document.addEventListener("htmx:load", (event) => {
  if (event.detail.elt.id === "slide") fitSlide();
});
window.addEventListener("resize", fitSlide);
