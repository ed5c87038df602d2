// Renders the served OpenAPI document as a page: paths, methods, request fields, statuses.
"use strict";

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = element("tr");
  for (const cell of cells) tr.append(element("td", cell));
  return tr;
}

function schemaFields(spec, ref) {
  const name = ref.split("/").pop();
  const schema = spec.components.schemas[name] || {};
  const table = element("table");
  table.append(row(["field", "required", "description"]));
  const required = new Set(schema.required || []);
  for (const [field, info] of Object.entries(schema.properties || {})) {
    table.append(row([field, required.has(field) ? "yes" : "no", info.description || ""]));
  }
  return table;
}

function render(spec) {
  const main = document.getElementById("paths");
  main.replaceChildren();
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const heading = element("h2");
      heading.append(element("span", method.toUpperCase(), "method"), path);
      main.append(heading, element("p", operation.summary || ""));
      if (operation.security && operation.security.some((s) => s.ApiKey)) {
        main.append(element("p", "Needs the X-API-Key header."));
      }
      const body = operation.requestBody && operation.requestBody.content["application/json"];
      if (body) main.append(schemaFields(spec, body.schema.$ref));
      const statuses = element("table");
      statuses.append(row(["status", "meaning"]));
      for (const [status, response] of Object.entries(operation.responses)) {
        statuses.append(row([status, response.description]));
      }
      main.append(statuses);
    }
  }
}

fetch("/api/iris/openapi.json")
  .then((reply) => reply.json())
  .then(render)
  .catch((error) => {
    document.getElementById("paths").textContent = "Could not load the document: " + error;
  });
