// The mysql state modules (Salt's mysql_user, mysql_database, mysql_grants) on MariaDB/MySQL,
// through the mysql client on the target.
import type { StateModule } from '../../engine/contract.js';
import * as database from './database.js';
import * as grants from './grants.js';
import * as user from './user.js';

export const modules: Record<string, StateModule> = {
  mysql_user: { present: user.present, absent: user.absent },
  mysql_database: { present: database.present, absent: database.absent },
  mysql_grants: { present: grants.present, absent: grants.absent },
};
