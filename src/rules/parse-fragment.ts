import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { LetheError } from '../errors.js';

/**
 * Rule fragments are checked by PostgreSQL's own parser (libpg-query, the
 * server's grammar compiled to WebAssembly), never by scanning text: a
 * fragment must parse as exactly the one node its key allows, so that no text
 * can change the meaning of the statement it is embedded in.
 *
 * - `predicate` (`where`, `hold`) and `value` (`clock`, `subject`): one expression;
 * - `join`: join clauses hanging off the rule's own table, nothing else;
 * - `query` (`holds.subjects`): one SELECT of one column.
 */
export type FragmentKind = 'predicate' | 'value' | 'join' | 'query';

export interface FragmentProblem {
  check: 'sql-syntax' | 'sql-shape' | 'sql-parameter';
  message: string;
  /** 0-based character offset inside the fragment, when the parser gave one. */
  offset: number | undefined;
}

interface Parser {
  parseSync(sql: string): { stmts: { stmt: Record<string, unknown> }[] };
  loadModule(): Promise<void>;
}

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Loads the WebAssembly parser once (about 25 ms); every fragment check needs it. */
export async function loadFragmentParser(): Promise<void> {
  if (parser) return;
  loading ??= (async () => {
    // Baseline (Liftoff) code only: the optimizing tier would recompile the whole parser on
    // background threads, three times the CPU of everything else `validate` does, for a few
    // dozen short fragments. Affects WebAssembly only, and the parser is Lethe's only module.
    setFlagsFromString('--liftoff-only');
    // libpg-query is CommonJS: its named exports are not visible to an ESM import.
    const module = createRequire(import.meta.url)('libpg-query') as Parser;
    await module.loadModule();
    parser = module;
    return module;
  })();
  await loading;
}

function requireParser(): Parser {
  if (!parser) throw new LetheError('INTERNAL', 'the SQL fragment parser was used before it was loaded', { hint: 'call loadFragmentParser() first' });
  return parser;
}

type Node = Record<string, unknown>;

interface Wrapper {
  prefix: string;
  suffix: string;
}

const EXPRESSION: Wrapper = { prefix: 'SELECT ', suffix: '' };
/** How statements embed a predicate or value: on its own lines inside parentheses. */
const EMBEDDED: Wrapper = { prefix: 'SELECT (\n', suffix: '\n)' };

/** Checks a fragment for its kind; undefined when it is exactly one node of that kind. */
export function checkFragment(kind: FragmentKind, text: string, target?: { schema: string | undefined; name: string }): FragmentProblem | undefined {
  if (text.trim() === '') return { check: 'sql-shape', message: 'is empty', offset: undefined };
  switch (kind) {
    case 'predicate':
    case 'value':
      return checkExpression(kind, text);
    case 'join':
      return checkJoin(text, target ?? { schema: undefined, name: 'lethe_target' });
    case 'query':
      return checkQuery(text);
  }
}

function checkExpression(kind: 'predicate' | 'value', text: string): FragmentProblem | undefined {
  const parsed = parseWrapped(text, EXPRESSION);
  if ('problem' in parsed) return parsed.problem;
  if (parsed.stmts.length > 1) return shape(SECOND_STATEMENT);
  const select = onlySelect(parsed.stmts);
  const what = kind === 'predicate' ? 'one boolean expression' : 'one value expression';
  if (!select || !hasOnlyKeys(select, ['targetList'])) return shape(`must be ${what}, not a clause or a statement (it would change the statement around it)`);
  const targets = select.targetList as Node[];
  if (targets.length !== 1) return shape(`must be ${what}; a top-level comma makes it several`);
  const target = (targets[0]!.ResTarget ?? {}) as Node;
  if (target.name !== undefined) return shape(`must be ${what}, without an alias`);
  const embedded = parseWrapped(text, EMBEDDED);
  if ('problem' in embedded) return embedded.problem;
  return findForbiddenNode(parsed.stmts);
}

