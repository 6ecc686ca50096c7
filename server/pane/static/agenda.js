// Agenda leegmaken (leegmaken_voorbeeld.html): a tick asks the preview again with what was
// flipped against the rules; the button clears, showing the server's progress while it runs;
// "Afmaken" sends the same clear again (its operation id keeps what was done from happening
// twice). Where each goes, the template says; the window buttons and Herplannen are declared.
import { errorBox } from "./fout.js";

// Flipped against the rules: ticked differently from how it came, or flipped before.
function toggledIn(section) {
  return [...section.querySelectorAll("input[data-item]")]
    .filter((cb) => (cb.checked !== cb.defaultChecked) !== cb.hasAttribute("data-omgezet"))
    .map((cb) => cb.dataset.item);
}

export function bindAgenda(root, pane) {
  let last = null; // the last clear, for "Afmaken" after a lost connection or a partial result

  // The click plans the clear and a worker carries it out: the answer is the progress, and
  // the pane follows it until the report is final (or the pane moved on).
  async function clear({ url, progressUrl, values }) {
    const out = document.getElementById("leegmaken-uitkomst");
    last = { url, progressUrl, values };
    const progress = document.createElement("div");
    progress.setAttribute("aria-live", "polite");
    out.replaceChildren(progress);
    let answer = null;
    try {
      answer = await pane.request("POST", url, values);
    } catch {
      answer = null;
    }
    while (answer && answer.isHtml && running(answer.html)) {
      pane.swap(progress, answer.html);
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (!progress.isConnected) return;
      try {
        answer = await pane.request("GET", progressUrl);
      } catch {
        answer = { isHtml: true, html: progress.innerHTML }; // a blip: ask again
      }
    }
    if (!answer) {
      const message = "Geen verbinding met Secretariaat. Klik opnieuw op Afmaken: wat al gedaan is, gebeurt niet nog eens.";
      const again = document.createElement("button");
      again.type = "button";
      again.className = "knop";
      again.dataset.leegmakenOpnieuw = "";
      again.textContent = "Afmaken";
      out.replaceChildren(errorBox({ title: "Geen verbinding", message }), again);
      return;
    }
    pane.settle(pane.swap(out, answer.html));
  }

  // A report still under way (or not yet planned) says so; a final one or an error does not.
  function running(html) {
    return html.includes('data-testid="voortgang"');
  }

  root.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-item]");
    const section = box && box.closest("[data-voorbeeld]");
    if (section) pane.run(box, { toggled: toggledIn(section) }, { method: "POST", url: section.dataset.voorbeeld });
  });

  root.addEventListener("click", (event) => {
    const start = event.target.closest("button[data-leegmaken]");
    if (start) {
      const section = start.closest("[data-voorbeeld]");
      start.disabled = true;
      const values = { ...pane.values(start), toggled: toggledIn(section) };
      clear({ url: start.dataset.leegmaken, progressUrl: start.dataset.voortgang, values });
    }
    if (event.target.closest("button[data-leegmaken-opnieuw]") && last) clear(last);
  });
}
