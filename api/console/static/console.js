// Otklik console: copy to clipboard and confirm dialogs. No inline scripts (the CSP forbids them).
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const text = source.value !== undefined ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // http on a non-localhost host: no async clipboard; fall back to selecting the text
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = button.dataset.done;
  setTimeout(() => { button.textContent = label; }, 1500);
});

document.addEventListener("submit", (event) => {
  const asking = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const question = asking.dataset ? asking.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
