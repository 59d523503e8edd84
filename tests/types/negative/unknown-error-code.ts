// expect TS2367: 'not_a_code' is not an ErrorCode
import { InterestEngineError } from '../../../web/index.js';
export function isIt(e: InterestEngineError): boolean {
  return e.code === 'not_a_code';
}
