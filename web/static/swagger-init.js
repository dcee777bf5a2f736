// Swagger UI's start-up, as a file rather than the inline script flask-smorest's template has:
// the Content-Security-Policy allows scripts from this origin only (script-src 'self').
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.dataset.config || "{}");
  config.url = container.dataset.specUrl;
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
});
