// Runs a native tool from build/native with the arguments after `--` (npm run train -- ...).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [tool, ...args] = process.argv.slice(2);
const result = spawnSync(path.join(root, 'build', 'native', tool), args, { stdio: 'inherit' });
if (result.error) {
  console.error(`${tool}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
