// Runtime checks of public inputs: TypeScript's types vanish for JavaScript callers and for
// values cast from `process.env`. Messages name the place, the property and the type received,
// never the value: some of these values are credentials.

import { isObject } from './manifest-index';

/** `undefined`, `null`, `a number`, `an array`, ... */
export function typeOf(value: unknown): string {
  if (value === '') {
    return 'an empty string';
  }
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Throws the one shape of input error: where, which property, what came, what is expected. */
export function invalid(where: string, property: string, value: unknown, expected: string): never {
  throw new Error(`${where}: ${property} is ${typeOf(value)}; expected ${expected}`);
}

/** `value` must be an object (props, options); `undefined` is allowed when `optional`. */
export function checkObject(where: string, property: string, value: unknown, optional = false): void {
  if (!(optional && value === undefined) && !isObject(value)) {
    invalid(where, property, value, optional ? 'an object or nothing' : 'an object');
  }
}

/** `value` must be a non-empty string; `undefined` is allowed when `optional`. */
export function checkString(where: string, property: string, value: unknown, optional = false): void {
  if (optional && value === undefined) {
    return;
  }
  if (typeof value !== 'string' || value === '') {
    invalid(where, property, value, 'a non-empty string');
  }
}

/** `value` must be a boolean; `undefined` is allowed. */
export function checkBoolean(where: string, property: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    invalid(where, property, value, 'true, false or nothing');
  }
}

/** `value` must be an array (a string is not split into its characters); `undefined` is allowed when `optional`. */
export function checkArray(where: string, property: string, value: unknown, expected: string, optional = false): void {
  if (!(optional && value === undefined) && !Array.isArray(value)) {
    invalid(where, property, value, `an array of ${expected}${optional ? ', or nothing' : ''}`);
  }
}

/** `value` must be an array of non-empty strings; `undefined` is allowed when `optional`. */
export function checkStringArray(where: string, property: string, value: unknown, expected: string, optional = false): void {
  checkArray(where, property, value, expected, optional);
  (value as unknown[] | undefined)?.forEach((item, i) => checkString(where, `${property}[${i}]`, item));
}

/**
 * the path a construct `id` under `scope` will have, for errors raised before it exists: the ids
 * above it, joined as `node.path` joins them (which first builds the list of scopes)
 */
export function pathOf(scope: unknown, id: unknown): string {
  let path = String(id);
  for (let s = scope as any; typeof s?.node?.id === 'string'; s = s.node.scope) {
    if (s.node.id !== '') {
      path = `${s.node.id}/${path}`;
    }
  }
  return path;
}

/**
 * Takes a construct that refused its input out of the tree, so that a caller who catches the error
 * synthesizes the app as if it had not been tried.
 */
export function removeRefused(construct: { node: { id: string; scope?: { node: { tryRemoveChild(id: string): boolean } } } }): void {
  construct.node.scope?.node.tryRemoveChild(construct.node.id);
}
