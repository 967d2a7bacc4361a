// The embed tells the page that frames it how tall it is, whenever that changes, so the
// page can size the frame to it: {type: "relations-timeline:height", height, url}, and in
// WordPress's form ({message: "height", value, secret}) when WordPress gave the frame a
// secret (#?secret=… in its address). Without this file the frame keeps the size it was
// given and scrolls.
"use strict";
(function () {
  if (window.parent === window) return;
  const secret = new URLSearchParams(window.location.hash.replace(/^#\??/, "")).get("secret");
  let posted = 0;
  function postHeight() {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === posted) return;
    posted = height;
    window.parent.postMessage({ type: "relations-timeline:height", height, url: window.location.href }, "*");
    if (secret) window.parent.postMessage({ message: "height", value: height, secret }, "*");
  }
  new ResizeObserver(postHeight).observe(document.body);
  window.addEventListener("load", postHeight);
})();
