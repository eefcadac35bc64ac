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

  // Alerts stored since the page opened, asked for every POLL_MS: the bar's "Alerts" link
  // counts them, and a page that shows alerts (alerts.js) is told of each.
  const pollMeta = document.querySelector('meta[name="alert-poll"]');
  const POLL_MS = Math.max(500, Number(pollMeta && pollMeta.content) || 10000);
  const alertListeners = [];
  function onAlerts(listener) { alertListeners.push(listener); }

  async function watchAlerts() {
    const badge = document.getElementById("new-alerts");
    if (!badge) return;
    let latest = null;
    let fresh = 0;
    const poll = async () => {
      try {
        const reply = await getJSON(`/alerts.json?after=${latest === null ? 2147483647 : latest}`);
        if (latest !== null && reply.alerts.length) {
          fresh += reply.alerts.length;
          badge.textContent = ` (${fresh} new)`;
          badge.hidden = false;
          for (const listener of alertListeners) listener(reply.alerts);
        }
        latest = reply.latest;
      } catch (_) {
        // the desk stopped or the session ended: try again at the next tick
      }
    };
    await poll();
    setInterval(poll, POLL_MS);
  }
  document.addEventListener("DOMContentLoaded", watchAlerts);

  return { post, getJSON, toast, typing, onAlerts };
})();
