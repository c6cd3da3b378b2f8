/*
 * The objects kubectl makes of one document's value (cli-runtime's FlattenListVisitor, v0.33 to
 * v0.36), apart from the reading (kubectl-reader.ts), so that a synth loads no YAML library:
 * - A value that is null or empty is no object; any other value that is not a JSON object is an error.
 * - An object with an `items` key is a list, whatever its kind; its items without kind and apiVersion
 *   take the list's kind without "List", and its apiVersion. An item whose `items` is an array is
 *   refused: kubectl takes it for a list it cannot flatten.
 */
import { isObject } from './manifest-index';

/**
 * An object of a document, and where it is: `['items', 3]` inside a list.
 * @internal
 */
export interface DocumentObject {
  readonly manifest: any;
  readonly path: ReadonlyArray<string | number>;
}

/**
 * The objects kubectl makes of a document's value, or why it refuses the document.
 * @internal
 */
export function kubectlObjects(value: unknown): { objects: DocumentObject[] } | { error: string; path: ReadonlyArray<string | number> } {
  if (value === null || value === undefined) {
    return { objects: [] };
  }
  if (!isObject(value)) {
    return { error: `the document is ${describe(value)}; kubectl reads only objects, each with a kind`, path: [] };
  }
  if (!Object.prototype.hasOwnProperty.call(value, 'items')) {
    return hasKind(value) ? { objects: [{ manifest: value, path: [] }] } : { error: missingKind(), path: [] };
  }
  // decodeToList: any object with "items" is a list
  const items = value.items;
  if (items !== null && !Array.isArray(items)) {
    return { error: `the document has "items" that is ${describe(items)}: kubectl reads an object with "items" as a list, whose items are an array`, path: ['items'] };
  }
  if (!hasKind(value)) {
    return { error: missingKind(), path: [] };
  }
  const itemKind = value.kind.endsWith('List') ? value.kind.slice(0, -'List'.length) : value.kind;
  const objects: DocumentObject[] = [];
  const pending: DocumentObject[] = [];
  for (let i = 0; i < (items ?? []).length; i++) {
    let item = items[i];
    if (item !== null && !isObject(item)) {
      return { error: `item ${i} of the list is ${describe(item)}; kubectl reads only objects`, path: ['items', i] };
    }
    if (!nonEmptyString(item?.kind) && !nonEmptyString(item?.apiVersion)) {
      // the items of a typed list, e.g. a PodList, take their kind from it
      item = { ...item, kind: itemKind, apiVersion: typeof value.apiVersion === 'string' ? value.apiVersion : '' };
    }
    pending.push({ manifest: item, path: ['items', i] });
  }
  for (const { manifest, path } of pending) {
    if (Array.isArray(manifest.items)) {
      // FlattenListVisitor takes it for a list, and ExtractList then fails on an item that is not one
      return {
        error: 'an item of the list has "items" itself: kubectl takes it for a list and cannot flatten it '
        + '("is not a list: no Items field in this object"); put its items in the outer list',
        path,
      };
    }
    if (!hasKind(manifest)) {
      return { error: missingKind(), path };
    }
    objects.push({ manifest, path });
  }
  return { objects };
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function hasKind(value: any): boolean {
  return nonEmptyString(value.kind);
}

function missingKind(): string {
  return 'the object has no kind, so kubectl cannot decode it ("Object \'Kind\' is missing"); give it a kind and an apiVersion';
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
