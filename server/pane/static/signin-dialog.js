// The documented fallback when Outlook offers no nested app authentication: this page runs in an
// Office dialog, signs in with MSAL.js's standard client (authorization code + PKCE, full-page
// redirect), and hands the access token to the task pane with messageParent.
const config = JSON.parse(document.getElementById("pane-config").textContent);
const status = document.getElementById("status");

function reply(message) {
  Office.context.ui.messageParent(JSON.stringify(message));
}

Office.onReady(async () => {
  try {
    const pca = await msal.createStandardPublicClientApplication({
      auth: {
        clientId: config.clientId,
        authority: config.authority,
        knownAuthorities: [new URL(config.authority).host],
        redirectUri: `${location.origin}${location.pathname}`,
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    const result = await pca.handleRedirectPromise();
    if (result && result.accessToken) {
      reply({ accessToken: result.accessToken, expiresOn: result.expiresOn.getTime() });
      return;
    }
    await pca.loginRedirect({ scopes: [config.apiScope], prompt: "select_account" });
  } catch (error) {
    status.textContent = `Aanmelden is niet gelukt: ${error.errorMessage || error.message || error}`;
    status.setAttribute("role", "alert");
    reply({ error: status.textContent });
  }
});
