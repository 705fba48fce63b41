// Starts Swagger UI on the API reference page (/schema); the page allows no inline script.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    validatorUrl: null, // the badge would send the document to another host
  });
})();
