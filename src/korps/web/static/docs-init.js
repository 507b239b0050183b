// Swagger UI on /docs: the API's own OpenAPI document; an API token goes in "Authorize".
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
