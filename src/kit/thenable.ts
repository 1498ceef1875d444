export { isThenableValue as isThenable } from '../expr/thenable.js';
