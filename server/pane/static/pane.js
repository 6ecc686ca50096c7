// The task pane: find out where Outlook has us (which mailbox, which item), get a token, and
// show the chosen pane's content as the server renders it. What a button in that content asks,
// and where the answer goes, its template declares (see fragmenten.js); the few features with
// more to do bind their own part (approvals.js, agenda.js, vergadermap.js). The server escapes
// everything that comes from mail; no script here builds markup from data.
//
// Every selection change takes a new ticket; whatever finishes for an older ticket is dropped, so
// the pane always shows the item Outlook has selected now, whatever order answers arrive in.
import { bindAgenda } from "./agenda.js";
import { bindApprovals } from "./approvals.js";
import { dropToken, getToken } from "./auth.js";
import { failure, showError } from "./fout.js";
import { bindShortcuts, fragments } from "./fragmenten.js";
import { bindAccess } from "./toegang.js";
import { follower } from "./live.js";
import { bindOutlookLinks, describe, where } from "./outlook.js";
import { bindSelection } from "./selectie.js";
import { bindMeetingFolder } from "./vergadermap.js";
import { bindYamlEditors } from "./yaml-editor.js";
import "./laatste-acties.js";

const config = JSON.parse(document.getElementById("pane-config").textContent);
const urls = document.body.dataset; // urlMe, urlEvents, urlDialog, urlToegang: beside their routes
const auth = { ...config, dialogUrl: urls.urlDialog };
const main = document.getElementById("inhoud");
const contextLine = document.getElementById("context");
const nav = document.querySelector("nav.tabs");
const tabRow = nav.querySelector(".tab-rij");
const tabs = [...tabRow.querySelectorAll("a[data-view]")]; // in their order
const more = nav.querySelector(".tab-meer");
const moreButton = more.querySelector("button");
const moreMenu = more.querySelector(".tab-menu");
const state = {
  chosen: config.view, // the tab the user picked (Bericht stays chosen across appointments)
  where: null, // the selection the content belongs to
  ticket: 0,
};

const follow = follower({
  url: urls.urlEvents,
  token: (again) => {
    if (again) dropToken(); // the stream's token expired or was refused: a fresh one
    return getToken(auth);
  },
  watching: () => main.querySelector("[data-live]"),
  changed: () => pane.live(),
});

const pane = fragments(main, {
  token: (again) => {
    if (again) dropToken(); // expired or revoked: sign in again once
    return getToken(auth);
  },
  selection: () => {
    const w = state.where || {};
    const messages = w.selection && w.selection.length > 1 ? w.selection.map((s) => s.id) : w.itemId ? [w.itemId] : [];
    return { mailbox: w.mailbox, message: w.itemId, item: w.itemId, type: w.itemType, messages };
  },
  ticket: () => state.ticket,
  swapped: () => {
    follow(); // a part that follows the queue may have appeared
    fillIn();
  },
});

// Parts that fill themselves in after the answer that brought them (data-vul="url": the team
// table's Postverwerking counts, a Graph read the Werkvoorraad does not wait for).
function fillIn() {
  for (const el of main.querySelectorAll("[data-vul]:not([data-gevuld])")) {
    el.dataset.gevuld = "";
    pane
      .request("GET", el.dataset.vul)
      .then((answer) => {
        if (answer.status === 200 && answer.isHtml && el.isConnected) pane.swap(el, answer.html);
      })
      .catch(() => {}); // stays as it is; the next redraw asks again
  }
}

function setBusy(busy) {
  main.setAttribute("aria-busy", busy ? "true" : "false");
}

function showProblem(problem) {
  showError(main, { ...problem, retry: true });
}

// The pane shown for a selection: an appointment opens Agenda even when Bericht is chosen;
// with nothing selected (Outlook opened us on an empty mailbox), a view about an item gives way.
function viewFor(w) {
  const tab = nav.querySelector(`a[data-view="${state.chosen}"]`);
  if (!w.itemType && tab && tab.hasAttribute("data-item")) return config.noItemView;
  return w.itemType === "appointment" && state.chosen === "bericht" ? "agenda" : state.chosen;
}

function markItemTabs(w) {
  for (const a of nav.querySelectorAll("a[data-item]")) a.hidden = !w.itemType;
  fitTabs();
}

