import { sqlSinkBehaviour } from './behaviour.js';
import { mysqlTarget } from './targets.js';

sqlSinkBehaviour(mysqlTarget);
