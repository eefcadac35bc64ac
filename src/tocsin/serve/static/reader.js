// tocsin desk: the article reader. Highlight toggles, jumps to a sentence by offset, and
// "add as evidence": click a sentence (or select words in it), choose a case, an indicator
// and a polarity, and the sentence's offsets are posted to /cases/{case}/evidence.
// The offsets come from the sentence element's data-start/data-end, never from the page's
// text; every string shown is set as textContent.
"use strict";

(() => {
  const text = document.getElementById("article-text");
  const reader = document.getElementById("reader");
  if (!text || !reader) return;
  const form = document.getElementById("add-evidence");
  const articleId = Number(reader.dataset.articleId);
  let chosen = null;

  // -- highlight toggles --------------------------------------------------------------
  document.querySelectorAll("#legend input[data-kind]").forEach((box) => {
    box.addEventListener("change", () => {
      text.classList.toggle(`hide-${box.dataset.kind}`, !box.checked);
    });
  });

  // -- jumps to a sentence by character offset ---------------------------------------
  function sentenceAt(offset) {
    for (const s of text.querySelectorAll(".sentence[data-start]")) {
      if (Number(s.dataset.start) <= offset && offset < Number(s.dataset.end)) return s;
    }
    return null;
  }

  function show(sentence) {
    if (!sentence) return;
    text.querySelectorAll(".sentence.target").forEach((s) => s.classList.remove("target"));
    sentence.classList.add("target");
    sentence.scrollIntoView({ block: "center" });
  }

  function followHash() {
    const found = /^#s(\d+)$/.exec(window.location.hash);
    if (found) show(document.getElementById(`s${found[1]}`) || sentenceAt(Number(found[1])));
  }
  window.addEventListener("hashchange", followHash);
  followHash();

  document.querySelectorAll("a.jump[data-offset]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const offset = Number(link.dataset.offset);
      if (document.getElementById(`s${offset}`)) return; // the browser follows the anchor
      event.preventDefault();
      show(sentenceAt(offset));
    });
  });

  // -- choosing a sentence ------------------------------------------------------------
  function sentenceOf(node) {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest(".sentence[data-start]") : null;
  }

  function choose(sentence) {
    if (!form || !sentence) return;
    text.querySelectorAll(".sentence.selected").forEach((s) => s.classList.remove("selected"));
    sentence.classList.add("selected");
    chosen = sentence;
    form.elements.start.value = sentence.dataset.start;
    form.elements.end.value = sentence.dataset.end;
    document.getElementById("chosen-sentence").textContent = sentence.textContent;
    form.hidden = false;
    loadIndicators();
  }

  function close() {
    if (!form) return;
    form.hidden = true;
    if (chosen) chosen.classList.remove("selected");
    chosen = null;
  }

  text.addEventListener("click", (event) => {
    if (event.target.closest("a")) return; // an entity's link goes to its page
    const selection = window.getSelection();
    const node = selection && !selection.isCollapsed ? selection.anchorNode : event.target;
    choose(sentenceOf(node));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && form && !form.hidden) close();
  });

  if (!form) return;
  const cancel = document.getElementById("evidence-cancel");
  if (cancel) cancel.addEventListener("click", close);
  const caseSelect = document.getElementById("evidence-case");
  const indicatorSelect = document.getElementById("evidence-indicator");
  if (!caseSelect || !indicatorSelect) return;

  // -- the case's indicators ----------------------------------------------------------
  const indicators = new Map();

  async function loadIndicators() {
    const caseId = caseSelect.value;
    if (!caseId) return;
    try {
      if (!indicators.has(caseId)) {
        indicators.set(caseId, await tocsin.getJSON(`/cases/${encodeURIComponent(caseId)}/indicators.json`));
      }
    } catch (error) {
      tocsin.toast(`Cannot read the indicators of ${caseId}: ${error.message}`, true);
      return;
    }
    if (caseSelect.value !== caseId) return; // another case was chosen meanwhile
    const keep = indicatorSelect.value;
    indicatorSelect.replaceChildren();
    for (const indicator of indicators.get(caseId)) {
      const option = document.createElement("option");
      option.value = indicator.id;
      option.textContent = `${indicator.id} — ${indicator.description}`;
      indicatorSelect.append(option);
    }
    if ([...indicatorSelect.options].some((o) => o.value === keep)) indicatorSelect.value = keep;
  }
  caseSelect.addEventListener("change", loadIndicators);

  // -- adding the evidence ------------------------------------------------------------
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = form.elements;
    const caseId = caseSelect.value;
    const data = {
      article_id: articleId,
      start: Number(fields.start.value),
      end: Number(fields.end.value),
      indicator: indicatorSelect.value,
      polarity: fields.polarity.value,
      note: fields.note.value,
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const reply = await tocsin.post(`/cases/${encodeURIComponent(caseId)}/evidence`, data);
      const line = reply && reply.summary && reply.summary.bottom_line;
      tocsin.toast(line ? `Added. ${line}` : "Added as evidence.");
      if (chosen) chosen.classList.add("linked");
      fields.note.value = "";
      close();
    } catch (error) {
      tocsin.toast(`Not added: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  });
})();
