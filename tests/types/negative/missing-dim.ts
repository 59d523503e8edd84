// expect TS2741: createEngine requires dim
import { createEngine } from '../../../web/index.js';
export const engine = createEngine({ capacity: 10 });
