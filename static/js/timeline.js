// Progressive enhancement only: every page works without this file. With it, choosing an
// event opens it in the panel beside the axis, the axis's links swap the timeline in place,
// and the keyboard has shortcuts (Esc closes the panel; + and − zoom the focused axis).
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

function plainClick(event) {
  return !(event.defaultPrevented || event.button !== 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey);
}

// --- The event panel: ?event=<slug> opens it, and the address bar keeps it.

let focusPanelTitle = false;
let lastOpened = null; // the slug of the event whose mark or entry opened the panel

function withEvent(slug) {
  const url = new URL(window.location.href);
  url.searchParams.delete("page");
  url.searchParams.set("event", slug);
  return url.pathname + url.search;
}

function swapPanel(url, source) {
  htmx.ajax("GET", url, { source, target: "#event-panel", swap: "outerHTML", push: "true" });
}

function openEvent(slug, source) {
  lastOpened = slug;
  focusPanelTitle = true;
  swapPanel(withEvent(slug), source);
}

function openedSlug() {
  const panel = document.getElementById("event-panel");
  return panel && !panel.hidden ? panel.dataset.openEvent : null;
}

// The open event's mark and list entry stand out, or the "+N" that gathers it.
function markOpenEvent() {
  const slug = openedSlug();
  for (const element of document.querySelectorAll("#timeline .is-open")) element.classList.remove("is-open");
  if (!slug) return;
  const quoted = CSS.escape(slug);
  for (const element of document.querySelectorAll(`[data-event-slug="${quoted}"], #axis [data-gathers~="${quoted}"]`)) {
    element.classList.add("is-open");
  }
}

function visible(element) {
  return element && element.getClientRects().length > 0;
}

// Where focus goes back to when the panel closes: the event's mark, else its list entry.
function focusEvent(slug) {
  if (!slug) return;
  const selector = `[data-event-slug="${CSS.escape(slug)}"] a`;
  const mark = document.querySelector(`#axis ${selector}`);
  const entry = document.querySelector(`#results ${selector}`);
  const target = [mark, entry].find(visible);
  if (target) target.focus();
}

document.addEventListener("click", (event) => {
  if (!plainClick(event)) return;
  const link = event.target.closest("a[href]");
  if (!link) return;
  const item = link.closest("#axis [data-event-slug], #results [data-event-slug]");
  if (item && link.pathname.startsWith("/events/")) {
    event.preventDefault();
    openEvent(item.dataset.eventSlug, link);
    return;
  }
  // The panel's previous, next and close: the panel swaps in place. (Handled here rather
  // than by htmx attributes on the links: a panel swapped in a moment ago is not wired up
  // yet when a reader clicks quickly, and its link would load a whole page.)
  if (link.closest("#event-panel .panel-bar")) {
    event.preventDefault();
    swapPanel(link.getAttribute("href"), link);
    return;
  }
  // Zooming, moving, a year, a period, removing a filter: the timeline swaps in place.
  if (link.closest("#axis, #results .active-filters, #results .empty-state, #filters .clear-all") && link.pathname === "/") {
    event.preventDefault();
    htmx.ajax("GET", link.getAttribute("href"), { source: link, target: "#timeline", select: "#timeline", swap: "outerHTML", push: "true" });
  }
});

// What a swap replaces is noted on its request before the swap (an outerHTML swap detaches
// its target), so that swaps in quick succession do not mix theirs up.
document.addEventListener("htmx:beforeSwap", (event) => {
  event.detail.requestConfig.noted = {
    swapped: event.detail.target.id,
    openBefore: openedSlug(),
    scrollBefore: window.scrollY,
  };
});

document.addEventListener("htmx:afterSettle", (event) => {
  const { swapped, openBefore, scrollBefore } = event.detail.requestConfig?.noted || {};
  markOpenEvent();
  const panel = document.getElementById("event-panel");
  if (swapped === "event-panel" && panel) {
    if (!panel.hidden) {
      if (focusPanelTitle) document.getElementById("panel-title")?.focus({ preventScroll: true });
      focusPanelTitle = false;
      // Below the axis on a narrow screen: bring it into view.
      if (getComputedStyle(panel).position !== "sticky") panel.scrollIntoView({ block: "start" });
    } else {
      focusEvent(openBefore || lastOpened);
    }
  }
  if (swapped === "timeline") {
    // Swapped in place: the reader stays where they were (the browser would follow
    // whatever element it had anchored the page to), and so does the keyboard.
    window.scrollTo(window.scrollX, scrollBefore);
    const axis = document.getElementById("axis");
    if (document.activeElement === document.body && axis && !axis.hidden) axis.focus({ preventScroll: true });
  }
});

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, select, textarea, [contenteditable]")) return;
  if (event.key === "Escape" && openedSlug()) {
    event.preventDefault();
    const close = document.getElementById("panel-close");
    if (close) swapPanel(close.getAttribute("href"), close);
    return;
  }
  const zoom = { "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "−": "zoom-out" }[event.key];
  if (zoom && event.target.closest("#axis")) {
    const link = document.getElementById(zoom);
    if (link) {
      event.preventDefault();
      link.click();
    }
  }
});

// --- On a phone the filters fold behind one button.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".filters-toggle");
  if (!toggle) return;
  const form = toggle.closest("form");
  const open = !form.classList.contains("filters--open");
  form.classList.toggle("filters--open", open);
  toggle.setAttribute("aria-expanded", String(open));
});

// "Show events" on a phone folds the filters again, to show what they selected.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "filters" || !form.classList.contains("filters--open")) return;
  form.classList.remove("filters--open");
  form.querySelector(".filters-toggle")?.setAttribute("aria-expanded", "false");
});

document.addEventListener("DOMContentLoaded", markOpenEvent);

// --- "Embed this view": its page opens in a dialog over the timeline, and its code copies.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "embed-dialog-body") return;
  const dialog = document.getElementById("embed-dialog");
  if (!dialog.open) dialog.showModal();
  showCopyButtons();
});

function showCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) button.hidden = false;
}
document.addEventListener("DOMContentLoaded", showCopyButtons);

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[role=status]");
  text.select();
  try {
    await navigator.clipboard.writeText(text.value);
    status.textContent = "Copied: paste it into your page.";
  } catch {
    status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy it.";
  }
});
