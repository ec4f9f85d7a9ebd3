// Start Swagger UI on the schema this gateway serves; never call the public validator.
(function () {
  "use strict";
  var box = document.getElementById("swagger");
  window.ui = SwaggerUIBundle({
    url: box.getAttribute("data-spec"),
    dom_id: "#swagger",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
  });
})();
