// tocsin desk, the review queue: a decision per key press (the legend on the page lists
// them), each POSTed and shown in place with the case's new bottom line, no reload.
// Server text reaches the page through textContent only.
"use strict";

(() => {
  const list = document.getElementById("queue");
  if (!list) return;
  const caseId = list.dataset.case;
  const showing = list.dataset.show;
  const box = document.getElementById("relink-box");
  const chooser = document.getElementById("relink-select");
  const help = document.getElementById("help");
  let current = null;
  let busy = false;
  // The decisions made on this page, newest last, each with what it replaced: u undoes.
  const done = [];

  const items = () => Array.from(list.querySelectorAll("li.item"));
  const url = (item) =>
    `/cases/${encodeURIComponent(caseId)}/links/${encodeURIComponent(item.dataset.linkId)}/decision`;

  function select(item, focus) {
    if (!item) return;
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = item;
    item.classList.add("current");
    item.setAttribute("aria-current", "true");
    if (focus !== false) item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = items();
    if (!all.length) return;
    const at = current ? all.indexOf(current) : -1;
    select(all[Math.min(all.length - 1, Math.max(0, at + step))]);
  }

  // After a decision: the next link still pending (below, then from the top), or simply
  // the next one when the page lists decided links.
  function advance(from) {
    const all = items();
    const at = all.indexOf(from);
    if (showing === "decided") {
      move(1);
      return;
    }
    const pending = (it) => !it.dataset.decision;
    const next = all.slice(at + 1).find(pending) || all.slice(0, at).find(pending);
    if (next) select(next);
  }

  function setText(root, selector, text) {
    const found = root.querySelector(selector);
    if (found) found.textContent = text;
    return found;
  }

  function when(stamp) {
    return stamp ? ` at ${stamp.slice(0, 16).replace("T", " ")}` : "";
  }

  // The item as the reply says the link now stands.
  function update(item, link) {
    const force = link.in_force;
    item.dataset.decision = link.decision || "";
    item.dataset.polarity = force.polarity;
    item.dataset.indicator = force.indicator;
    item.classList.toggle("decided", Boolean(link.decision));
    item.classList.toggle("uncounted", !force.counted);
    setText(item, ".ind-id", force.indicator);
    setText(item, ".ind-desc", force.description);
    const badge = setText(item, ".polarity", force.polarity);
    if (badge) {
      badge.classList.toggle("seen", force.polarity === "seen");
      badge.classList.toggle("negated", force.polarity === "negated");
    }
    setText(item, ".state", link.state);
    setText(item, ".decided-by", link.decision ? `${link.state} by ${link.analyst}${when(link.decided_at)}` : "");
    setText(item, ".note-text", link.note ? `Note: ${link.note}` : "");
    const verdicts = item.querySelector(".verdicts");
    if (verdicts) {
      verdicts.replaceChildren(document.createTextNode("Analysts differ: "));
      for (const [name, verdict] of link.verdicts) {
        const chip = document.createElement("span");
        chip.className = "verdict-chip";
        chip.textContent = `${name}: ${verdict}`;
        verdicts.append(chip);
      }
      verdicts.classList.toggle("disagree", link.disagree);
      verdicts.hidden = !link.disagree;
    }
  }

  // The bottom line and the posterior from a reply's summary.
  function summarise(summary, pending) {
    setText(document, "#bottom-sentence", summary.bottom_line);
    for (const row of document.querySelectorAll("#hypotheses tr[data-hypothesis]")) {
      const h = row.dataset.hypothesis;
      setText(row, ".posterior", summary.posterior_text[h] || "–");
      row.classList.toggle("leader", h === summary.leader);
    }
    if (typeof pending === "number") setText(document, "#pending-count", String(pending));
  }

  // Each link's impact as the reply says it is now (none: the link counts no more).
  function reimpact(impacts, leader) {
    for (const item of items()) {
      const badge = item.querySelector(".impact");
      if (!badge) continue;
      const impact = impacts[item.id] || 0;
      const points = -100 * impact;
      badge.dataset.impact = String(impact);
      badge.textContent = `${leader} ${points >= 0 ? "+" : ""}${points.toFixed(1)} pts if rejected`;
      badge.title = `How far rejecting it would move ${leader}'s probability`;
      badge.classList.toggle("down", impact > 0);
      badge.classList.toggle("up", impact < 0);
      badge.classList.toggle("muted", impact === 0);
    }
  }

  // What the item stands at now, as the decision that would restore it.
  function standing(item) {
    const d = item.dataset;
    const note = item.querySelector(".note-text");
    const kept = note ? note.textContent.replace(/^Note: /, "") : "";
    if (!d.decision) return { decision: "withdraw" };
    if (d.decision === "relink") {
      return { decision: "relink", new_indicator: d.indicator, polarity: d.polarity, note: kept };
    }
    if (d.decision === "accept") return { decision: "accept", polarity: d.polarity, note: kept };
    return { decision: d.decision, note: kept };
  }

  async function decide(item, data, next, undoing) {
    if (!item || busy) return;
    const note = item.querySelector("input.note");
    const body = undoing ? data : Object.assign({}, data, { note: note ? note.value : "" });
    const before = standing(item);
    busy = true;
    item.classList.add("busy");
    try {
      const reply = await tocsin.post(url(item), body);
      if (!undoing) done.push({ item, before });
      update(item, reply.link);
      summarise(reply.summary, reply.pending);
      if (reply.impacts) reimpact(reply.impacts, reply.summary.leader);
      tocsin.toast(`${reply.link.label}: ${reply.link.state}. ${reply.summary.bottom_line}`);
      if (next) advance(item);
    } catch (error) {
      tocsin.toast(error.message, true);
    } finally {
      busy = false;
      item.classList.remove("busy");
    }
  }

  // Undo the newest decision made on this page: the link goes back as it stood before.
  function undo() {
    const last = done.pop();
    if (!last) {
      tocsin.toast("Nothing to undo on this page.");
      return;
    }
    select(last.item);
    decide(last.item, last.before, false, true);
  }

  function flip(item) {
    decide(item, { decision: "flip" }, true);
  }

  // A note alone is kept on a decided link; on a pending one it waits for the decision.
  function saveNote(item) {
    if (!item) return;
    if (!item.dataset.decision) {
      tocsin.toast("The note goes with your decision: press a, r, f or l.");
      select(item);
      return;
    }
    decide(item, {}, false).then(() => select(item));
  }

  function openRelink(item) {
    if (!item || !box || !chooser) return;
    item.append(box);
    box.hidden = false;
    chooser.value = item.dataset.indicator;
    chooser.focus();
  }

  function closeRelink() {
    if (!box || box.hidden) return;
    box.hidden = true;
    if (current) select(current);
  }

  function confirmRelink() {
    const item = box.closest("li.item");
    const target = chooser.value;
    closeRelink();
    if (item && target) decide(item, { decision: "relink", new_indicator: target }, true);
  }

  function focusNote(item) {
    const field = item && item.querySelector("input.note");
    if (field) field.focus();
  }

  const keys = {
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    a: () => decide(current, { decision: "accept" }, true),
    r: () => decide(current, { decision: "reject" }, true),
    f: () => flip(current),
    l: () => openRelink(current),
    e: () => openRelink(current),
    n: () => focusNote(current),
    u: () => undo(),
    o: () => {
      const link = current && current.querySelector("a.article");
      if (link) window.location.assign(link.href);
    },
    "?": () => { if (help) help.hidden = !help.hidden; },
    Escape: () => { if (help) help.hidden = true; },
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || tocsin.typing(event)) return;
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  list.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches("input.note")) {
      if (event.key === "Enter") {
        event.preventDefault();
        saveNote(target.closest("li.item"));
      } else if (event.key === "Escape") {
        event.preventDefault();
        select(target.closest("li.item"));
      }
    } else if (target === chooser) {
      if (event.key === "Enter") {
        event.preventDefault();
        confirmRelink();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeRelink();
      }
    }
  });

  list.addEventListener("click", (event) => {
    const item = event.target.closest("li.item");
    if (!item) return;
    const control = event.target.closest("button, input, select, a");
    if (item !== current) select(item, !control);
    const relink = event.target.closest("[data-relink]");
    if (relink) {
      if (relink.dataset.relink === "confirm") confirmRelink();
      else closeRelink();
      return;
    }
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "relink") openRelink(item);
    else if (action === "flip") flip(item);
    else decide(item, { decision: action }, true);
  });

  const first = items().find((it) => !it.dataset.decision) || items()[0];
  if (first) select(first);
})();
