import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export type KeyPath = (string | number)[];

/** A parsed YAML document that can say where any key path stands in its file. */
export interface PositionedDocument {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export function parsePositioned(file: string, text: string): PositionedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { file, doc, lineCounter };
}

/**
 * How deeply `[` and `{` nest outside quotes and comments, found in one pass
 * before parsing: the YAML composer recurses per level and a file of nested
 * brackets would exhaust the stack. Returns the offset where `limit` is passed.
 */
export function findFlowDepthOver(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if ((char === '"' || char === "'") && startsScalar(text, index)) {
      index = closingQuote(text, index, char);
    } else if (char === '#' && (index === 0 || /\s/.test(text[index - 1]!))) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
    } else if (char === '[' || char === '{') {
      if (++depth > limit) return index;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** A quote opens a quoted scalar only where a value starts: after `: `, `- `, `[`, `{`, `,` or at a line's start. */
function startsScalar(text: string, index: number): boolean {
  let before = index - 1;
  while (before >= 0 && (text[before] === ' ' || text[before] === '\t')) before--;
  return before < 0 || '\n:-[{,?'.includes(text[before]!);
}

function closingQuote(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index++) {
    if (quote === '"' && text[index] === '\\') index++;
    else if (text[index] === quote) {
      if (quote === "'" && text[index + 1] === "'") index++;
      else return index;
    }
  }
  return text.length;
}

/** The deepest nesting of mappings and lists in a parsed document, walked without recursion. */
export function findNodeDepthOver(positioned: PositionedDocument, limit: number): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: positioned.doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > limit) return rangeStart(node);
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Line and column (1-based) of the value at `path`, or of its key when
 * `atKey` is set; falls back to the deepest part of the path that exists.
 */
export function locate(positioned: PositionedDocument, path: KeyPath, atKey = false): { line: number; column: number } {
  let node: unknown = positioned.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (atKey && index === path.length - 1 && keyStart !== undefined) {
        offset = keyStart;
        node = undefined;
        break;
      }
      node = pair.value;
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  const position = positioned.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** `rules[0].phases[1].after` — the form every message uses. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out || '(file)';
}
