// The Outlook harness: sign in as a seeded user, open her mailboxes, select an item, and host the
// real task pane beside it. Everything shown here comes from the backend's API; it is put into the
// page with textContent, never as markup.

const $ = (id) => document.getElementById(id);
const state = {
  signin: null, // the sandbox's token response for the API scope
  me: null,
  mailbox: null,
  view: "mail",
  day: null,
  selected: null, // Office.context.mailbox.item: the one selected item, or null
  selection: [], // the selected messages (item multi-select: Ctrl/Shift-click), in list order
  anchor: null, // where a Shift-click range starts
  listeners: [],
  selectionListeners: [],
  viewTicket: 0,
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// The backend's "today" (the municipality's date; tests pin it), not the browser's clock.
function today() {
  const [y, m, d] = document.body.dataset.vandaag.split("-").map(Number);
  return new Date(y, m - 1, d);
}

function isoLocal(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00`;
}

// Times as Outlook shows them to the demo municipality: in Amsterdam, whatever the browser's zone.
const ZONE = "Europe/Amsterdam";
const timeFmt = new Intl.DateTimeFormat("nl-NL", { hour: "2-digit", minute: "2-digit", timeZone: ZONE });
const dayFmt = new Intl.DateTimeFormat("nl-NL", { weekday: "long", day: "numeric", month: "long", timeZone: ZONE });
const receivedFmt = new Intl.DateTimeFormat("nl-NL", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: ZONE });

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${state.signin.access_token}` } });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body.error ? body.error.message : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function notice(text) {
  $("melding").replaceChildren(text ? el("div", { className: "melding melding-fout" }, el("p", { textContent: text })) : "");
}

// --- What the Office.js shim in the pane's iframe asks of its host. ---
window.secretariaatHarness = {
  context() {
    return {
      user: { displayName: state.me.display_name, emailAddress: state.me.upn, timeZone: "W. Europe Standard Time", accountType: "enterprise" },
      item: state.selected,
      naa: $("naa").checked,
    };
  },
  async token() {
    return state.signin;
  },
  restUrl() {
    return `${location.origin}/api/v1`;
  },
  onItemChanged(listener) {
    state.listeners.push(listener);
  },
  // Item multi-select (Mailbox 1.13): the selected messages, and a listener for changes.
  selectedItems() {
    return state.selection.map((s) => ({ ...s }));
  },
  onSelectionChanged(listener) {
    state.selectionListeners.push(listener);
  },
  displayed: [], // what the pane asked Outlook to open in its own window: { kind, id }
  display(kind, id) {
    this.displayed.push({ kind, id });
    const what = kind === "message" ? "een bericht" : "een afspraak";
    $("geopend").textContent = `Outlook opent ${what} in een eigen venster (${this.displayed.length}).`;
  },
  bridgeRequests: {}, // what MSAL.js asked over the nested-app-auth bridge, for tests and demos
  countBridgeRequest(method) {
    this.bridgeRequests[method] = (this.bridgeRequests[method] || 0) + 1;
  },
  openDialog(url, callback, status) {
    const dialog = window.open(url, "_blank", "popup,width=480,height=640");
    if (!dialog) {
      callback({ status: status.Failed, error: { code: 12009, message: "het venster werd geblokkeerd" } });
      return;
    }
    const handlers = {};
    window.secretariaatDialogMessage = (message, origin) =>
      handlers.dialogMessageReceived && handlers.dialogMessageReceived({ message, origin });
    callback({
      status: status.Succeeded,
      value: {
        addEventHandler(type, handler) {
          handlers[type] = handler;
        },
        close() {
          dialog.close();
        },
      },
    });
  },
};

// --- The pane beside the selection, pinned: a new selection is an ItemChanged event. ---
function openPane(view) {
  const frame = $("taakvenster");
  frame.src = `/pane/${view}`;
  frame.hidden = false;
  $("paneel-leeg").hidden = true;
}