function checkJoin(text: string, target: { schema: string | undefined; name: string }): FragmentProblem | undefined {
  const table = target.schema ? `${quote(target.schema)}.${quote(target.name)}` : quote(target.name);
  const parsed = parseWrapped(text, { prefix: `SELECT 1 FROM ${table}\n`, suffix: '\n' });
  if ('problem' in parsed) return parsed.problem;
  if (parsed.stmts.length > 1) return shape(SECOND_STATEMENT);
  const select = onlySelect(parsed.stmts);
  if (!select || !hasOnlyKeys(select, ['targetList', 'fromClause'])) return shape('must be join clauses only (JOIN ... ON ...): no WHERE, GROUP BY, ORDER BY, LIMIT or a second statement');
  const from = select.fromClause as Node[];
  if (from.length !== 1) return shape('must be join clauses only: a top-level comma adds a cross join to other tables');
  if (!('JoinExpr' in from[0]!)) return shape('must start with JOIN (or LEFT JOIN, ...)');
  let left: Node = from[0]!;
  while ('JoinExpr' in left) left = (left.JoinExpr as Node).larg as Node;
  const range = left.RangeVar as Node | undefined;
  if (!range || range.relname !== target.name || range.location !== 14) return shape("must join onto the rule's own table");
  return findForbiddenNode(parsed.stmts);
}

function checkQuery(text: string): FragmentProblem | undefined {
  const parsed = parseWrapped(text, { prefix: '', suffix: '' });
  if ('problem' in parsed) return parsed.problem;
  if (parsed.stmts.length > 1) return shape(SECOND_STATEMENT);
  const select = onlySelect(parsed.stmts);
  if (!select) return shape('must be one SELECT statement');
  if (select.intoClause || select.lockingClause) return shape('must be a plain SELECT: no INTO, no FOR UPDATE');
  if (select.valuesLists) return shape('must be a SELECT of the held subjects, not VALUES');
  if (!returnsOneColumn(select)) return shape('must select exactly one column: the subject values on hold');
  const embedded = parseWrapped(text, { prefix: 'SELECT ARRAY(\n', suffix: '\n)' });
  if ('problem' in embedded) return embedded.problem;
  return findForbiddenNode(parsed.stmts);
}

function returnsOneColumn(select: Node): boolean {
  if (select.op && select.op !== 'SETOP_NONE') return returnsOneColumn(select.larg as Node);
  const targets = select.targetList as Node[] | undefined;
  if (!targets || targets.length !== 1) return false;
  const value = (targets[0]!.ResTarget as Node).val as Node;
  const star = value.ColumnRef && ((value.ColumnRef as Node).fields as Node[]).some((field) => 'A_Star' in field);
  return !star;
}

function parseWrapped(text: string, wrapper: Wrapper): { stmts: { stmt: Node }[] } | { problem: FragmentProblem } {
  const sql = `${wrapper.prefix}${text}${wrapper.suffix}`;
  try {
    return requireParser().parseSync(sql) as { stmts: { stmt: Node }[] };
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const position = details?.cursorPosition;
    const offset = position === undefined ? undefined : Math.max(0, Math.min(text.length, position - wrapper.prefix.length));
    const message = details?.message ?? (error as Error).message;
    const near = offset === undefined ? '' : ` at character ${offset + 1} of the fragment`;
    const why = /at or near "\)"/.test(message) ? ' (a parenthesis the fragment does not open would step out of it)' : '';
    return { problem: { check: 'sql-syntax', message: `is not valid SQL here: ${message}${near}${why}`, offset } };
  }
}

const SECOND_STATEMENT = 'must be a single piece of SQL: a ; here would end the statement and start another';

function onlySelect(stmts: { stmt: Node }[]): Node | undefined {
  if (stmts.length !== 1) return undefined;
  return stmts[0]!.stmt.SelectStmt as Node | undefined;
}

const NEUTRAL_KEYS = new Set(['limitOption', 'op']);

function hasOnlyKeys(select: Node, allowed: string[]): boolean {
  if (select.op !== 'SETOP_NONE' || select.limitOption !== 'LIMIT_OPTION_DEFAULT') return false;
  return Object.keys(select).every((key) => NEUTRAL_KEYS.has(key) || allowed.includes(key));
}

/**
 * `$1` would read Lethe's own bound values (cutoffs, keys); a statement that
 * writes has no place in a selection; `set_config` could switch off
 * standard_conforming_strings and make the server lex later statements
 * differently from the parser that checked them.
 */
function findForbiddenNode(stmts: unknown): FragmentProblem | undefined {
  const kinds = new Set<string>();
  let setsConfig = false;
  collect(stmts, (key, node) => {
    kinds.add(key);
    if (key !== 'FuncCall') return;
    const name = ((node.funcname as Node[] | undefined) ?? []).map((part) => (part.String as Node | undefined)?.sval).pop();
    if (typeof name === 'string' && name.toLowerCase() === 'set_config') setsConfig = true;
  });
  if (kinds.has('ParamRef')) return { check: 'sql-parameter', message: 'may not use $n parameters: values in rules are written as literals', offset: undefined };
  if (WRITING_NODES.some((kind) => kinds.has(kind))) return shape('may not modify data: a fragment selects rows, it does not write');
  if (setsConfig) return shape('may not call set_config: a fragment must not change the session it runs in');
  return undefined;
}

