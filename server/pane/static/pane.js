// The task pane: find out where Outlook has us (which mailbox, which item), get a token, and
// show the chosen pane's content as the server renders it. The server escapes everything that
// comes from mail; this script only moves its HTML into <main> and never builds markup from data.
//
// Every selection change takes a new ticket; whatever finishes for an older ticket is dropped, so
// the pane always shows the item Outlook has selected now, whatever order answers arrive in.
import { bindApprovals } from "./approvals.js";
import { dropToken, getToken } from "./auth.js";

const config = JSON.parse(document.getElementById("pane-config").textContent);
const main = document.getElementById("inhoud");
const contextLine = document.getElementById("context");
const nav = document.querySelector("nav.tabs");
const state = {
  chosen: config.view, // the tab the user picked (Bericht stays chosen across appointments)
  where: null, // the selection the content belongs to
  ticket: 0,
};

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
  const found = { user: profile.emailAddress, userName: profile.displayName, mailbox: profile.emailAddress, itemId: null, itemType: null, shared: false, note: "" };
  if (!item) return found;
  found.itemType = item.itemType;
  if (item.itemId) {
    found.itemId = mailbox.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  }
  if (typeof item.getSharedPropertiesAsync === "function") {
    try {
      const shared = await asyncResult((cb) => item.getSharedPropertiesAsync(cb));
      found.mailbox = shared.owner;
      found.shared = true;
    } catch {
      // Outlook could not say whose mailbox this is: work in her own and say so.
      found.itemId = null;
      found.note = "Outlook gaf niet door in welk postvak dit item staat; u ziet uw eigen postvak.";
    }
  }
  return found;
}

function describe(w) {
  return w.shared ? `${w.userName} in het postvak van ${w.mailbox}` : `${w.userName} (${w.mailbox})`;
}

// The pane shown for a selection: an appointment opens Agenda even when Bericht is chosen.
function viewFor(w) {
  return w.itemType === "appointment" && state.chosen === "bericht" ? "agenda" : state.chosen;
}

function markTab(view) {
  for (const a of nav.querySelectorAll("a[data-view]")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function fetchView(view, w, retried = false) {
  const token = await getToken(config);
  const params = new URLSearchParams({ mailbox: w.mailbox });
  if (w.itemId) params.set("item", w.itemId);
  if (w.itemType) params.set("type", w.itemType);
  const response = await fetch(`${config.baseUrl}/pane/${view}/inhoud?${params}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: "text/html" },
  });
  if (response.status === 401 && !retried) {
    dropToken(); // expired or revoked: sign in again once
    return fetchView(view, w, true);
  }
  return response;
}

async function load(ticket, w) {
  const view = viewFor(w);
  markTab(view);
  showLoading();
  let response;
  let html;
  try {
    response = await fetchView(view, w);
    html = await response.text();
  } catch (error) {
    if (ticket !== state.ticket) return;
    const offline = error instanceof TypeError; // fetch's network failure
    showProblem(
      offline ? "Geen verbinding" : "Aanmelden is niet gelukt",
      offline
        ? "De server van Secretariaat is niet bereikbaar. Controleer de verbinding en probeer het opnieuw."
        : "Secretariaat kon u niet aanmelden. Probeer het opnieuw; lukt het niet, meld dan het kenmerk hieronder.",
    );
    return;
  }
  if (ticket !== state.ticket) return; // a newer selection won
  if (!(response.headers.get("content-type") || "").startsWith("text/html")) {
    showProblem("Onverwacht antwoord", `De server gaf geen pagina terug (status ${response.status}).`);
    return;
  }
  main.innerHTML = html; // server-rendered with autoescaping: mail content arrives as text
  if (w.note) {
    const note = document.createElement("p");
    note.className = "melding";
    note.setAttribute("role", "status");
    note.textContent = w.note;
    main.prepend(note);
  }
  main.dataset.status = String(response.status);
  setBusy(false);
  followQueue(); // only while Werkvoorraad, or a message with its "bezig" line, is shown
}

// Outlook selected another item (or we just opened): read where we are, then load.
async function refresh() {
  const ticket = ++state.ticket;
  showLoading();
  let w;
  try {
    w = await where();
  } catch {
    if (ticket !== state.ticket) return;
    showProblem("Outlook gaf geen gegevens", "Het gekozen item kon niet worden gelezen. Kies het opnieuw.");
    return;
  }
  if (ticket !== state.ticket) return;
  state.where = w;
  contextLine.textContent = describe(w);
  await load(ticket, w);
}

async function showAdminTabs() {
  let role = "onbekend";
  try {
    const token = await getToken(config);
    const response = await fetch(`${config.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    if (response.ok) role = (await response.json()).role || "geen";
  } catch {
    // The tab stays hidden; the pane itself reports sign-in problems.
  }
  for (const a of nav.querySelectorAll("a[data-admin]")) a.hidden = role !== "admin";
  nav.dataset.rol = role; // tests and styles can tell the check has run
}

nav.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-view]");
  if (!link) return;
  event.preventDefault();
  if (!state.where) return; // still finding out where we are; refresh() will load
  state.chosen = link.dataset.view;
  history.replaceState(null, "", link.href);
  load(++state.ticket, state.where).then(() => main.focus());
});

