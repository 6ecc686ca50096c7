// The one error box, for the pane and the phone page alike. Its markup is the server's error
// partial (error.html), which the page carries empty in <template id="fout-sjabloon">; this
// fills it with text (never HTML) when the server could not answer at all.
//
// showError(place, { title, message, requestId, retry }) replaces what is in `place`;
// errorBox(...) only makes the box, for a caller that puts it somewhere itself.

let made = 0;

export function errorBox({ title = "", message, requestId = "", retry = false }) {
  const box = document.getElementById("fout-sjabloon").content.firstElementChild.cloneNode(true);
  const heading = box.querySelector("[data-fout-titel]");
  if (title) {
    heading.id = `fout-${++made}`; // more than one box can be on the page
    heading.textContent = title;
    box.setAttribute("aria-labelledby", heading.id);
  } else {
    heading.remove();
    box.removeAttribute("aria-labelledby");
  }
  box.querySelector("[data-fout-tekst]").textContent = message;
  const reference = box.querySelector("[data-fout-kenmerk]");
  if (requestId) reference.querySelector("code").textContent = requestId;
  else reference.remove();
  if (!retry) box.querySelector("[data-action='opnieuw']").remove();
  return box;
}

export function showError(place, problem) {
  const box = errorBox(problem);
  place.replaceChildren(box);
  place.setAttribute("aria-busy", "false");
  return box;
}

// What a failed fetch means for the user: no connection, or sign-in did not work.
export function failure(error, offline = "De server van Secretariaat is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.") {
  if (error instanceof TypeError) return { title: "Geen verbinding", message: offline };
  return {
    title: "Aanmelden is niet gelukt",
    message: "Secretariaat kon u niet aanmelden. Probeer het opnieuw; lukt het niet, meld dan het kenmerk hieronder.",
    requestId: String((error && (error.errorCode || error.message)) || error),
  };
}
