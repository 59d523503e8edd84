// expect TS2820: 'clicked' is not an EventType
import type { Engine } from '../../../web/index.js';
declare const engine: Engine;
engine.observe({ item: 'a', type: 'clicked', time: 0 });
