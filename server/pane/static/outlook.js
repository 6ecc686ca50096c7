// Where Outlook has the pane (whose mailbox, which item), and opening an item in Outlook's own
// window: the pane's only use of Office.js's mailbox.

function asyncResult(call) {
  return new Promise((resolve, reject) =>
    call((result) => (result.status === Office.AsyncResultStatus.Succeeded ? resolve(result.value) : reject(result.error))),
  );
}

// The messages selected together (item multi-select, Mailbox 1.13), as Graph ids with their
// subjects; [] where Outlook cannot say (an older Outlook, an appointment).
async function selectedMessages(mailbox) {
  if (typeof mailbox.getSelectedItemsAsync !== "function") return [];
  try {
    const items = await asyncResult((cb) => mailbox.getSelectedItemsAsync(cb));
    return items.map((m) => ({ id: mailbox.convertToRestId(m.itemId, Office.MailboxEnums.RestVersion.v2_0), subject: m.subject || "" }));
  } catch {
    return [];
  }
}

// The mailbox the pane last saw an item in: with several messages selected Outlook gives no
// item (so no shared properties), and they are in the mailbox of the one selected before.
const LAST_MAILBOX = "secretariaat.postvak";

function lastMailbox(profile) {
  try {
    return sessionStorage.getItem(LAST_MAILBOX) || profile.emailAddress;
  } catch {
    return profile.emailAddress;
  }
}

function rememberMailbox(mailbox) {
  try {
    sessionStorage.setItem(LAST_MAILBOX, mailbox);
  } catch {
    // no storage: a reload with several selected shows her own mailbox's name
  }
}

// Which mailbox the pane is in: a delegate's view of an executive's item has shared properties.
// With several messages selected: `selection` lists them and there is no single item.
export async function where() {
  const mailbox = Office.context.mailbox;
  const profile = mailbox.userProfile;
  const item = mailbox.item;
  const found = { user: profile.emailAddress, userName: profile.displayName, mailbox: profile.emailAddress, itemId: null, itemType: null, shared: false, note: "", selection: [] };
  if (!item) {
    const selection = await selectedMessages(mailbox);
    if (selection.length > 1) {
      found.selection = selection;
      found.itemType = "message";
      found.mailbox = lastMailbox(profile);
      found.shared = found.mailbox !== profile.emailAddress;
    }
    return found;
  }
  found.itemType = item.itemType;
  if (item.itemId) {
    found.itemId = mailbox.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  }
  if (typeof item.getSharedPropertiesAsync === "function") {
    try {
      const shared = await asyncResult((cb) => item.getSharedPropertiesAsync(cb));
      found.mailbox = shared.owner;
      found.shared = true;
      rememberMailbox(found.mailbox);
    } catch {
      // Outlook could not say whose mailbox this is: work in her own and say so.
      found.itemId = null;
      found.note = "Outlook gaf niet door in welk postvak dit item staat; u ziet uw eigen postvak.";
    }
  }
  if (!found.shared) rememberMailbox(found.mailbox);
  return found;
}

export function describe(w) {
  return w.shared ? `${w.userName} in het postvak van ${w.mailbox}` : `${w.userName} (${w.mailbox})`;
}

// "Bericht openen", "Afspraak openen": Outlook's own window (Office.js takes EWS ids).
export function bindOutlookLinks(root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-outlook-bericht], button[data-outlook-afspraak]");
    if (!button) return;
    const mailbox = Office.context.mailbox;
    const restId = button.dataset.outlookBericht || button.dataset.outlookAfspraak;
    const ewsId = mailbox.convertToEwsId(restId, Office.MailboxEnums.RestVersion.v2_0);
    if (button.dataset.outlookBericht) mailbox.displayMessageForm(ewsId);
    else mailbox.displayAppointmentForm(ewsId);
  });
}
