// expect TS2353: recommend takes no serverScores
import type { Engine } from '../../../web/index.js';
declare const engine: Engine;
engine.recommend(3, { serverScores: [1, 2, 3] });
