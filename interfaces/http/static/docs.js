// Renders /docs from the API document with the Swagger UI bundle Quill serves itself.
// A file rather than an inline script so that the page's CSP can forbid inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null, // the default badge would call an outside validator
    tryItOutEnabled: false,
  });
});
