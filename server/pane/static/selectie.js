// Several messages at once (views/selectie_voorbeeld.html): while "Toepassen" runs, the preview
// says what is being done to how many messages; fragmenten.js sends the request (its retry,
// "Toch doorgaan" and focus rules as for every button) and puts the outcome in place.
export function bindSelection(root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-selectie-voortgang]");
    if (!button || !root.contains(button)) return;
    const progress = document.getElementById(button.dataset.selectieVoortgang);
    if (!progress) return;
    progress.hidden = false;
    // Answered without replacing the preview (a problem shown under it): the button is
    // enabled again, and the line goes.
    const watch = new MutationObserver(() => {
      if (button.disabled) return;
      progress.hidden = true;
      watch.disconnect();
    });
    watch.observe(button, { attributes: true, attributeFilter: ["disabled"] });
  });
}
