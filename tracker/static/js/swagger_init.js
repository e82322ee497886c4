// Starts Swagger UI on /api/v1/docs from the container's data- attributes (no inline script:
// the pages run under a strict Content-Security-Policy).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui-container");
  if (!node || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var config = { url: node.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var extra = JSON.parse(node.dataset.config || "{}");
  Object.keys(extra).forEach(function (key) {
    config[key] = extra[key];
  });
  window.ui = SwaggerUIBundle(config);
})();
