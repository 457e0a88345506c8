#!/usr/bin/env node
// Parses every .tf file under a directory (default: terraform/, the parent of this script) with
// HashiCorp's HCL parser, compiled to WebAssembly in @cdktf/hcl2json, and prints one JSON document:
//
//   {"files": [{"path": "modules/sluice/bucket.tf", "dir": "modules/sluice",
//               "hcl": {...the file as hcl2json renders it...},
//               "references": [{"at": "resource.aws_s3_bucket.tier.0.bucket", "ref": "var.bucket_name"}]}]}
//
// hcl2json keeps every expression as a "${...}" string; the references in each one are found by the
// same parser (getReferencesInExpression), so names inside string literals and for-expression
// iterators are not mistaken for references. Checking that the references resolve is the Java
// test's job (TerraformModuleTest); this script only fails when a file does not parse, naming it.
//
// Usage: node parse.js [DIR]   (run `npm ci` in this directory first)
"use strict";

const fs = require("fs");
const path = require("path");
const { parse, getReferencesInExpression } = require("@cdktf/hcl2json");

const SKIPPED_DIRS = new Set(["node_modules", ".terraform"]);

function tfFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) {
          walk(full);
        }
      } else if (entry.isFile() && entry.name.endsWith(".tf")) {
        found.push(full);
      }
    }
  };
  walk(root);
  return found;
}

// Where a string is not an expression: a variable's type constraint ("${map(string)}") and the
// attribute names of lifecycle.ignore_changes.
const NOT_EXPRESSIONS = [/^variable\.[^.]+\.\d+\.type$/, /\.lifecycle\.\d+\.ignore_changes(\.\d+)?$/];

// Every string (value or object key) holding an interpolation, with where it sits in the file.
function expressions(node, at, into) {
  if (NOT_EXPRESSIONS.some((pattern) => pattern.test(at))) {
    return into;
  }
  if (typeof node === "string") {
    if (node.includes("${")) {
      into.push({ at, expression: node });
    }
  } else if (Array.isArray(node)) {
    node.forEach((child, i) => expressions(child, `${at}.${i}`, into));
  } else if (node !== null && typeof node === "object") {
    for (const [key, child] of Object.entries(node)) {
      if (key.includes("${")) {
        into.push({ at: `${at}.<key>`, expression: key });
      }
      expressions(child, at === "" ? key : `${at}.${key}`, into);
    }
  }
  return into;
}

async function main() {
  const root = path.resolve(process.argv[2] || path.join(__dirname, ".."));
  const files = [];
  const failures = [];
  for (const file of tfFiles(root)) {
    const relative = path.relative(root, file).split(path.sep).join("/");
    try {
      const hcl = await parse(relative, fs.readFileSync(file, "utf8"));
      const references = [];
      for (const { at, expression } of expressions(hcl, "", [])) {
        for (const reference of await getReferencesInExpression(relative, expression)) {
          references.push({ at, ref: reference.value });
        }
      }
      files.push({ path: relative, dir: path.posix.dirname(relative), hcl, references });
    } catch (error) {
      failures.push(`${relative}: ${error && error.message ? error.message : error}`);
    }
  }
  if (failures.length > 0) {
    process.stderr.write(`HCL parse failed:\n${failures.join("\n")}\n`);
    process.exit(1);
  }
  if (files.length === 0) {
    process.stderr.write(`no .tf file under ${root}\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ root, files }, null, 1) + "\n");
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
