// Oro's entity APIs (contacts, tasks, calendar events, audits). Filled in by the entity-API work (issue 3).
import type Database from 'better-sqlite3';
import type { Router } from '../../common/http';
import type { CrmContext } from '../context';

/** Creates the entity tables; idempotent. */
export function migrateEntities(_db: Database.Database): void {}

/** Seeds demo records on a new database. */
export function seedEntities(_db: Database.Database): void {}

export function registerEntityRoutes(_router: Router, _ctx: CrmContext): void {}
