// What every CRM emulator route module receives. The core (server.ts) builds it.
import type Database from 'better-sqlite3';
import type { Faults } from '../common/faults';
import type { Request } from '../common/http';

export interface CrmUser {
  id: number;
  username: string;
  organizationId: number;
  isAdmin: boolean;
}

export interface CrmContext {
  db: Database.Database;
  faults: Faults;
  /** The emulator's clock; tests may replace it. */
  now(): Date;
  /** The signed-in user from `Authorization: Bearer`, or null (the route then answers 401 with an empty body). */
  authenticate(req: Request): CrmUser | null;
  /** e.g. http://127.0.0.1:4100, for Location headers and HATEOAS links. */
  baseUrl(): string;
}
