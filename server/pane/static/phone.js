// The approval page outside Outlook (the link in the notice mail, on a phone): MSAL.js's
// standard client signs in with a full-page redirect (authorization code + PKCE); which
// approval was opened travels in the sign-in's state. The decisions work as in the pane.
import { bindApprovals } from "./approvals.js";

const config = JSON.parse(document.getElementById("pane-config").textContent);
const main = document.getElementById("inhoud");
const contextLine = document.getElementById("context");
let pca = null;
let account = null;

function problem(title, text) {
  const section = document.createElement("section");
  section.className = "melding melding-fout";
  section.setAttribute("role", "alert");
  const h2 = document.createElement("h2");
  h2.textContent = title;
  const p = document.createElement("p");
  p.textContent = text;
  section.append(h2, p);
  main.replaceChildren(section);
  main.setAttribute("aria-busy", "false");
}

async function token(forceRefresh = false) {
  const request = { scopes: [config.apiScope], account, forceRefresh };
  try {
    return (await pca.acquireTokenSilent(request)).accessToken;
  } catch {
    await pca.acquireTokenRedirect({ ...request, state: currentApproval() || "" });
    return new Promise(() => {}); // the page is leaving for the sign-in
  }
}

function currentApproval() {
  const section = main.querySelector("[data-goedkeuring]");
  return section ? section.dataset.goedkeuring : null;
}

async function fetchHtml(method, path, body, retried = false) {
  const headers = { Authorization: `Bearer ${await token(retried)}`, Accept: "text/html" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${config.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !retried) return fetchHtml(method, path, body, true);
  return response.text();
}

async function showList() {
  history.replaceState(null, "", `${config.baseUrl}/goedkeuren`);
  main.innerHTML = await fetchHtml("GET", `/pane/goedkeuren/inhoud?${new URLSearchParams({ mailbox: account.username })}`);
  main.setAttribute("aria-busy", "false");
}

async function showApproval(id) {
  history.replaceState(null, "", `${config.baseUrl}/goedkeuren/${encodeURIComponent(id)}`);
  main.innerHTML = await fetchHtml("GET", `/pane/goedkeuren/${encodeURIComponent(id)}/inhoud`);
  main.setAttribute("aria-busy", "false");
}

async function start() {
  pca = await msal.createStandardPublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: [new URL(config.authority).host],
      redirectUri: `${config.baseUrl}/goedkeuren`,
    },
    cache: { cacheLocation: "localStorage" },
  });
  const result = await pca.handleRedirectPromise();
  account = (result && result.account) || pca.getAllAccounts()[0] || null;
  if (!account) {
    await pca.loginRedirect({ scopes: [config.apiScope], state: config.approval || "", prompt: "select_account" });
    return;
  }
  pca.setActiveAccount(account);
  contextLine.textContent = account.name || account.username;
  const target = (result && result.state) || config.approval;
  if (target) await showApproval(target);
  else await showList();
}

bindApprovals(main, { fetchHtml, showList });
start().catch((error) => {
  problem("Aanmelden is niet gelukt", `Probeer het opnieuw. (${error.errorCode || error.message || error})`);
});
