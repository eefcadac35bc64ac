// tocsin desk: the case editor (pages/editor.py). Ctrl+S (or Cmd+S) saves; a fault's
// "line N" puts the cursor on that line of the text; the line and column under the cursor
// are shown below the text; leaving with unsaved changes asks first. (Tab is left to move
// between fields, so the page stays usable from the keyboard.) The versions page: choosing a version to compare with shows that diff.
"use strict";

(() => {
  const text = document.getElementById("case-text");
  const form = document.getElementById("editor");

  // Where line ``line`` (1-based) of ``value`` starts; the end when it has fewer lines.
  function lineStart(value, line) {
    let at = 0;
    for (let n = 1; n < line; n += 1) {
      const next = value.indexOf("\n", at);
      if (next === -1) return value.length;
      at = next + 1;
    }
    return at;
  }

  function goToLine(line) {
    const start = lineStart(text.value, line);
    const end = text.value.indexOf("\n", start);
    text.focus();
    text.setSelectionRange(start, end === -1 ? text.value.length : end);
    const height = text.scrollHeight / Math.max(1, text.value.split("\n").length);
    text.scrollTop = Math.max(0, (line - 5) * height);
    showCursor();
  }

  function showCursor() {
    const out = document.getElementById("cursor-at");
    if (!out) return;
    const before = text.value.slice(0, text.selectionStart);
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    out.textContent = `line ${line}, column ${column}`;
  }

  if (text && form) {
    let saved = text.value;
    let submitting = false;
    form.addEventListener("submit", () => { submitting = true; });
    window.addEventListener("beforeunload", (event) => {
      if (!submitting && text.value !== saved) { event.preventDefault(); event.returnValue = ""; }
    });
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        submitting = true;
        form.requestSubmit();
      }
    });
    ["keyup", "click", "select"].forEach((kind) => text.addEventListener(kind, showCursor));
    document.querySelectorAll("#faults a[data-line]").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        goToLine(Number(link.dataset.line));
      });
    });
    saved = text.value;
  }

  const against = document.getElementById("against");
  if (against && against.form) against.addEventListener("change", () => against.form.requestSubmit());
})();
