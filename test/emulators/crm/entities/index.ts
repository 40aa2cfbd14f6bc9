// Oro's entity APIs (contacts, tasks, calendar events, audits); see README.md in this folder.
import type Database from 'better-sqlite3';
import type { Router } from '../../common/http';
import type { CrmContext } from '../context';
import { registerAuditRoutes } from './audit';
import { registerCalendarRoutes } from './calendar';
import { contactsResource } from './contacts';
import { registerQuirkRoutes } from './quirks';
import { regionsResource } from './regions';
import { guarded, registerResource } from './resources';
import { registerAsyncOperationRoutes } from './async-operations';
import { migrateEntityTables } from './schema';
import { seedDemoEntities } from './seed';
import { taskPrioritiesResource, tasksResource, taskStatusesResource } from './tasks';
import { registerView } from './view';

/** Creates the entity tables; idempotent. */
export function migrateEntities(db: Database.Database): void {
  migrateEntityTables(db);
}

/** Seeds demo records on a new database (after the core seeded the users). */
export function seedEntities(db: Database.Database): void {
  seedDemoEntities(db);
}

export function registerEntityRoutes(router: Router, ctx: CrmContext): void {
  registerResource(router, ctx, contactsResource);
  registerResource(router, ctx, tasksResource);
  registerResource(router, ctx, taskPrioritiesResource, true);
  registerResource(router, ctx, taskStatusesResource, true);
  registerResource(router, ctx, regionsResource, true);
  registerAsyncOperationRoutes(router, ctx, (handler) => guarded(ctx, handler));
  registerCalendarRoutes(router, ctx);
  registerAuditRoutes(router, ctx);
  registerView(router, ctx);
  registerQuirkRoutes(router, ctx.db);
}
