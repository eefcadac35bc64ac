// tocsin desk, the alerts page: alerts that arrive while it is open are added at the top
// (desk.js asks the desk for them). Server text reaches the page through textContent only.
"use strict";

(() => {
  const list = document.getElementById("alerts");
  if (!list) return;
  const only = list.dataset.case;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function item(alert) {
    const li = el("li", `alert kind-${alert.kind} fresh`);
    li.dataset.alert = String(alert.id);
    const head = el("div", "alert-head");
    head.append(el("span", "badge kind", alert.kind), " ", el("strong", "alert-title", alert.title));
    const meta = el("p", "meta");
    const link = el("a", "", alert.case);
    link.href = `/cases/${encodeURIComponent(alert.case)}`;
    meta.append(link, ` · rule ${alert.rule} · fired ${alert.fired_at.slice(0, 19).replace("T", " ")}`);
    if (alert.as_of) meta.append(` · evidence to ${alert.as_of}`);
    li.append(head, meta, el("p", "alert-detail", alert.detail));
    if (alert.evidence.length) {
      const ul = el("ul", "alert-evidence");
      for (const e of alert.evidence) {
        const row = el("li");
        const bits = [e.id, e.source, e.outlet, e.published, e.reliability && `grade ${e.reliability}`];
        row.append(el("q", "", e.text), " ", el("span", "meta", bits.filter(Boolean).join(" · ")));
        if (e.url && /^https?:\/\//i.test(e.url)) {  // web links only: no javascript: trap
          const source = el("a", "source-link", "the article");
          source.href = e.url;
          source.rel = "noopener noreferrer";
          source.target = "_blank";
          row.append(" ", source);
        }
        ul.append(row);
      }
      li.append(ul);
    }
    return li;
  }

  tocsin.onAlerts((alerts) => {
    const mine = alerts.filter((a) => !only || a.case === only);
    for (const alert of mine) list.prepend(item(alert));
    if (mine.length) {
      const none = document.getElementById("no-alerts");
      if (none) none.hidden = true;
      tocsin.toast(`${mine.length} new alert${mine.length > 1 ? "s" : ""}: ${mine[mine.length - 1].title}`);
    }
  });
})();