const WRITING_NODES = ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'];

function shape(message: string): FragmentProblem {
  return { check: 'sql-shape', message, offset: undefined };
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The tables and columns a fragment names, from its parse tree. */
export interface FragmentReferences {
  /** Tables in FROM/JOIN clauses and subqueries, as written (schema may be undefined). */
  tables: { schema: string | undefined; name: string }[];
  /** Column references: `[table, column]` or `[column]`, as the parser resolved the quoting. */
  columns: string[][];
}

export function readFragmentReferences(kind: FragmentKind, text: string): FragmentReferences {
  const sql = kind === 'query' ? text : kind === 'join' ? `SELECT 1 FROM lethe_target\n${text}\n` : `SELECT ${text}`;
  const tree = requireParser().parseSync(sql);
  const tables: FragmentReferences['tables'] = [];
  const columns: string[][] = [];
  collect(tree.stmts, (key, node) => {
    if (key === 'RangeVar') {
      const name = node.relname as string;
      if (!(kind === 'join' && name === 'lethe_target' && node.location === 14)) tables.push({ schema: node.schemaname as string | undefined, name });
    } else if (key === 'ColumnRef') {
      const fields = (node.fields as Node[]).map((field) => (field.String as Node | undefined)?.sval as string | undefined);
      if (fields.every((field): field is string => field !== undefined)) columns.push(fields);
    }
  });
  return { tables, columns };
}

/** The column a clock names when it is nothing but a column: `created_at`, `"t"."Created"`. */
export function readBareColumn(text: string): { table: string | undefined; column: string } | undefined {
  const tree = requireParser().parseSync(`SELECT ${text}`);
  const value = (((tree.stmts[0]?.stmt.SelectStmt as Node | undefined)?.targetList as Node[] | undefined)?.[0]?.ResTarget as Node | undefined)?.val as Node | undefined;
  const ref = value?.ColumnRef as Node | undefined;
  if (!ref) return undefined;
  const fields = (ref.fields as Node[]).map((field) => (field.String as Node | undefined)?.sval as string | undefined);
  if (fields.some((field) => field === undefined)) return undefined;
  if (fields.length === 1) return { table: undefined, column: fields[0]! };
  if (fields.length === 2) return { table: fields[0], column: fields[1]! };
  if (fields.length === 3) return { table: fields[1], column: fields[2]! };
  return undefined;
}

function collect(value: unknown, visit: (key: string, node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, visit);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (child && typeof child === 'object' && !Array.isArray(child) && /^[A-Z]/.test(key)) visit(key, child as Node);
      collect(child, visit);
    }
  }
}

/** What a partition's bound (`pg_get_expr(relpartbound)`) says, read with the server's grammar. */
export type PartitionBound =
  | { kind: 'default' }
  | { kind: 'range'; lower: BoundDatum[]; upper: BoundDatum[] }
  | { kind: 'list' }
  | { kind: 'hash' };

/** A literal's text as the catalog printed it, or MINVALUE/MAXVALUE. */
export type BoundDatum = { literal: string } | { infinite: 'minvalue' | 'maxvalue' };

export function parsePartitionBound(bound: string): PartitionBound {
  const tree = requireParser().parseSync(`CREATE TABLE lethe_partition PARTITION OF lethe_parent ${bound}`);
  const spec = ((tree.stmts[0]?.stmt.CreateStmt as Node | undefined)?.partbound ?? {}) as Node;
  if (spec.is_default) return { kind: 'default' };
  if (spec.strategy === 'l') return { kind: 'list' };
  if (spec.strategy === 'h') return { kind: 'hash' };
  const datums = (list: unknown): BoundDatum[] =>
    ((list as Node[] | undefined) ?? []).map((datum): BoundDatum => {
      const constant = datum.A_Const as Node | undefined;
      if (constant) {
        const value = Object.entries(constant).find(([key]) => key !== 'location' && key !== 'isnull');
        const inner = value?.[1] as Node | undefined;
        const text = inner ? Object.values(inner)[0] : undefined;
        return { literal: String(text) };
      }
      const name = (((datum.ColumnRef as Node | undefined)?.fields as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
      return { infinite: name === 'minvalue' ? 'minvalue' : 'maxvalue' };
    });
  return { kind: 'range', lower: datums(spec.lowerdatums), upper: datums(spec.upperdatums) };
}