function select(item, row) {
  for (const b of document.querySelectorAll("#items button[aria-current]")) b.removeAttribute("aria-current");
  row.setAttribute("aria-current", "true");
  state.anchor = row;
  setSelection(item, item.type === "message" ? [item] : [], true); // a click shows it anew
}

// What Outlook tells a pinned pane: ItemChanged when the one item changes (null with several),
// SelectedItemsChanged when the set of selected messages changes.
function setSelection(item, selection, again = false) {
  const itemChanged = again || (state.selected && state.selected.id) !== (item && item.id);
  const ids = (list) => list.map((s) => s.id).join(" ");
  const selectionChanged = ids(state.selection) !== ids(selection);
  state.selected = item;
  state.selection = selection;
  const frame = $("taakvenster");
  if (frame.hidden || !frame.src) {
    if (item) openPane(item.type === "appointment" ? "agenda" : "bericht");
    return;
  }
  if (itemChanged) for (const l of state.listeners) l(item);
  if (selectionChanged) for (const l of state.selectionListeners) l(selection);
}

// Ctrl-click adds or removes a message, Shift-click selects from the last clicked one to this
// one; a plain click selects only this one. One folder of one mailbox, at most 100 (Outlook).
function pick(item, row, event) {
  const adding = event.ctrlKey || event.metaKey;
  if ((!adding && !event.shiftKey) || !state.selection.length) return select(item, row);
  const rows = [...document.querySelectorAll("#items button[data-id]")];
  let chosen;
  if (event.shiftKey && state.anchor && rows.includes(state.anchor)) {
    const [a, b] = [rows.indexOf(state.anchor), rows.indexOf(row)].sort((x, y) => x - y);
    chosen = new Set(rows.slice(a, b + 1));
    if (adding) for (const r of rows) if (r.getAttribute("aria-current")) chosen.add(r);
  } else {
    chosen = new Set(rows.filter((r) => r.getAttribute("aria-current")));
    if (chosen.has(row)) chosen.delete(row);
    else chosen.add(row);
    state.anchor = row;
  }
  const picked = rows.filter((r) => chosen.has(r)).slice(0, 100);
  for (const r of rows) {
    if (picked.includes(r)) r.setAttribute("aria-current", "true");
    else r.removeAttribute("aria-current");
  }
  const selection = picked.map((r) => r.item);
  setSelection(selection.length === 1 ? selection[0] : null, selection);
}

// The ribbon button with nothing selected (SupportsNoItemContext): the manifest's page, with
// Office.context.mailbox.item null; the pane then shows what needs no item.
function openWithoutItem() {
  for (const b of document.querySelectorAll("#items button[aria-current]")) b.removeAttribute("aria-current");
  state.selected = null;
  state.selection = [];
  openPane("bericht");
}

function deselect() {
  state.anchor = null;
  setSelection(null, []);
}

function resetPane() {
  const frame = $("taakvenster");
  state.listeners = [];
  state.selectionListeners = [];
  state.selected = null;
  state.selection = [];
  frame.removeAttribute("src");
  frame.hidden = true;
  $("paneel-leeg").hidden = false;
  $("zonder-item").hidden = true; // until someone is signed in
}

function itemOf(kind, entry) {
  const shared = state.mailbox !== state.me.upn;
  return {
    id: entry.id,
    type: kind,
    subject: entry.subject,
    mailbox: state.mailbox,
    shared,
    delegatePermissions: shared ? 63 : 0, // read, write, delete-own, delete-all, edit-own, edit-all
  };
}

