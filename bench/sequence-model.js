// The GRU the node benchmarks load (bench/run.js, bench/ab.js): node only, so it is not in
// bench/suite.js, which the browser page loads too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A GRU (H 64) over the suite's item ids (`item-0` .. `item-999`), trained by our own tool
 * (`<root>/build/native/interest-eval`) on a small synthetic log (its quality does not
 * matter here, only its size), or null without the tool.
 */
export function benchSequenceModel(root) {
  const tool = path.join(root, 'build/native/interest-eval');
  if (!fs.existsSync(tool)) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-bench-'));
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 200; u++) for (let s = 0; s < 12; s++) lines.push(`u${u},item-${(u * 13 + s * 7) % 1000},${1000 + s}`);
  fs.writeFileSync(path.join(dir, 'log.csv'), lines.join('\n') + '\n');
  execFileSync(tool, ['--data', path.join(dir, 'log.csv'), '--task', 'loo', '--sequence', '--seq-hidden', '64',
    '--seq-epochs', '1', '--seq-out', path.join(dir, 'bench.ieseq'), '--quiet'], { stdio: 'ignore' });
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'bench.ieseq')));
  fs.rmSync(dir, { recursive: true, force: true });
  return bytes;
}
