// Starts Swagger UI on /api/docs. A file of ours rather than an inline script, so the page's
// Content-Security-Policy can say script-src 'self' and nothing more.
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // No call to validator.swagger.io: the schema stays on this machine, and the CSP forbids it.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