// --- Mail and calendar of the open mailbox. ---
async function showMessages(current = () => true) {
  $("items-titel").textContent = `Postvak IN – ${nameOf(state.mailbox)}`;
  const list = $("items");
  list.replaceChildren(el("li", { className: "laden", textContent: "Laden…" }));
  const { messages } = await api(`/api/v1/mailboxes/${encodeURIComponent(state.mailbox)}/messages?folder=inbox&top=50`);
  if (!current()) return;
  list.replaceChildren(
    ...messages.map((m) => {
      const row = el(
        "button",
        { type: "button", className: m.is_read ? "" : "ongelezen", dataset: { id: m.id } },
        el("span", { textContent: m.sender.name || m.sender.address }),
        el("span", { className: "sub", textContent: m.subject || "(geen onderwerp)" }),
        el("span", { className: "sub", textContent: m.received ? receivedFmt.format(new Date(m.received)) : "" }),
      );
      row.item = itemOf("message", m);
      row.addEventListener("click", (event) => pick(row.item, row, event));
      // From the keyboard as in Outlook: Ctrl+Space adds or removes, Shift+Space a range.
      row.addEventListener("keydown", (event) => {
        if (event.key !== " " || !(event.ctrlKey || event.metaKey || event.shiftKey)) return;
        event.preventDefault();
        pick(row.item, row, event);
      });
      return el("li", {}, row);
    }),
  );
  if (!messages.length) list.replaceChildren(el("li", { className: "leeg", textContent: "Geen berichten." }));
}

async function showCalendar(days, current = () => true) {
  const start = state.day || today();
  const from = new Date(start);
  if (days === 7) from.setDate(from.getDate() - ((from.getDay() + 6) % 7)); // from Monday
  const to = new Date(from);
  to.setDate(to.getDate() + days);
  $("items-titel").textContent = `Agenda – ${nameOf(state.mailbox)}`;
  const list = $("items");
  list.replaceChildren(el("li", { className: "laden", textContent: "Laden…" }));
  const params = new URLSearchParams({ start: isoLocal(from), end: isoLocal(to) });
  const { events } = await api(`/api/v1/mailboxes/${encodeURIComponent(state.mailbox)}/calendar?${params}`);
  if (!current()) return;
  const rows = [];
  for (let d = new Date(from); d < to; d.setDate(d.getDate() + 1)) {
    rows.push(el("li", { className: "h-dagkop", textContent: dayFmt.format(d) }));
    const key = isoLocal(d).slice(0, 10);
    const onDay = events.filter((e) => e.start.slice(0, 10) === key);
    if (!onDay.length) rows.push(el("li", { className: "leeg sub", textContent: "Geen afspraken" }));
    for (const e of onDay) {
      const when = e.is_all_day ? "hele dag" : `${timeFmt.format(new Date(e.start))}–${timeFmt.format(new Date(e.end))}`;
      const row = el(
        "button",
        { type: "button", dataset: { id: e.id } },
        el("span", { className: "tijd", textContent: `${when} ` }),
        el("span", { className: "onderwerp", textContent: e.subject || "(geen onderwerp)" }),
        el("span", { className: "sub", textContent: [e.location, e.is_cancelled ? "geannuleerd" : ""].filter(Boolean).join(" · ") }),
      );
      row.addEventListener("click", () => select(itemOf("appointment", e), row));
      rows.push(el("li", {}, row));
    }
  }
  list.replaceChildren(...rows);
}

async function showView() {
  const ticket = ++state.viewTicket; // a later click wins over a slower earlier answer
  notice("");
  $("items").setAttribute("aria-busy", "true"); // set before the first await: tests wait on it
  try {
    const days = state.view === "week" ? 7 : 1;
    const show = state.view === "mail" ? showMessages : (current) => showCalendar(days, current);
    await show(() => ticket === state.viewTicket);
  } catch (error) {
    if (ticket !== state.viewTicket) return;
    $("items").replaceChildren();
    notice(error.status === 403 ? `Geen toegang tot dit postvak. ${error.message}` : `Laden mislukt: ${error.message}`);
  } finally {
    if (ticket === state.viewTicket) $("items").setAttribute("aria-busy", "false");
  }
}

const names = {};
function nameOf(upn) {
  return names[upn] || upn;
}

