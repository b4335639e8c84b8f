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
