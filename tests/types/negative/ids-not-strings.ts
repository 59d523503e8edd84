// expect TS2322: result ids are strings, not numbers
import type { Engine } from '../../../web/index.js';
declare const engine: Engine;
export const ids: number[] = engine.rerank([1, 2]).ids;
