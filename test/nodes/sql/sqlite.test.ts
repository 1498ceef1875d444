import { sqlSinkBehaviour } from './behaviour.js';
import { sqliteTarget } from './targets.js';

sqlSinkBehaviour(sqliteTarget);
