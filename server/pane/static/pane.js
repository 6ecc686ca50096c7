// The task pane: find out where Outlook has us (which mailbox, which item), get a token, and
// show the chosen pane's content as the server renders it. The server escapes everything that
// comes from mail; this script only moves its HTML into <main> and never builds markup from data.
import { getToken } from "./auth.js";

const config = JSON.parse(document.getElementById("pane-config").textContent);
const main = document.getElementById("inhoud");
const contextLine = document.getElementById("context");
const nav = document.querySelector("nav.tabs");
let current = { view: config.view, where: null, loaded: 0 };

function setBusy(busy) {
  main.setAttribute("aria-busy", busy ? "true" : "false");
}

function showLoading() {
  setBusy(true);
  main.replaceChildren(document.getElementById("laden-sjabloon").content.cloneNode(true));
}

function showProblem(title, message) {
  const section = document.createElement("section");
  section.className = "melding melding-fout";
  section.setAttribute("role", "alert");
  const h2 = document.createElement("h2");
  h2.textContent = title;
  const p = document.createElement("p");
  p.textContent = message;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "knop";
  retry.dataset.action = "opnieuw";
  retry.textContent = "Opnieuw proberen";
  section.append(h2, p, retry);
  main.replaceChildren(section);
  setBusy(false);
}

function asyncResult(call) {
  return new Promise((resolve, reject) =>
    call((result) => (result.status === Office.AsyncResultStatus.Succeeded ? resolve(result.value) : reject(result.error))),
  );
}

// Which mailbox the pane is in: a delegate's view of an executive's item has shared properties.
async function where() {
  const mailbox = Office.context.mailbox;
  const profile = mailbox.userProfile;
  const item = mailbox.item;
  const found = { user: profile.emailAddress, userName: profile.displayName, mailbox: profile.emailAddress, itemId: null, itemType: null, shared: false };
  if (!item) return found;
  found.itemType = item.itemType;
  if (item.itemId) {
    found.itemId = mailbox.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  }
  if (typeof item.getSharedPropertiesAsync === "function") {
    const shared = await asyncResult((cb) => item.getSharedPropertiesAsync(cb));
    found.mailbox = shared.owner;
    found.shared = true;
  }
  return found;
}

function describe(w) {
  return w.shared ? `${w.userName} in het postvak van ${w.mailbox}` : `${w.userName} (${w.mailbox})`;
}

async function api(path, token) {
  return fetch(`${config.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: "text/html" } });
}

async function load(view) {
  const ticket = ++current.loaded;
  current.view = view;
  for (const a of nav.querySelectorAll("a[data-view]")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  showLoading();
  let token;
  try {
    token = await getToken(config);
  } catch (error) {
    showProblem("Aanmelden is niet gelukt", `Secretariaat kon u niet aanmelden: ${error.message || error}.`);
    return;
  }
  const w = current.where;
  const params = new URLSearchParams({ mailbox: w.mailbox });
  if (w.itemId) params.set("item", w.itemId);
  if (w.itemType) params.set("type", w.itemType);
  let response;
  try {
    response = await api(`/pane/${view}/inhoud?${params}`, token);
  } catch (error) {
    showProblem("Geen verbinding", "De server van Secretariaat is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.");
    return;
  }
  const html = await response.text();
  if (ticket !== current.loaded) return; // a newer selection won
  main.innerHTML = html; // server-rendered with autoescaping: mail content arrives as text
  main.dataset.status = String(response.status);
  setBusy(false);
}

async function showAdminTabs() {
  try {
    const token = await getToken(config);
    const response = await api("/api/v1/me", token);
    if (!response.ok) return;
    const me = await response.json();
    if (me.role === "admin") {
      for (const a of nav.querySelectorAll("a[data-admin]")) a.hidden = false;
    }
  } catch {
    // The tab stays hidden; the pane itself reports sign-in problems.
  }
}

async function refresh() {
  try {
    current.where = await where();
  } catch (error) {
    showProblem("Outlook gaf geen gegevens", `Het gekozen item kon niet worden gelezen: ${error.message || error}.`);
    return;
  }
  contextLine.textContent = describe(current.where);
  const view = current.where.itemType === "appointment" && current.view === "bericht" ? "agenda" : current.view;
  await load(view);
}

nav.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-view]");
  if (!link) return;
  event.preventDefault();
  history.replaceState(null, "", link.href);
  load(link.dataset.view).then(() => main.focus());
});

main.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='opnieuw']")) refresh();
});

Office.onReady(async () => {
  if (!Office.context.mailbox) {
    contextLine.textContent = "";
    showProblem("Niet in Outlook", "Open Secretariaat vanuit Outlook: kies een bericht of afspraak en klik op Secretariaat op het lint.");
    return;
  }
  // Pinned pane: Outlook keeps us open while the user selects another item.
  Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => refresh());
  await refresh();
  showAdminTabs();
});