function markTab(view) {
  for (const a of nav.querySelectorAll("a[data-view]")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  fitTabs();
}

// The tabs on one line: those that do not fit go, from the end, into "Meer"; the chosen tab
// always stays on the line.
function fitTabs() {
  const focused = document.activeElement;
  tabRow.append(...tabs);
  more.hidden = true;
  if (tabRow.scrollWidth > tabRow.clientWidth) {
    more.hidden = false;
    const movable = tabs.filter((a) => !a.hidden && !a.hasAttribute("aria-current")).reverse();
    for (const a of movable) {
      if (tabRow.scrollWidth <= tabRow.clientWidth) break;
      moreMenu.prepend(a);
    }
  }
  if (more.hidden) showMenu(false);
  if (focused && focused !== document.activeElement && nav.contains(focused) && !focused.closest("[hidden]")) focused.focus();
}

function showMenu(open) {
  moreMenu.hidden = !open;
  moreButton.setAttribute("aria-expanded", String(open));
}

async function load(ticket, w) {
  const view = viewFor(w);
  markTab(view);
  setBusy(true);
  main.replaceChildren(pane.loading());
  const tab = [...nav.querySelectorAll("a[data-view]")].find((a) => a.dataset.view === view);
  let answer;
  try {
    // Several messages selected: Bericht shows them together (POSTed: up to 100 ids).
    const several = view === "bericht" && w.selection && w.selection.length > 1;
    answer = several
      ? await pane.request("POST", tab.dataset.inhoud, { mailbox: w.mailbox, messages: w.selection })
      : await pane.request("GET", tab.dataset.inhoud, { mailbox: w.mailbox, item: w.itemId, type: w.itemType });
  } catch (error) {
    if (ticket === state.ticket) showProblem(failure(error));
    return;
  }
  if (ticket !== state.ticket) return; // a newer selection won
  if (!answer.isHtml) {
    const message = `De server gaf geen pagina terug (status ${answer.status}).`;
    showProblem({ title: "Onverwacht antwoord", message, requestId: answer.requestId });
    return;
  }
  pane.swap(main, answer.html);
  if (w.note) {
    const note = document.createElement("p");
    note.className = "melding";
    note.setAttribute("role", "status");
    note.textContent = w.note;
    main.prepend(note);
  }
  main.dataset.status = String(answer.status);
  setBusy(false);
}

// Outlook selected another item (or we just opened): read where we are, then load.
async function refresh() {
  const ticket = ++state.ticket;
  setBusy(true);
  main.replaceChildren(pane.loading());
  let w;
  try {
    w = await where();
  } catch {
    if (ticket !== state.ticket) return;
    showProblem({ title: "Outlook gaf geen gegevens", message: "Het gekozen item kon niet worden gelezen. Kies het opnieuw." });
    return;
  }
  if (ticket !== state.ticket) return;
  state.where = w;
  markItemTabs(w);
  contextLine.textContent = describe(w);
  await load(ticket, w);
}

async function showAdminTabs() {
  let role = "onbekend";
  try {
    const token = await getToken(auth);
    const response = await fetch(urls.urlMe, { headers: { Authorization: `Bearer ${token}` } });
    if (response.ok) role = (await response.json()).role || "geen";
  } catch {
    // The tab stays hidden; the pane itself reports sign-in problems.
  }
  for (const a of nav.querySelectorAll("a[data-admin]")) a.hidden = role !== "admin";
  fitTabs();
  nav.dataset.rol = role; // tests and styles can tell the check has run
}

moreButton.addEventListener("click", () => {
  const open = moreMenu.hidden;
  showMenu(open);
  if (open) moreMenu.querySelector("a:not([hidden])")?.focus();
});
nav.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || moreMenu.hidden) return;
  showMenu(false);
  moreButton.focus();
});
document.addEventListener("click", (event) => {
  if (!moreMenu.hidden && !more.contains(event.target)) showMenu(false);
});
nav.addEventListener("focusout", (event) => {
  if (!moreMenu.hidden && !more.contains(event.relatedTarget)) showMenu(false);
});
new ResizeObserver(() => fitTabs()).observe(nav);

nav.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-view]");
  if (!link) return;
  event.preventDefault();
  showMenu(false);
  if (!state.where) return; // still finding out where we are; refresh() will load
  state.chosen = link.dataset.view;
  history.replaceState(null, "", link.href);
  load(++state.ticket, state.where).then(() => main.focus());
});

main.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='opnieuw']")) refresh();
});

bindApprovals(main, { showList: () => state.where && load(++state.ticket, state.where) });
bindAgenda(main, pane);
bindMeetingFolder(main);
bindOutlookLinks(main);
bindShortcuts(main);
bindYamlEditors(main);
bindSelection(main, pane);
// Her own rights, checked when she signs in: a notice above the first view if they fall short.
const showAccessNotice = bindAccess(main, pane, {
  noticeUrl: urls.urlToegang,
  footerButton: document.querySelector("footer [data-toegang]"),
});

Office.onReady(async () => {
  if (!Office.context.mailbox) {
    contextLine.textContent = "";
    showProblem({ title: "Niet in Outlook", message: "Open Secretariaat vanuit Outlook: kies een bericht of afspraak en klik op Secretariaat op het lint." });
    return;
  }
  // Pinned pane: Outlook keeps us open while the user selects another item.
  // Item multi-select (Mailbox 1.13): Outlook also says when the set of selected messages
  // changes; one change can bring both events, so they are taken together.
  let soon = 0;
  const changed = () => {
    clearTimeout(soon);
    soon = setTimeout(refresh);
  };
  Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, changed);
  if (Office.EventType.SelectedItemsChanged) Office.context.mailbox.addHandlerAsync(Office.EventType.SelectedItemsChanged, changed);
  await refresh();
  showAdminTabs();
  showAccessNotice();
});
