// paperpath review: reveal the answer in place and rate from the keyboard. Without this file
// the "Show answer" link reloads the page with the answer shown, and the buttons still post.
"use strict";

(() => {
  const answer = document.getElementById("answer");
  const form = document.getElementById("rate");
  if (!answer || !form) return; // nothing due
  const reveal = document.getElementById("reveal");
  const revealRow = document.getElementById("reveal-row");
  const duration = form.querySelector("input[name=duration_ms]");
  const shownAt = performance.now();
  let sent = false;

  function show() {
    if (!answer.hidden) return;
    answer.hidden = false;
    form.hidden = false;
    if (revealRow) revealRow.hidden = true;
    // Focus on Good: Enter again rates it, as in Anki; Tab reaches the other ratings.
    const good = form.querySelector("button[value=good]");
    (good || answer).focus();
  }

  if (reveal) {
    reveal.addEventListener("click", (event) => {
      event.preventDefault();
      show();
    });
  }

  form.addEventListener("submit", (event) => {
    if (sent) { event.preventDefault(); return; } // one rating per card
    sent = true;
    // Time from the card appearing to the rating: FSRS keeps it with the review.
    if (duration) duration.value = String(Math.round(performance.now() - shownAt));
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === " " || event.key === "Enter") {
      // Other buttons and links keep their own Space/Enter (Suspend, the nav).
      if (target instanceof Element && target !== reveal && target.closest("a, button, summary")) return;
      if (answer.hidden) {
        event.preventDefault();
        show();
      }
      return;
    }
    if (!answer.hidden && /^[1-4]$/.test(event.key)) {
      const button = form.querySelector(`button[data-key="${event.key}"]`);
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });
})();
