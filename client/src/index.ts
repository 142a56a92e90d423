export { SwitchboardError } from './switchboard-error.js';