async function openMailbox(upn, button) {
  state.mailbox = upn.toLowerCase();
  for (const b of document.querySelectorAll("#postvakken button")) b.removeAttribute("aria-current");
  if (button) button.setAttribute("aria-current", "true");
  deselect(); // a pinned pane stays open; Outlook tells it nothing is selected
  $("weergave").hidden = false;
  await showView();
}

function mailboxRow(upn, label, sub) {
  const button = el("button", { type: "button", dataset: { upn } }, el("span", { textContent: label }), el("span", { className: "sub", textContent: sub }));
  button.addEventListener("click", () => openMailbox(upn, button));
  return el("li", {}, button);
}

async function signIn(upn) {
  notice("");
  resetPane();
  $("wie").textContent = "";
  const response = await fetch("/dev/outlook/aanmelden", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ upn }),
  });
  const body = await response.json();
  if (!response.ok) {
    notice(body.error ? body.error.message : "Aanmelden mislukt.");
    return;
  }
  state.signin = body;
  try {
    state.me = await api("/api/v1/me");
  } catch (error) {
    state.signin = null;
    state.me = null;
    $("postvakken").replaceChildren();
    notice(`Aanmelden mislukt: ${error.message}`);
    return;
  }
  names[state.me.upn] = state.me.display_name;
  const rows = [mailboxRow(state.me.upn, "Mijn postvak", state.me.upn)];
  try {
    const { mailboxes } = await api("/api/v1/mailboxes");
    for (const m of mailboxes) {
      if (m.upn === state.me.upn) continue;
      names[m.upn] = m.display_name;
      rows.push(mailboxRow(m.upn, m.display_name, `${m.unread} ongelezen · gemachtigde`));
    }
  } catch (error) {
    notice(`Postvakken laden mislukt: ${error.message}`);
  }
  $("postvakken").replaceChildren(...rows);
  $("wie").textContent = `Aangemeld: ${state.me.display_name || state.me.upn}`; // last: ready
  $("ander-postvak").hidden = false;
  $("zonder-item").hidden = false;
  $("items-titel").textContent = "Kies een postvak";
  $("items").replaceChildren();
  $("weergave").hidden = true;
}

async function loadUsers() {
  const response = await fetch("/dev/outlook/gebruikers");
  const { users } = await response.json();
  const select = $("gebruiker");
  select.replaceChildren(
    el("option", { value: "", textContent: "Kies een gebruiker…" }),
    ...users.map((u) => el("option", { value: u.upn, textContent: u.title ? `${u.name} – ${u.title}` : u.name || u.upn })),
  );
  const wanted = new URLSearchParams(location.search).get("als");
  if (wanted) {
    select.value = wanted;
    await signIn(wanted);
  }
}

$("aanmelden").addEventListener("submit", (event) => {
  event.preventDefault();
  const upn = $("gebruiker").value;
  if (upn) signIn(upn);
});

$("zonder-item").addEventListener("click", openWithoutItem);

$("ander-postvak").addEventListener("submit", (event) => {
  event.preventDefault();
  openMailbox($("ander").value.trim());
});

for (const button of document.querySelectorAll("[data-weergave]")) {
  button.addEventListener("click", () => {
    state.view = button.dataset.weergave;
    for (const b of document.querySelectorAll("[data-weergave]")) b.setAttribute("aria-pressed", String(b === button));
    deselect();
    showView();
  });
}

$("breedte").addEventListener("change", () => {
  $("taakvenster").style.width = `${$("breedte").value}px`;
});
$("taakvenster").style.width = `${$("breedte").value}px`;
$("naa").addEventListener("change", () => {
  const frame = $("taakvenster");
  if (!frame.hidden && frame.src) {
    state.listeners = []; // the reloaded pane registers its own handlers
    state.selectionListeners = [];
    frame.src = frame.src; // reload the pane with the other auth path
  }
});

loadUsers();
