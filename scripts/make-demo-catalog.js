// Writes the demo's built-in catalog in the pipeline's JSON formats, so the same data
// can go through the tools (or back into the demo with ?catalog=...&meta=...):
//   node scripts/make-demo-catalog.js [out-dir]    (default: build/demo-catalog)
//   -> demo-catalog.json       {"format":"interest-engine-catalog","version":1,"dim":32,"items":[...]}
//   -> demo-catalog.meta.json  {"items":{"<id>":{"title":...,"tags":[topic, ...],"popularity":...}}}
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCatalog, toJsonFormat } from '../web/demo/catalog.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'build', 'demo-catalog'));
const { catalog, meta } = toJsonFormat(builtinCatalog());
await fs.mkdir(out, { recursive: true });
await fs.writeFile(path.join(out, 'demo-catalog.json'), JSON.stringify(catalog) + '\n');
await fs.writeFile(path.join(out, 'demo-catalog.meta.json'), JSON.stringify(meta, null, 2) + '\n');
console.log(`wrote ${catalog.items.length} items (dim ${catalog.dim}) to ${out}`);
