// Deciding on a draft, in the task pane (Goedkeuren) and on the phone page alike. What each
// decision posts and where the answer goes, goedkeuring.html declares (see fragmenten.js): one
// operation id per shown version, so a double tap or a retry after a lost connection sends the
// same request again and the server sends the mail once. This binds the rest: editing the draft
// before sending it, and going back to the list (showList: each page has its own).
export function bindApprovals(root, { showList }) {
  root.addEventListener("click", (event) => {
    if (event.target.closest("[data-terug-naar-lijst]")) {
      // The list replaces the decision she was on: focus its heading, not the page's body.
      Promise.resolve(showList()).then(() => {
        const heading = root.querySelector("h2");
        if (!heading) return;
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      });
      return;
    }
    const edit = event.target.closest("button[data-bewerken]");
    if (!edit) return;
    const section = edit.closest("[data-goedkeuring]");
    const text = section.querySelector("#concept-tekst");
    text.contentEditable = "true"; // from now on its HTML is sent (data-name="html")
    text.setAttribute("aria-readonly", "false");
    text.focus();
    edit.hidden = true;
    section.querySelector("[data-goedkeuren]").hidden = true;
    section.querySelector("[data-bewerkt-verzenden]").hidden = false;
  });
}
