// Toegang controleren (views/toegang.html). When the pane has opened and shown its first view,
// it asks once for the notice about her own rights (the server checks them when no check is
// younger than a day) and puts it above that view, if the view is still the one shown and the
// answer is not empty. The footer's "Toegang controleren" opens the view on demand; both go
// through fragmenten.js (token, focus, errors). No markup is built here.
export function bindAccess(main, pane, { noticeUrl, footerButton }) {
  if (footerButton) footerButton.addEventListener("click", () => pane.run(footerButton));

  return async function showNotice() {
    const shown = main.firstElementChild;
    if (!noticeUrl || !shown) return;
    let answer;
    try {
      answer = await pane.request("GET", noticeUrl);
    } catch {
      return; // no notice; the view itself reports a server that cannot be reached
    }
    if (answer.status !== 200 || !answer.isHtml || !answer.html.trim()) return;
    if (!shown.isConnected || main.getAttribute("aria-busy") === "true") return; // she moved on
    const holder = document.createElement("div");
    holder.id = "toegang-melding";
    main.prepend(holder);
    pane.swap(holder, answer.html);
  };
}
