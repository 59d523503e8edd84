// expect TS2322: exclude is 'consumed' | 'none'
import type { Engine } from '../../../web/index.js';
declare const engine: Engine;
engine.rerank(['a'], { exclude: 'hidden' });
