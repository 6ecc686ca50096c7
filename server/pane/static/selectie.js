// Several messages at once (views/selectie_voorbeeld.html): while "Toepassen" runs, the preview
// says what is being done to how many messages, and asks the server every second how many are
// done ("12 van 50 berichten klaar"); fragmenten.js sends the request (its retry, "Toch
// doorgaan" and focus rules as for every button) and puts the outcome in place.
const EVERY_MS = 1000;

export function bindSelection(root, { request, swap }) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-selectie-voortgang]");
    if (!button || !root.contains(button)) return;
    const progress = document.getElementById(button.dataset.selectieVoortgang);
    if (!progress) return;
    progress.hidden = false;
    const count = progress.querySelector("[data-voortgang-telling]");
    let asking = null;
    const ask = () => {
      asking = setTimeout(async () => {
        if (progress.hidden || !progress.isConnected) return;
        try {
          const answer = await request("GET", progress.dataset.voortgang);
          if (answer.status === 200 && answer.isHtml && count && count.isConnected && !progress.hidden) swap(count, answer.html, "inner");
        } catch {
          // the line stays as it is; the outcome comes with the apply's own answer
        }
        ask();
      }, EVERY_MS);
    };
    if (progress.dataset.voortgang && count) ask();
    // Answered without replacing the preview (a problem shown under it): the button is
    // enabled again, and the line goes.
    const watch = new MutationObserver(() => {
      if (button.disabled) return;
      progress.hidden = true;
      clearTimeout(asking);
      watch.disconnect();
    });
    watch.observe(button, { attributes: true, attributeFilter: ["disabled"] });
  });
}
