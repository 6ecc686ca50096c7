// Laatste acties (views/laatste_acties.html): Bericht includes an empty shell of the section;
// this asks the server for the list as soon as the shell appears (a new selection, a reload),
// and again after any outcome shown elsewhere in the pane (a quick step, an undo), by clicking
// the section's own hidden refresh button so the request goes through fragmenten.js (token,
// ticket, swap). The live events redraw it too (data-live). No markup is built here.
const main = document.getElementById("inhoud");

function refresh() {
  const button = main && main.querySelector("#laatste-acties [data-laatste-acties-verversen]");
  if (button && !button.disabled) button.click();
}

// An outcome of the section's own (its undo, or its notice kept through a live redraw) is no
// reason to ask again: that answer would wipe the outcome she is reading.
function outcomeOutside(mutation) {
  if (mutation.target.closest && mutation.target.closest("#laatste-acties")) return false;
  const outside = (el) => !el.closest("#laatste-acties");
  return [...mutation.addedNodes].some(
    (n) =>
      n.nodeType === Node.ELEMENT_NODE &&
      ((n.matches(".uitkomst") && outside(n)) || [...n.querySelectorAll(".uitkomst")].some(outside)),
  );
}

if (main) {
  new MutationObserver((mutations) => {
    const shell = main.querySelector("#laatste-acties[data-laden]");
    if (shell) {
      shell.removeAttribute("data-laden"); // asked once
      refresh();
    } else if (mutations.some(outcomeOutside)) refresh();
  }).observe(main, { childList: true, subtree: true });
}
