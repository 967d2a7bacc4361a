// Runs before the page is drawn: marks that scripts run, so styles may fold what they unfold
// (the filters on a phone) without a flash of the unfolded page.
document.documentElement.classList.add("js");
