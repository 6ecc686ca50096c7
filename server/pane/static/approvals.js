// Deciding on a draft, in the task pane (Goedkeuren) and on the phone page alike. The server
// renders every fragment (mail content escaped, draft HTML cleaned by an allow-list); this
// script only moves fragments into place and sends what the executive decided.
//
// One operation id per shown version: a double tap, or a retry after a lost connection, sends
// the same request again and the server sends the mail once.

function problem(where, text) {
  const p = document.createElement("p");
  p.className = "melding melding-fout";
  p.setAttribute("role", "alert");
  p.textContent = text;
  where.replaceChildren(p);
}

// fetchHtml(method, path, body) -> Promise<string>; showList() reloads the queue.
export function bindApprovals(root, { fetchHtml, showList }) {
  async function show(path) {
    root.setAttribute("aria-busy", "true");
    try {
      root.innerHTML = await fetchHtml("GET", path); // server-rendered, escaped and cleaned
    } catch {
      problem(root, "De server van Secretariaat is niet bereikbaar. Probeer het opnieuw.");
    }
    root.setAttribute("aria-busy", "false");
    const heading = root.querySelector("h2, h3");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  async function decide(section, button, action, body) {
    const out = section.querySelector("#besluit-uitkomst");
    const buttons = section.querySelectorAll(".beslissen button, .afwijzen button");
    for (const b of buttons) b.disabled = true;
    let html;
    try {
      html = await fetchHtml("POST", `/pane/goedkeuren/${encodeURIComponent(section.dataset.goedkeuring)}/${action}`, body);
    } catch {
      for (const b of buttons) b.disabled = false;
      problem(out, "Geen verbinding met Secretariaat. Probeer het opnieuw: het bericht wordt hoe dan ook maar één keer verzonden.");
      return;
    }
    root.innerHTML = html; // the outcome, or the draft shown again with the refusal
    const focus = root.querySelector("[role=alert], h3, h2");
    if (focus) {
      focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  }

  root.addEventListener("click", (event) => {
    const open = event.target.closest("[data-open-goedkeuring]");
    if (open) {
      show(`/pane/goedkeuren/${encodeURIComponent(open.dataset.openGoedkeuring)}/inhoud`);
      return;
    }
    if (event.target.closest("[data-terug-naar-lijst]")) {
      showList();
      return;
    }
    const section = event.target.closest("[data-goedkeuring]");
    if (!section) return;
    const text = section.querySelector("#concept-tekst");
    const version = { operation_id: section.dataset.operatie, change_key: section.dataset.versie || null };
    const button = event.target.closest("button");
    if (!button) return;
    if (button.matches("[data-goedkeuren]")) decide(section, button, "goedkeuren", version);
    if (button.matches("[data-bewerken]")) {
      text.contentEditable = "true";
      text.setAttribute("aria-readonly", "false");
      text.focus();
      button.hidden = true;
      section.querySelector("[data-goedkeuren]").hidden = true;
      section.querySelector("[data-bewerkt-verzenden]").hidden = false;
    }
    if (button.matches("[data-bewerkt-verzenden]")) decide(section, button, "goedkeuren", { ...version, html: text.innerHTML });
    if (button.matches("[data-later]")) decide(section, button, "later", {});
    if (button.matches("[data-afwijzen]")) {
      const comment = section.querySelector("#afwijs-toelichting");
      if (!comment.value.trim()) {
        problem(section.querySelector("#besluit-uitkomst"), "Geef een toelichting voor het secretariaat.");
        comment.focus();
        return;
      }
      decide(section, button, "afwijzen", { comment: comment.value });
    }
  });
}
