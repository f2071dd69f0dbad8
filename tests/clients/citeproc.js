// Formats CSL-JSON with citeproc-js (Zotero's engine): node citeproc.js STYLE.csl ITEMS.json
// prints the bibliography entries as a JSON array of plain-text strings, in the style's order.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const [styleFile, itemsFile] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsFile, "utf8"));
const byId = Object.fromEntries(items.map((item) => [item.id, item]));
const engine = new CSL.Engine(
  {
    retrieveLocale: () => fs.readFileSync(path.join(__dirname, "locales-en-US.xml"), "utf8"),
    retrieveItem: (id) => byId[id],
  },
  fs.readFileSync(styleFile, "utf8"),
  "en-US",
);
engine.setOutputFormat("text");
engine.updateItems(Object.keys(byId));
const [, entries] = engine.makeBibliography();
process.stdout.write(JSON.stringify(entries.map((e) => e.trim())));
