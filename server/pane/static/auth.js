// A token for the backend's API scope, the way Microsoft documents it for Outlook add-ins:
// Nested App Authentication through MSAL.js when the host supports it, and otherwise the
// documented fallback, MSAL.js in an Office dialog. No legacy Exchange tokens.
//
// Concurrent callers share one in-flight request: one MSAL client, one dialog at a time.

let nestable = null; // Promise<PublicClientApplication>
let dialogToken = null; // { accessToken, expiresOn }
let dialogInFlight = null; // Promise<string>
let refreshNext = false; // the backend refused the last token: skip MSAL's cache once

function naaSupported() {
  return Boolean(Office.context.requirements && Office.context.requirements.isSetSupported("NestedAppAuth", "1.1"));
}

function nestableClient(config) {
  if (!nestable) {
    nestable = msal
      .createNestablePublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority },
        system: { loggerOptions: { logLevel: msal.LogLevel.Warning, piiLoggingEnabled: false } },
      })
      .catch((error) => {
        nestable = null;
        throw error;
      });
  }
  return nestable;
}

async function viaNestedAppAuth(config) {
  const pca = await nestableClient(config);
  const request = { scopes: [config.apiScope], forceRefresh: refreshNext };
  refreshNext = false;
  try {
    return (await pca.acquireTokenSilent(request)).accessToken;
  } catch (silentError) {
    // Consent or a fresh sign-in is needed: the host shows its own prompt.
    return (await pca.acquireTokenPopup(request)).accessToken;
  }
}

// config.dialogUrl: the sign-in page's address, as the shell got it from its route.
function openDialog(config) {
  const origin = new URL(config.dialogUrl).origin;
  return new Promise((resolve, reject) => {
    Office.context.ui.displayDialogAsync(
      config.dialogUrl,
      { height: 60, width: 30, promptBeforeOpen: true },
      (opened) => {
        if (opened.status !== Office.AsyncResultStatus.Succeeded) {
          reject(new Error(`het aanmeldvenster opent niet (${opened.error.code})`));
          return;
        }
        const dialog = opened.value;
        dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
          if (arg.origin && arg.origin !== origin) return; // only our own sign-in page may answer
          dialog.close();
          let message;
          try {
            message = JSON.parse(arg.message);
          } catch {
            reject(new Error("onverwacht antwoord van het aanmeldvenster"));
            return;
          }
          if (message.accessToken) {
            dialogToken = message;
            resolve(message.accessToken);
          } else {
            reject(new Error(message.error || "aanmelden afgebroken"));
          }
        });
        dialog.addEventHandler(Office.EventType.DialogEventReceived, () => reject(new Error("aanmeldvenster gesloten")));
      },
    );
  });
}

function viaDialog(config) {
  if (dialogToken && dialogToken.expiresOn > Date.now() + 60_000) {
    return Promise.resolve(dialogToken.accessToken);
  }
  if (!dialogInFlight) {
    dialogInFlight = openDialog(config).finally(() => {
      dialogInFlight = null;
    });
  }
  return dialogInFlight;
}

// The backend refused the token (expired, revoked): the next call signs in again.
export function dropToken() {
  dialogToken = null;
  refreshNext = true;
}

export async function getToken(config) {
  if (naaSupported()) {
    try {
      return await viaNestedAppAuth(config);
    } catch (error) {
      console.warn("Nested App Authentication failed; falling back to the dialog", error);
    }
  }
  return viaDialog(config);
}
