import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * A schema with Chinook's shape: quoted CamelCase names, customers whose
 * activity clock is derived from their invoices, invoices with lines, playlists
 * with a composite-key child, varchar columns. The data is fixed relative to NOW.
 */
export const CHINOOK_NOW = '2026-12-01T00:00:00.000Z';

export const CHINOOK_SCHEMA = `
CREATE TABLE "Customer" (
  "CustomerId" integer PRIMARY KEY,
  "FirstName" varchar(40) NOT NULL,
  "LastName" varchar(20) NOT NULL,
  "Email" varchar(60),
  "Phone" varchar(24),
  "AnonymizedAt" timestamptz
);
CREATE TABLE "Invoice" (
  "InvoiceId" integer PRIMARY KEY,
  "CustomerId" integer NOT NULL REFERENCES "Customer" ("CustomerId"),
  "InvoiceDate" timestamp NOT NULL,
  "BillingCity" varchar(40),
  "Total" numeric(10,2) NOT NULL
);
CREATE INDEX "IFK_InvoiceCustomerId" ON "Invoice" ("CustomerId");
CREATE TABLE "InvoiceLine" (
  "InvoiceLineId" integer PRIMARY KEY,
  "InvoiceId" integer NOT NULL REFERENCES "Invoice" ("InvoiceId") ON DELETE CASCADE,
  "TrackId" integer NOT NULL,
  "UnitPrice" numeric(10,2) NOT NULL,
  "Quantity" integer NOT NULL,
  "LineDate" timestamp NOT NULL
);
CREATE INDEX "IFK_InvoiceLineInvoiceId" ON "InvoiceLine" ("InvoiceId");
CREATE TABLE "Playlist" (
  "PlaylistId" integer PRIMARY KEY,
  "Name" varchar(120),
  "CreatedAt" timestamptz NOT NULL
);
CREATE TABLE "PlaylistTrack" (
  "PlaylistId" integer NOT NULL REFERENCES "Playlist" ("PlaylistId") ON DELETE CASCADE,
  "TrackId" integer NOT NULL,
  PRIMARY KEY ("PlaylistId", "TrackId")
);

-- 60 customers; customer i has (i % 5) + 1 invoices, i*20 + j*30 days before now; 3 lines each.
INSERT INTO "Customer" ("CustomerId", "FirstName", "LastName", "Email", "Phone")
SELECT i, 'First' || i, 'Last' || i, 'customer' || i || '@example.com', '+1 555 01' || lpad(i::text, 2, '0')
FROM generate_series(1, 60) AS i;
INSERT INTO "Invoice" ("InvoiceId", "CustomerId", "InvoiceDate", "BillingCity", "Total")
SELECT i * 10 + j, i, TIMESTAMP '${CHINOOK_NOW.slice(0, 10)}' - make_interval(days => i * 20 + j * 30), 'City' || i, (i + j)::numeric
FROM generate_series(1, 60) AS i, generate_series(1, 5) AS j WHERE j <= (i % 5) + 1;
INSERT INTO "InvoiceLine" ("InvoiceLineId", "InvoiceId", "TrackId", "UnitPrice", "Quantity", "LineDate")
SELECT "InvoiceId" * 10 + k, "InvoiceId", k, 0.99, 1, "InvoiceDate" FROM "Invoice", generate_series(1, 3) AS k;
-- Unicode and spaces in names; a second schema whose child table has no ON DELETE CASCADE.
CREATE TABLE "Straße Kunden" ("Kunden Nr" integer PRIMARY KEY, "Straße" varchar(40), "Geändert" timestamptz NOT NULL);
INSERT INTO "Straße Kunden" SELECT i, 'Hauptstraße ' || i, TIMESTAMPTZ '${CHINOOK_NOW}' - make_interval(days => i * 100) FROM generate_series(1, 10) AS i;
CREATE SCHEMA store;
CREATE TABLE store."Order" ("OrderId" integer PRIMARY KEY, "PlacedAt" timestamptz NOT NULL);
CREATE TABLE store."OrderLine" ("OrderLineId" integer PRIMARY KEY, "OrderId" integer NOT NULL REFERENCES store."Order" ("OrderId"));
INSERT INTO store."Order" SELECT i, TIMESTAMPTZ '${CHINOOK_NOW}' - make_interval(days => i * 100) FROM generate_series(1, 10) AS i;
INSERT INTO store."OrderLine" SELECT i, i FROM generate_series(1, 10) AS i;
-- 20 playlists, p*40 days old, 2 tracks each.
INSERT INTO "Playlist" ("PlaylistId", "Name", "CreatedAt")
SELECT p, 'Playlist ' || p, TIMESTAMPTZ '${CHINOOK_NOW}' - make_interval(days => p * 40) FROM generate_series(1, 20) AS p;
INSERT INTO "PlaylistTrack" ("PlaylistId", "TrackId") SELECT p, t FROM generate_series(1, 20) AS p, generate_series(1, 2) AS t;
`;

export async function createChinookDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ empty: true });
  try {
    await database.db.raw(CHINOOK_SCHEMA);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** The customers' activity: their last invoice, through a join to an aggregate. */
export const CUSTOMER_ACTIVITY_JOIN = `JOIN (SELECT "CustomerId", max("InvoiceDate") AS "LastInvoice" FROM "Invoice" GROUP BY "CustomerId") AS activity ON activity."CustomerId" = "Customer"."CustomerId"`;

export const INVOICES_RULE = `category: invoices
rules:
  - id: invoices
    table: Invoice
    clock: '"Invoice"."InvoiceDate"'
    phases:
      - { after: 3y, action: delete }
`;

export const CUSTOMERS_RULE = `category: customers
rules:
  - id: customers
    table: Customer
    join: '${CUSTOMER_ACTIVITY_JOIN}'
    clock: activity."LastInvoice"
    phases:
      - after: 2y
        action: anonymize
        set:
          Email: null
          Phone: null
          FirstName: { value: "former customer" }
`;

export const PLAYLISTS_RULE = `category: playlists
rules:
  - id: playlists
    table: Playlist
    clock: '"Playlist"."CreatedAt"'
    phases:
      - { after: 1y, action: delete }
`;

/** A temporary rules folder with these files (name -> text). */
export function writeRulesFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-chinook-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
