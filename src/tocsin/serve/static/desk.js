// tocsin desk: what every page shares. No inline script anywhere (the policy forbids it);
// each page's own behaviour is in its own file, loaded by its template.
"use strict";

const tocsin = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // A state-changing request with the session's CSRF token; resolves to the JSON reply,
  // or throws an Error carrying the server's message.
  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(data || {}),
      credentials: "same-origin",
    });
    let body = {};
    try { body = await response.json(); } catch (_) { body = {}; }
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `${response.status}`);
    return body;
  }

  let toastTimer = null;
  function toast(message, bad) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.classList.toggle("bad", Boolean(bad));
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, bad ? 6000 : 2500);
  }

  // True when a key press belongs to a text field, not to the page's shortcuts.
  function typing(event) {
    const t = event.target;
    return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  }

  return { post, getJSON, toast, typing };
})();
