// The approval page outside Outlook (the link in the notice mail, on a phone): MSAL.js's
// standard client signs in with a full-page redirect (authorization code + PKCE); which
// approval was opened travels in the sign-in's state. The decisions work as in the pane: the
// same fragments, the same dispatcher (fragmenten.js), the same error box (fout.js).
import { bindApprovals } from "./approvals.js";
import { failure, showError } from "./fout.js";
import { fragments } from "./fragmenten.js";

const config = JSON.parse(document.getElementById("pane-config").textContent);
const urls = document.body.dataset; // this page, the list and one approval ({id}), from the routes
const main = document.getElementById("inhoud");
const contextLine = document.getElementById("context");
let pca = null;
let account = null;

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

const page = fragments(main, { token, selection: () => ({ mailbox: account && account.username }) });

function address(template, id) {
  return template.replace("{id}", encodeURIComponent(id));
}

async function show(here, url, query) {
  history.replaceState(null, "", here);
  try {
    const answer = await page.request("GET", url, query);
    page.swap(main, answer.html);
    main.setAttribute("aria-busy", "false");
  } catch (error) {
    showError(main, { ...failure(error), retry: true });
  }
}

function showList() {
  return show(urls.urlPagina, urls.urlLijst, { mailbox: account.username });
}

function showApproval(id) {
  return show(address(urls.urlPaginaGoedkeuring, id), address(urls.urlGoedkeuring, id));
}

async function start() {
  pca = await msal.createStandardPublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: [new URL(config.authority).host],
      redirectUri: urls.urlPagina,
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

bindApprovals(main, { showList });
main.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='opnieuw']")) location.reload();
});
start().catch((error) => showError(main, { ...failure(error), retry: true }));
