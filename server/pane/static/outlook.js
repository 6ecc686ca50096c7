// Where Outlook has the pane (whose mailbox, which item), and opening an item in Outlook's own
// window: the pane's only use of Office.js's mailbox.

function asyncResult(call) {
  return new Promise((resolve, reject) =>
    call((result) => (result.status === Office.AsyncResultStatus.Succeeded ? resolve(result.value) : reject(result.error))),
  );
}

// Which mailbox the pane is in: a delegate's view of an executive's item has shared properties.
export async function where() {
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
