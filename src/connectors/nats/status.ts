/** The reason text of an error (NATS, Redis): the kit's, under the name these connectors use. */
export { reasonOf as errorText } from '../../kit/reason.js';
export { StatusCell } from '../../kit/status-cell.js';
