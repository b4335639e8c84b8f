import { isPersonTable } from '../classify/classify-column.js';
import { tokenizeName } from '../classify/tokenize-name.js';
import type { ForeignKeyFacts, SchemaFacts, TableFacts } from '../classify/read-schema-facts.js';

/** How a table reaches the person it belongs to: directly by a foreign key, or through one parent. */
export interface Owner {
  person: TableFacts;
  /** The table's own foreign key on the way (to the person, or to the parent). */
  via: ForeignKeyFacts;
  /** Set when the table reaches the person through a parent: the parent's foreign key to the person. */
  parentVia: ForeignKeyFacts | undefined;
}

/**
 * Pure: the tables that hold people (named like users, customers, and not themselves
 * below another such table), and for every other table the person table it reaches by
 * its foreign keys, nearest first (one hop, else two).
 */
export function findOwners(facts: SchemaFacts, personTableWords: string[] = []): { persons: TableFacts[]; owners: Map<string, Owner>; holds: TableFacts[] } {
  const candidates = facts.tables.filter((table) => isPersonTable(table.name, personTableWords));
  const persons = candidates.filter((table) => !facts.foreignKeys.some((fk) => fk.table === table.name && fk.referencedTable !== table.name && candidates.some((other) => other.name === fk.referencedTable)));
  const personNames = new Set(persons.map((table) => table.name));
  const holds = facts.tables.filter((table) => isHoldTable(table) && !personNames.has(table.name));
  const owners = new Map<string, Owner>();
  const outgoing = (table: string) => facts.foreignKeys.filter((fk) => fk.table === table && fk.referencedTable !== table);
  for (const table of facts.tables) {
    if (personNames.has(table.name)) continue;
    const direct = outgoing(table.name).find((fk) => personNames.has(fk.referencedTable));
    if (direct) {
      owners.set(table.name, { person: persons.find((person) => person.name === direct.referencedTable)!, via: direct, parentVia: undefined });
      continue;
    }
    for (const fk of outgoing(table.name)) {
      const parentVia = outgoing(fk.referencedTable).find((parentFk) => personNames.has(parentFk.referencedTable));
      if (parentVia) {
        owners.set(table.name, { person: persons.find((person) => person.name === parentVia.referencedTable)!, via: fk, parentVia });
        break;
      }
    }
  }
  return { persons, owners, holds };
}

/** A table of legal holds (legal_holds, litigation_hold): the source of `holds`, never a rule's target. */
export function isHoldTable(table: TableFacts): boolean {
  return tokenizeName(table.relname).some((word) => word === 'hold' || word === 'holds');
}
