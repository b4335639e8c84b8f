import { createTables } from './001-create-tables.js';
import { createIndexes } from './002-create-indexes.js';
import { commentTables } from './003-comment-tables.js';

export interface Bench3dMigration {
  id: string;
  sql: string;
}

/** Applied in this order; an applied migration is never edited, only followed by a new one. */
export const bench3dMigrations: readonly Bench3dMigration[] = [createTables, createIndexes, commentTables];
