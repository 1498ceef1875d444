import { sqlSinkBehaviour } from './behaviour.js';
import { postgresTarget } from './targets.js';

sqlSinkBehaviour(postgresTarget);
