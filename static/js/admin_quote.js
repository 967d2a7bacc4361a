// A quotation's character count under its box, in the admin: "212 of 300 characters".
"use strict";

function countCharacters(box) {
  // Not the hidden row that "Add another" copies: a copy would carry a dead count.
  if (box.dataset.counted || box.closest(".empty-form")) return;
  box.dataset.counted = "true";
  const limit = Number(box.getAttribute("maxlength"));
  const count = document.createElement("span");
  count.className = "char-count";
  count.setAttribute("aria-live", "polite");
  box.insertAdjacentElement("afterend", count);
  const update = () => {
    count.textContent = `${box.value.length} of ${limit} characters`;
    count.classList.toggle("char-count--near", box.value.length > limit * 0.9);
  };
  box.addEventListener("input", update);
  update();
}

function countAll() {
  document.querySelectorAll("textarea[data-count][maxlength]").forEach(countCharacters);
}

document.addEventListener("DOMContentLoaded", countAll);
// A row added with "Add another Citation".
document.addEventListener("formset:added", countAll);