// --- Fragments the server renders for a click (quick steps, drafts, approvals). ---
async function fetchHtml(method, path, body) {
  return (await fetchFragment(method, path, body)).html;
}

// The fragment and its status: a 409 with "Toch doorgaan" is a question, not an outcome.
async function fetchFragment(method, path, body) {
  const send = async (retried) => {
    const token = await getToken(config);
    const headers = { Authorization: `Bearer ${token}`, Accept: "text/html" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${config.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && !retried) {
      dropToken();
      return send(true);
    }
    return { status: response.status, html: await response.text() };
  };
  return send(false);
}

// A colleague has picked up this mail: the server asks before a quick step or a draft. The
// question goes under what she was doing (her edited text stays); "Toch doorgaan" sends the
// same request again with despite_claim.
let goAheadAnyway = null;

function askFirst(section, html, again) {
  const question = document.createElement("div");
  question.className = "vraag-bezig";
  question.innerHTML = html; // server-rendered with autoescaping
  section.append(question);
  goAheadAnyway = again;
  const button = question.querySelector("[data-ondanks]");
  if (button) button.focus();
}

function isQuestion(result) {
  return result.status === 409 && result.html.includes("data-ondanks");
}

function postFragment(path, body) {
  return fetchHtml("POST", path, body);
}

bindApprovals(main, {
  fetchHtml,
  showList: () => state.where && load(++state.ticket, state.where),
});

// --- Reply drafts: a template's text to edit, then the draft (and the approval request). ---
async function draftPreview() {
  const out = document.getElementById("concept-uitkomst");
  if (!out || !state.where || !state.where.itemId) return;
  const ticket = state.ticket;
  out.setAttribute("aria-busy", "true");
  out.replaceChildren(document.getElementById("laden-sjabloon").content.cloneNode(true));
  let html;
  try {
    html = await postFragment("/pane/concept/voorbeeld", {
      mailbox: state.where.mailbox,
      message: state.where.itemId,
      template: document.getElementById("sjabloon-keuze").value,
    });
  } catch {
    html = null;
  }
  if (ticket !== state.ticket) return;
  out.setAttribute("aria-busy", "false");
  if (html === null) {
    out.textContent = "De server van Secretariaat is niet bereikbaar.";
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping; the draft text cleaned
  const editor = document.getElementById("concept-bewerken");
  if (editor) editor.focus();
}

async function draftMake(button, despite = false) {
  const section = button.closest("[data-operatie]");
  const out = document.getElementById("concept-uitkomst");
  const buttons = section.querySelectorAll("button");
  for (const b of buttons) b.disabled = true;
  let result;
  try {
    result = await fetchFragment("POST", "/pane/concept/klaarzetten", {
      mailbox: state.where.mailbox,
      message: state.where.itemId,
      template: section.dataset.sjabloon,
      html: document.getElementById("concept-bewerken").innerHTML,
      reply_all: document.getElementById("concept-allen").checked,
      attachments: [...section.querySelectorAll("[data-bijlage]:checked")].map((c) => c.dataset.bijlage),
      operation_id: section.dataset.operatie, // one per preview: a second click finds this draft
      request_approval: button.dataset.klaarzetten === "goedkeuring",
      note: document.getElementById("concept-notitie").value,
      despite_claim: despite,
    });
  } catch {
    for (const b of buttons) b.disabled = false;
    const p = document.createElement("p");
    p.className = "melding melding-fout";
    p.setAttribute("role", "alert");
    p.textContent = "Geen verbinding met Secretariaat. Probeer het opnieuw; er komt maar één concept.";
    section.append(p);
    return;
  }
  if (isQuestion(result)) {
    for (const b of buttons) b.disabled = false;
    askFirst(section, result.html, () => draftMake(button, true));
    return;
  }
  out.innerHTML = result.html; // server-rendered with autoescaping
}

// --- Agenda leegmaken: preview with toggles, then the clear with live progress. ---
let lastClear = null; // the body of the last clear, for "Afmaken" after a partial result

async function clearPreview(window, toggled = [], focusId = null) {
  const out = document.getElementById("leegmaken-uitkomst");
  if (!out || !state.where) return;
  out.setAttribute("aria-busy", "true");
  try {
    out.innerHTML = await postFragment("/pane/agenda/leegmaken/voorbeeld", { mailbox: state.where.mailbox, window, toggled });
  } catch {
    out.textContent = "De server van Secretariaat is niet bereikbaar.";
  }
  out.setAttribute("aria-busy", "false");
  const again = focusId && out.querySelector(`[data-item="${CSS.escape(focusId)}"]`);
  if (again) again.focus();
}

function toggledIn(section) {
  // Flipped against the rules: ticked differently from how it came, or flipped before.
  return [...section.querySelectorAll("input[data-item]")]
    .filter((cb) => (cb.checked !== cb.defaultChecked) !== cb.hasAttribute("data-omgezet"))
    .map((cb) => cb.dataset.item);
}

async function runClear(body) {
  const out = document.getElementById("leegmaken-uitkomst");
  lastClear = body;
  const progress = document.createElement("div");
  progress.setAttribute("aria-live", "polite");
  out.replaceChildren(progress);
  let running = true;
  const poll = async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 400));
      if (!running) break;
      try {
        const html = await fetchHtml("GET", `/pane/agenda/leegmaken/${encodeURIComponent(body.operation_id)}/voortgang`);
        if (running) progress.innerHTML = html; // server-rendered with autoescaping
      } catch {
        // the final answer will say how it went
      }
    }
  };
  poll();
  let html;
  try {
    html = await postFragment("/pane/agenda/leegmaken/uitvoeren", body);
  } catch {
    html = null;
  }
  running = false;
  if (html === null) {
    const p = document.createElement("p");
    p.className = "melding melding-fout";
    p.setAttribute("role", "alert");
    p.textContent = "Geen verbinding met Secretariaat. Klik opnieuw op Afmaken: wat al gedaan is, gebeurt niet nog eens.";
    const again = document.createElement("button");
    again.type = "button";
    again.className = "knop";
    again.dataset.leegmakenOpnieuw = body.operation_id;
    again.textContent = "Afmaken";
    out.replaceChildren(p, again);
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping
  const heading = out.querySelector("h3");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function startClear(button) {
  const section = button.closest("[data-operatie]");
  button.disabled = true;
  runClear({
    mailbox: state.where.mailbox,
    start: section.dataset.start,
    end: section.dataset.end,
    operation_id: section.dataset.operatie,
    toggled: toggledIn(section),
    cancel_message: document.getElementById("bericht-annuleren").value,
    decline_message: document.getElementById("bericht-afslaan").value,
    calamity: document.getElementById("leegmaken-aanleiding").value,
  });
}

// --- Herplannen: the backlog, proposed moments, one click to invite again. ---
async function showBacklog() {
  const out = document.getElementById("herplannen");
  if (!out || !state.where) return;
  out.innerHTML = await fetchHtml("GET", `/pane/herplannen/inhoud?${new URLSearchParams({ mailbox: state.where.mailbox })}`);
  const heading = out.querySelector("h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

async function backlogAction(button, path, body) {
  const out = button.closest("[data-herplan]").querySelector(".herplan-uitkomst");
  button.disabled = true;
  try {
    out.innerHTML = await postFragment(path, body); // server-rendered with autoescaping
  } catch {
    out.textContent = "De server van Secretariaat is niet bereikbaar.";
  }
  button.disabled = false;
}

function askDropReason(button) {
  const out = button.closest("[data-herplan]").querySelector(".herplan-uitkomst");
  const id = `reden-${button.dataset.vervallen}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = "Waarom vervalt dit?";
  const input = document.createElement("input");
  input.type = "text";
  input.id = id;
  input.maxLength = 2000;
  const confirm = document.createElement("button");
  confirm.type = "button";
  confirm.className = "knop";
  confirm.dataset.vervallenBevestig = button.dataset.vervallen;
  confirm.textContent = "Laten vervallen";
  out.replaceChildren(label, input, confirm);
  input.focus();
}

// --- Naar vergadermap: meeting and agenda item, attachments, push, overview. ---
async function meetingChoice(meeting = null) {
  const out = document.getElementById("vergadermap-uitkomst");
  if (!out || !state.where || !state.where.itemId) return;
  out.setAttribute("aria-busy", "true");
  try {
    out.innerHTML = await postFragment("/pane/vergadermap/kiezen", {
      mailbox: state.where.mailbox,
      message: state.where.itemId,
      meeting,
    }); // server-rendered with autoescaping
  } catch {
    out.textContent = "De server van Secretariaat is niet bereikbaar.";
  }
  out.setAttribute("aria-busy", "false");
  const first = out.querySelector("select");
  if (first) first.focus();
}

async function placeInMeeting(button) {
  const section = button.closest("[data-operatie]");
  const out = document.getElementById("vergadermap-uitkomst");
  button.disabled = true;
  const item = document.getElementById("agendapunt-keuze").value;
  let html;
  try {
    html = await postFragment("/pane/vergadermap/plaatsen", {
      mailbox: state.where.mailbox,
      message: state.where.itemId,
      meeting: document.getElementById("vergadering-keuze").value,
      new_meeting: document.getElementById("nv-titel")
        ? {
            type: document.getElementById("nv-soort").value,
            date: document.getElementById("nv-datum").value,
            title: document.getElementById("nv-titel").value,
          }
        : null,
      agenda_item: item || null,
      new_item: item ? null : document.getElementById("nieuw-agendapunt").value,
      attachments: [...section.querySelectorAll("[data-vm-bijlage]:checked")].map((c) => c.dataset.vmBijlage),
      include_mail: document.getElementById("vm-bericht").checked,
      confidential: document.getElementById("vm-vertrouwelijk").checked,
      operation_id: section.dataset.operatie, // one per choice: a second click stores nothing twice
    });
  } catch {
    button.disabled = false;
    const p = document.createElement("p");
    p.className = "melding melding-fout";
    p.setAttribute("role", "alert");
    p.textContent = "Geen verbinding met Secretariaat. Probeer het opnieuw; niets wordt dubbel opgeslagen.";
    section.append(p);
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping
}

async function meetingOverview(button) {
  const item = button.closest("li");
  const out = (item && item.querySelector(".werk-uitkomst")) || document.getElementById("vergadermap-uitkomst");
  out.innerHTML = await fetchHtml("GET", `/pane/vergadermap/${encodeURIComponent(button.dataset.vmOverzicht)}/overzicht`);
  const heading = out.querySelector("h3");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

// --- Werkvoorraad: filters, "ik pak dit op", release, "neem over". ---
// What she chose to see (filter, executive, kind of office, order): sent with every click.
function queueView(changes = {}) {
  const section = main.querySelector("[data-filter]");
  const view = section
    ? { filter: section.dataset.filter, executive: section.dataset.bestuurder, office: section.dataset.kantoor, sort: section.dataset.sortering }
    : { filter: "alles", executive: "", office: "", sort: "urgentie" };
  return { ...view, ...changes };
}

async function showQueue(changes) {
  const params = new URLSearchParams({ mailbox: state.where.mailbox, ...queueView(changes) });
  return fetchHtml("GET", `/pane/werkvoorraad/inhoud?${params}`);
}

async function queueAction(button) {
  if (!button) return;
  let path = null;
  let body = null;
  if (button.dataset.filterKeuze) {
    path = "GET";
  } else if (button.dataset.oppakken) {
    path = "/pane/werkvoorraad/oppakken";
    body = { key: button.dataset.oppakken, mailbox: button.dataset.postvak, take_over: "overnemen" in button.dataset, ...queueView() };
  } else if (button.dataset.vrijgeven) {
    path = "/pane/werkvoorraad/vrijgeven";
    body = { key: button.dataset.vrijgeven, ...queueView() };
  } else if (button.dataset.neemOver) {
    path = "/pane/werkvoorraad/neem-over";
    body = { cover: button.dataset.neemOver, ...queueView() };
  } else if ("overdracht" in button.dataset) {
    path = "HANDOVER";
  } else if (button.dataset.overdrachtMailen) {
    if (!button.dataset.operatie) button.dataset.operatie = crypto.randomUUID(); // one mail per click
    path = "/pane/werkvoorraad/overdracht/mailen";
    body = { to: button.dataset.overdrachtMailen, operation_id: button.dataset.operatie };
  } else if ("uitzonderingOpslaan" in button.dataset) {
    path = "/pane/werkvoorraad/uitzondering";
    const executive = document.getElementById("uz-soort").value;
    body = {
      ...queueView(),
      kind: executive ? "front_office" : "absent",
      cover_for: executive,
      secretary: document.getElementById("uz-wie").value,
      first: document.getElementById("uz-van").value,
      last: document.getElementById("uz-tot").value || null,
      note: document.getElementById("uz-notitie").value,
    };
  } else if (button.dataset.uitzonderingWeg) {
    path = "/pane/werkvoorraad/uitzondering/verwijderen";
    body = { ...queueView(), exception: Number(button.dataset.uitzonderingWeg) };
  } else if (button.dataset.afvinken) {
    path = "/pane/werkvoorraad/afvinken";
    body = { finding: button.dataset.afvinken, ...queueView() };
  } else if (button.dataset.markeringKlaar) {
    path = "/pane/werkvoorraad/markering-wissen";
    body = { finding: button.dataset.markeringKlaar, ...queueView() };
  } else {
    return;
  }
  button.disabled = true;
  main.setAttribute("aria-busy", "true");
  try {
    if (path === "GET") {
      main.innerHTML = await showQueue({ filter: button.dataset.filterKeuze });
    } else if (path === "HANDOVER") {
      main.innerHTML = await fetchHtml("GET", `/pane/werkvoorraad/overdracht?${new URLSearchParams({ mailbox: state.where.mailbox })}`);
    } else if (body.to) {
      const out = button.parentElement.querySelector(".overdracht-uitkomst");
      out.innerHTML = await postFragment(path, body); // server-rendered with autoescaping
      button.disabled = false;
      main.setAttribute("aria-busy", "false");
      return;
    } else {
      main.innerHTML = await postFragment(path, body); // server-rendered with autoescaping
    }
  } catch {
    button.disabled = false;
  }
  main.setAttribute("aria-busy", "false");
  const focus = main.querySelector("[role=alert], [data-testid=melding], h2");
  if (focus) {
    focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
}

// Open a message or appointment in Outlook's own window (Office.js takes EWS ids).
function openInOutlook(button) {
  const mailbox = Office.context.mailbox;
  const restId = button.dataset.outlookBericht || button.dataset.outlookAfspraak;
  const ewsId = mailbox.convertToEwsId(restId, Office.MailboxEnums.RestVersion.v2_0);
  if (button.dataset.outlookBericht) mailbox.displayMessageForm(ewsId);
  else mailbox.displayAppointmentForm(ewsId);
}

// Live: while Werkvoorraad or a message with its "bezig" line is shown, a stream of
// server-sent events (read with fetch, which can carry the token) redraws them when a
// colleague claims, releases or takes over.
let queueStream = null;

// Bericht's line saying who works on this mail: "ik pak dit op", release, take over.
async function claimStrip(button) {
  const strip = document.getElementById("bezig");
  if (!strip || !state.where) return;
  let html;
  try {
    if (button && "berichtOppakken" in button.dataset) {
      html = await postFragment("/pane/bericht/oppakken", { mailbox: state.where.mailbox, message: strip.dataset.bericht, take_over: "overnemen" in button.dataset });
    } else if (button) {
      html = await postFragment("/pane/bericht/vrijgeven", { mailbox: state.where.mailbox, message: strip.dataset.bericht, key: button.dataset.berichtVrijgeven });
    } else {
      const params = new URLSearchParams({ mailbox: state.where.mailbox, item: strip.dataset.bericht });
      html = await fetchHtml("GET", `/pane/bericht/bezig?${params}`);
    }
  } catch {
    return; // the next event or click tries again
  }
  const now = document.getElementById("bezig");
  if (now && now.dataset.bericht === strip.dataset.bericht) now.outerHTML = html; // server-rendered with autoescaping
  const next = button && document.querySelector("#bezig button");
  if (next) next.focus();
}

async function refreshQueueView() {
  if (!main.querySelector("[data-filter]") || main.getAttribute("aria-busy") === "true") return;
  try {
    const html = await showQueue();
    if (main.querySelector("[data-filter]") && main.getAttribute("aria-busy") !== "true") main.innerHTML = html;
  } catch {
    // the next event or a click tries again
  }
}

function following() {
  return main.querySelector("[data-filter], #bezig");
}

async function followQueue() {
  if (queueStream || !following()) return;
  const controller = new AbortController();
  queueStream = controller;
  try {
    const token = await getToken(config);
    const response = await fetch(`${config.baseUrl}/api/v1/queue/events`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      signal: controller.signal,
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    while (following()) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.split("\n").some((line) => line.startsWith("event:"))) {
          if (main.querySelector("[data-filter]")) refreshQueueView();
          if (document.getElementById("bezig")) claimStrip(null);
        }
      }
    }
    controller.abort();
  } catch {
    // closed or offline: try again below while the view is open
  } finally {
    queueStream = null;
  }
  if (following()) setTimeout(followQueue, 3000);
}

async function quickStep(target, path, body) {
  const out = document.getElementById("stap-uitkomst");
  if (!out || !state.where || !state.where.itemId) return;
  const ticket = state.ticket;
  const section = out.querySelector("[data-operatie]"); // the preview, kept when asked first
  out.setAttribute("aria-busy", "true");
  out.replaceChildren(document.getElementById("laden-sjabloon").content.cloneNode(true));
  let html;
  try {
    const result = await fetchFragment("POST", path, { mailbox: state.where.mailbox, messages: [state.where.itemId], ...body });
    if (section && isQuestion(result) && ticket === state.ticket) {
      out.setAttribute("aria-busy", "false");
      out.replaceChildren(section);
      if (target) target.disabled = false;
      askFirst(section, result.html, () => quickStep(target, path, { ...body, despite_claim: true }));
      return;
    }
    html = result.html;
  } catch {
    html = null;
  }
  if (ticket !== state.ticket) return; // another item was selected meanwhile
  out.setAttribute("aria-busy", "false");
  if (html === null) {
    out.replaceChildren();
    const p = document.createElement("p");
    p.className = "melding melding-fout";
    p.setAttribute("role", "alert");
    p.textContent = "De server van Secretariaat is niet bereikbaar; er is niets gewijzigd.";
    out.append(p);
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping
  const next = out.querySelector("[data-toepassen]");
  if (next) next.focus();
}

async function publishSteps(button) {
  const out = document.getElementById("stappen-uitkomst");
  button.disabled = true;
  try {
    out.innerHTML = await postFragment("/pane/beheer/snelle-stappen", {
      text: document.getElementById("stappen-tekst").value,
      note: document.getElementById("stappen-notitie").value || null,
    }); // server-rendered with autoescaping
  } catch {
    out.textContent = "Niet gepubliceerd: de server is niet bereikbaar.";
  }
  button.disabled = false;
}

async function undoStep(button) {
  if (!button.dataset.terugId) button.dataset.terugId = crypto.randomUUID(); // once per click
  button.disabled = true;
  const out = document.getElementById("stap-uitkomst");
  let html;
  try {
    html = await postFragment("/pane/snelle-stappen/ongedaan-maken", {
      operation_id: button.dataset.ongedaan,
      undo_operation_id: button.dataset.terugId,
    });
  } catch {
    button.disabled = false;
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping
}

async function sendReminder(button) {
  const out = button.parentElement.querySelector(".herinner-uitkomst");
  if (!button.dataset.operatie) button.dataset.operatie = crypto.randomUUID(); // one per click
  button.disabled = true;
  let html;
  try {
    html = await postFragment(`/pane/uitzettingen/${encodeURIComponent(button.dataset.herinner)}/herinneren`, {
      operation_id: button.dataset.operatie,
    });
  } catch {
    html = null;
  }
  button.disabled = false;
  if (html === null) {
    out.textContent = "Niet verstuurd: de server is niet bereikbaar.";
    return;
  }
  out.innerHTML = html; // server-rendered with autoescaping
  button.dataset.operatie = ""; // a later click is a new reminder
}

function choicesIn(section) {
  const choices = {};
  for (const input of section ? section.querySelectorAll("[data-keuze]") : []) {
    if (input.value) choices[input.dataset.keuze] = input.value;
  }
  return choices;
}

function preview(step, choices = {}) {
  return quickStep(null, "/pane/snelle-stappen/voorbeeld", { step, choices });
}

function applyPreviewed(button) {
  const section = button.closest("[data-operatie]");
  button.disabled = true; // one click; a second would be refused anyway (same operation id)
  return quickStep(button, "/pane/snelle-stappen/toepassen", {
    step: section.dataset.stap,
    operation_id: section.dataset.operatie,
    choices: choicesIn(section),
  });
}

main.addEventListener("change", (event) => {
  const queueChoice = event.target.closest("select[data-werk-keuze]");
  if (queueChoice) {
    const id = queueChoice.id;
    showQueue({ [queueChoice.dataset.werkKeuze]: queueChoice.value }).then((html) => {
      main.innerHTML = html; // server-rendered with autoescaping
      const again = document.getElementById(id);
      if (again) again.focus();
    });
    return;
  }
  const meeting = event.target.closest("select[data-vergadering]");
  if (meeting) {
    meetingChoice(meeting.value);
    return;
  }
  const item = event.target.closest("input[data-item]");
  if (item) {
    const section = item.closest("[data-venster]");
    clearPreview(section.dataset.venster, toggledIn(section), item.dataset.item);
    return;
  }
  const input = event.target.closest("[data-keuze]");
  if (!input) return;
  const section = input.closest("[data-operatie]");
  preview(section.dataset.stap, choicesIn(section)).then(() => {
    const again = document.querySelector(`[data-keuze="${input.dataset.keuze}"]`);
    if (again && !document.querySelector("[data-toepassen]:not([disabled])")) again.focus();
  });
});

main.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='opnieuw']")) refresh();
  const step = event.target.closest("button.stap[data-stap]");
  if (step) preview(step.dataset.stap);
  const apply = event.target.closest("button[data-toepassen]");
  if (apply) applyPreviewed(apply);
  if (event.target.closest("button[data-annuleren]")) document.getElementById("stap-uitkomst").replaceChildren();
  if (event.target.closest("button[data-publiceer]")) publishSteps(event.target.closest("button"));
  const undoButton = event.target.closest("button[data-ongedaan]");
  if (undoButton) undoStep(undoButton);
  const remind = event.target.closest("button[data-herinner]");
  if (remind) sendReminder(remind);
  if (event.target.closest("button[data-concept-voorbeeld]")) draftPreview();
  const make = event.target.closest("button[data-klaarzetten]");
  if (make) draftMake(make);
  if (event.target.closest("button[data-annuleren-concept]")) document.getElementById("concept-uitkomst").replaceChildren();
  if (event.target.closest("button[data-vm-kiezen]")) meetingChoice();
  queueAction(event.target.closest("button"));
  if (event.target.closest("button[data-ondanks]") && goAheadAnyway) {
    const again = goAheadAnyway;
    goAheadAnyway = null;
    event.target.closest(".vraag-bezig").remove();
    again();
  }
  const stripButton = event.target.closest("button[data-bericht-oppakken], button[data-bericht-vrijgeven]");
  if (stripButton) claimStrip(stripButton);
  if (event.target.closest("button[data-ondanks-niet]")) {
    goAheadAnyway = null;
    event.target.closest(".vraag-bezig").remove();
  }
  const outlook = event.target.closest("button[data-outlook-bericht], button[data-outlook-afspraak]");
  if (outlook) openInOutlook(outlook);
  const placeButton = event.target.closest("button[data-vm-plaatsen]");
  if (placeButton) placeInMeeting(placeButton);
  if (event.target.closest("button[data-vm-annuleren]")) document.getElementById("vergadermap-uitkomst").replaceChildren();
  const overviewButton = event.target.closest("button[data-vm-overzicht]");
  if (overviewButton) meetingOverview(overviewButton);
  const venster = event.target.closest("button[data-leegmaken-venster]");
  if (venster) clearPreview(venster.dataset.leegmakenVenster);
  const clearButton = event.target.closest("button[data-leegmaken]");
  if (clearButton) startClear(clearButton);
  if (event.target.closest("button[data-leegmaken-opnieuw]") && lastClear) runClear(lastClear);
  if (event.target.closest("button[data-annuleren-leegmaken]")) document.getElementById("leegmaken-uitkomst").replaceChildren();
  if (event.target.closest("button[data-herplannen]")) showBacklog();
  const propose = event.target.closest("button[data-voorstellen]");
  if (propose) backlogAction(propose, `/pane/herplannen/${encodeURIComponent(propose.dataset.voorstellen)}/voorstellen`, {});
  const plan = event.target.closest("button[data-inplannen]");
  if (plan) backlogAction(plan, `/pane/herplannen/${encodeURIComponent(plan.dataset.inplannen)}/inplannen`, { start: plan.dataset.begin });
  const dropAsk = event.target.closest("button[data-vervallen]");
  if (dropAsk) askDropReason(dropAsk);
  const dropIt = event.target.closest("button[data-vervallen-bevestig]");
  if (dropIt) {
    const reason = dropIt.parentElement.querySelector("input").value;
    backlogAction(dropIt, `/pane/herplannen/${encodeURIComponent(dropIt.dataset.vervallenBevestig)}/laten-vervallen`, { reason });
  }
});

// The set's keyboard shortcuts (Ctrl+Shift+1 …) open the step's preview.
document.addEventListener("keydown", (event) => {
  if (!event.ctrlKey || !event.shiftKey) return;
  const key = event.code.startsWith("Digit") ? event.code.slice(5) : event.key.toUpperCase();
  const combo = `Ctrl+Shift+${event.altKey ? "Alt+" : ""}${key}`;
  for (const button of main.querySelectorAll("button[data-sneltoets]")) {
    if (button.dataset.sneltoets === combo) {
      event.preventDefault();
      preview(button.dataset.stap);
      return;
    }
  }
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
