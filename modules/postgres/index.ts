// The postgres state modules: roles, databases, schemas, extensions and tablespaces, run as the postgres system user
// with psql through the Host. pg_hba.conf / postgresql.conf are file states.
import type { StateModule } from '../../engine/contract.js';
import * as database from './database.js';
import * as extension from './extension.js';
import * as schema from './schema.js';
import * as tablespace from './tablespace.js';
import * as user from './user.js';

export const modules: Record<string, StateModule> = {
  postgres_user: { present: user.present, absent: user.absent },
  postgres_database: { present: database.present, absent: database.absent },
  postgres_extension: { present: extension.present, absent: extension.absent },
  postgres_schema: { present: schema.present, absent: schema.absent },
  postgres_tablespace: { present: tablespace.present, absent: tablespace.absent },
};
