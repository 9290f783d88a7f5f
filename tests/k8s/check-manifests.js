// Checks every document of the Kubernetes manifests given on the command
// line against the schema of Kubernetes 1.27.1 (kubernetes-models 4.3.1),
// with unknown fields refused: the models accept them, so each object schema
// with properties is made closed before it is compiled.
//
//   node check-manifests.js FILE...     exit 0: all valid; 1: a document is not
"use strict";
const fs = require("fs");
const validate = require("@kubernetes-models/validate");
const YAML = require("yaml");

function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const copy = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = closed(value);
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}
const register = validate.register;
validate.register = (id, schema) => register(id, closed(schema));

const models = {
  "v1/Namespace": () => require("kubernetes-models/v1/Namespace").Namespace,
  "v1/ConfigMap": () => require("kubernetes-models/v1/ConfigMap").ConfigMap,
  "v1/Service": () => require("kubernetes-models/v1/Service").Service,
  "apps/v1/Deployment": () => require("kubernetes-models/apps/v1/Deployment").Deployment,
  "apps/v1/StatefulSet": () => require("kubernetes-models/apps/v1/StatefulSet").StatefulSet,
};

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const documents = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  documents.forEach((document, index) => {
    if (document.errors.length) {
      console.error(`${file}: document ${index + 1}: not YAML: ${document.errors[0].message}`);
      failed++;
      return;
    }
    const object = document.toJS();
    if (object === null) return;
    const kind = `${object.apiVersion}/${object.kind}`;
    const model = models[kind];
    if (!model) {
      console.error(`${file}: document ${index + 1}: ${kind} is not a kind this check knows`);
      failed++;
      return;
    }
    try {
      new (model())(object).validate();
      checked++;
    } catch (error) {
      console.error(`${file}: document ${index + 1} (${kind} ${object.metadata && object.metadata.name}): ${error.message}`);
      failed++;
    }
  });
}
console.log(`${checked} documents valid against Kubernetes 1.27.1, ${failed} not`);
process.exit(failed ? 1 : 0);
