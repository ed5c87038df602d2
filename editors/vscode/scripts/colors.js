// Writes package.json's contributes.colors from out/palette.js (`npm run colors` after a
// palette change); the unit tests check the two agree.
const fs = require("node:fs");
const path = require("node:path");
const { colorContributions } = require("../out/palette.js");

const file = path.join(__dirname, "..", "package.json");
const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
manifest.contributes.colors = colorContributions();
fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
