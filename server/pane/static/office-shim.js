// Office.js for the local Outlook harness (/dev/outlook): the subset of the Outlook mailbox API the
// task pane uses, answered from the harness page that hosts the pane in an iframe. Production
// loads Microsoft's Office.js from its CDN instead; the pane's code is the same in both.
//
// It also plays Outlook's part in Nested App Authentication: window.nestedAppAuthBridge answers
// MSAL.js's bridge requests (GetInitContext, GetToken, GetTokenPopup) with the token the harness
// got from the sandbox's sign-in, so the pane's real MSAL.js code path runs.
(function () {
  "use strict";

  let host = null;
  try {
    host = window.parent !== window ? window.parent.secretariaatHarness || null : null;
  } catch (e) {
    host = null; // another origin: not our harness
  }

  const Succeeded = "succeeded";
  const Failed = "failed";

  function result(status, value, error) {
    return { status, value, error: error || null, asyncContext: undefined };
  }

  function callback(args) {
    return args.find((a) => typeof a === "function") || function () {};
  }

  // Outlook hands add-ins EWS-format item ids ('/' and '+'); REST and Graph use '-' and '_'.
  function toEwsId(id) {
    return id.replace(/-/g, "/").replace(/_/g, "+");
  }

  function toRestId(id) {
    return id.replace(/\//g, "-").replace(/\+/g, "_");
  }

  function claimsOf(jwt) {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const text = atob(part + "=".repeat((4 - (part.length % 4)) % 4));
    return JSON.parse(decodeURIComponent(escape(text)));
  }

  function makeItem(selected) {
    if (!selected) return null;
    const item = {
      itemId: toEwsId(selected.id),
      itemType: selected.type,
      subject: selected.subject,
    };
    if (selected.shared) {
      // Only items in a shared mailbox or folder have shared properties (Mailbox 1.8).
      item.getSharedPropertiesAsync = function () {
        const cb = callback(Array.from(arguments));
        setTimeout(() =>
          cb(
            result(Succeeded, {
              owner: selected.mailbox,
              targetMailbox: selected.mailbox,
              targetRestUrl: host.restUrl(),
              delegatePermissions: selected.delegatePermissions,
            }),
          ),
        );
      };
    }
    return item;
  }

  const ItemChanged = "olkItemSelectedChanged";
  const SelectedItemsChanged = "olkSelectedItemsChanged";
  const handlers = { [ItemChanged]: [], [SelectedItemsChanged]: [] };
  const context = host ? host.context() : null;

  // Office.SelectedItemDetails (Mailbox 1.13): what getSelectedItemsAsync gives per message.
  // The ids are EWS ids, as Outlook gives them (convertToRestId turns them into Graph's); a
  // message in a delegate's shared folder looks the same (no owner: the pane knows it from
  // the item it had before).
  function selectedDetails() {
    return host.selectedItems().map((s) => ({
      itemId: toEwsId(s.id),
      itemType: "message",
      itemMode: "Read",
      subject: s.subject || "",
    }));
  }

  const mailbox = host
    ? {
        item: makeItem(context.item),
        userProfile: context.user,
        diagnostics: { hostName: "OutlookWebApp", hostVersion: "harness", OWAView: "ThreeColumns" },
        convertToRestId(id) {
          return toRestId(id);
        },
        convertToEwsId(id) {
          return toEwsId(id);
        },
        // Outlook opens the item in its own window; the harness lists what was opened.
        displayMessageForm(id) {
          host.display("message", toRestId(id));
        },
        displayAppointmentForm(id) {
          host.display("appointment", toRestId(id));
        },
        // Item multi-select (Mailbox 1.13): the selected messages, at most 100, one folder.
        getSelectedItemsAsync() {
          const cb = callback(Array.from(arguments));
          const value = selectedDetails();
          setTimeout(() => cb(result(Succeeded, value)));
        },
        addHandlerAsync(type, handler) {
          const cb = callback(Array.from(arguments).slice(2));
          if (!handlers[type]) {
            cb(result(Failed, undefined, { name: "InvalidEventType", message: `unsupported event ${type}`, code: 9001 }));
            return;
          }
          handlers[type].push(handler);
          cb(result(Succeeded));
        },
        removeHandlerAsync(type) {
          if (handlers[type]) handlers[type].length = 0;
          callback(Array.from(arguments).slice(1))(result(Succeeded));
        },
      }
    : undefined;

  if (host) {
    host.onItemChanged((selected) => {
      mailbox.item = makeItem(selected);
      for (const h of handlers[ItemChanged]) h({ type: ItemChanged });
    });
    host.onSelectionChanged(() => {
      for (const h of handlers[SelectedItemsChanged]) h({ type: SelectedItemsChanged });
    });
  }

  const requirementSets = { Mailbox: "1.13", NestedAppAuth: "1.1", DialogApi: "1.2" };

  function versionAtLeast(have, want) {
    const a = have.split(".").map(Number);
    const b = String(want || "1.1").split(".").map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  }

  window.Office = {
    HostType: { Outlook: "Outlook" },
    PlatformType: { OfficeOnline: "OfficeOnline" },
    AsyncResultStatus: { Succeeded, Failed },
    EventType: {
      ItemChanged,
      SelectedItemsChanged,
      DialogMessageReceived: "dialogMessageReceived",
      DialogEventReceived: "dialogEventReceived",
    },
    MailboxEnums: {
      ItemType: { Message: "message", Appointment: "appointment" },
      RestVersion: { v1_0: "v1.0", v2_0: "v2.0", Beta: "beta" },
    },
    context: {
      displayLanguage: "nl-NL",
      mailbox,
      requirements: {
        isSetSupported(name, version) {
          if (name === "NestedAppAuth" && host && !host.context().naa) return false;
          const have = requirementSets[name];
          return Boolean(host && have && versionAtLeast(have, version));
        },
      },
      ui: {
        displayDialogAsync(url) {
          const cb = callback(Array.from(arguments).slice(1));
          if (!host) {
            cb(result(Failed, undefined, { code: 12011, message: "geen Outlook" }));
            return;
          }
          host.openDialog(url, cb, { Succeeded, Failed });
        },
        messageParent(message) {
          if (window.opener && window.opener.secretariaatDialogMessage) {
            window.opener.secretariaatDialogMessage(message, location.origin);
          }
        },
      },
    },
    onReady(cb) {
      const info = host ? { host: "Outlook", platform: "OfficeOnline" } : { host: null, platform: null };
      return new Promise((resolve) =>
        setTimeout(() => {
          if (cb) cb(info);
          resolve(info);
        }),
      );
    },
  };
  window.Office.initialize = function () {};

  // --- Nested App Authentication: the host's side of MSAL.js's bridge. ---
  if (!host || !host.context().naa) return;

  const listeners = [];

  function accountFrom(token) {
    const c = claimsOf(token.id_token);
    const environment = new URL(token.authority).host;
    return {
      homeAccountId: `${c.oid}.${c.tid}`,
      environment,
      tenantId: c.tid,
      localAccountId: c.oid,
      username: c.preferred_username,
      name: c.name,
    };
  }

  async function answer(request) {
    switch (request.method) {
      case "GetInitContext": {
        const account = accountFrom(await host.token());
        return {
          initContext: {
            sdkName: "secretariaat-harness",
            sdkVersion: "1.0",
            accountContext: { homeAccountId: account.homeAccountId, environment: account.environment, tenantId: account.tenantId },
            capabilities: { queryAccount: false },
          },
        };
      }
      case "GetToken":
      case "GetTokenPopup": {
        const token = await host.token();
        const wanted = String((request.tokenParams && request.tokenParams.scope) || "").split(" ");
        const granted = token.scope.split(" ");
        const missing = wanted.filter((s) => s && !["openid", "profile", "offline_access"].includes(s) && !granted.includes(s));
        if (missing.length) {
          throw { status: "PERSISTENT_ERROR", code: "invalid_scope", description: `De testomgeving geeft alleen een token voor ${token.scope}.` };
        }
        return {
          token: { access_token: token.access_token, id_token: token.id_token, expires_in: token.expires_in, scope: token.scope, authority: token.authority },
          account: accountFrom(token),
        };
      }
      case "GetActiveAccount":
        return { account: accountFrom(await host.token()) };
      default:
        throw { status: "NESTED_APP_AUTH_UNAVAILABLE", code: "unsupported_method", description: request.method };
    }
  }

  window.nestedAppAuthBridge = {
    addEventListener(type, listener) {
      if (type === "message") listeners.push(listener);
    },
    removeEventListener(type, listener) {
      const i = listeners.indexOf(listener);
      if (i >= 0) listeners.splice(i, 1);
    },
    postMessage(text) {
      const request = JSON.parse(text);
      host.countBridgeRequest(request.method);
      answer(request)
        .then((body) => ({ success: true, ...body }))
        .catch((error) => ({ success: false, error }))
        .then((body) => {
          const envelope = JSON.stringify({ messageType: "NestedAppAuthResponse", requestId: request.requestId, ...body });
          for (const l of listeners.slice()) l(envelope);
        });
    },
  };
})();
