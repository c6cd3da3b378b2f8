import { inspect } from 'util';
import { readRegularFile } from '../rules/bounded-read';
import { typeOf } from '../rules/input';

/** the most read from a credential file: a token or a JSON key is a few KiB */
const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;

/** The readers, where no printer of a CredentialValue reaches them. */
const READERS = new WeakMap<CredentialValue, () => string>();
/** Literal values, which can be checked as soon as they are given. */
const LITERALS = new WeakSet<CredentialValue>();

/**
 * Where one credential (a user name, a password, a token) comes from. It is read when the
 * manifests are written, not when the chart is built, so a chart can be constructed (and unit
 * tested) without the pipeline's variables. Errors name the variable or the file, never the value.
 */
export class CredentialValue {
  /**
   * The value of an environment variable, e.g. a CI pipeline's masked variable.
   *
   * @param variable the variable's name
   */
  public static fromEnvironment(variable: string): CredentialValue {
    checkArgument('fromEnvironment', 'variable', variable);
    return new CredentialValue(`environment variable ${variable}`, () => {
      const value = process.env[variable];
      if (value === undefined || value === '') {
        throw new Error(`environment variable ${variable} is not set or empty; set it in the pipeline, e.g. as a masked CI variable`);
      }
      return value;
    });
  }

  /**
   * The content of a file, without one trailing newline: the "password from a mounted secret
   * file" pattern of CI systems (`--password-stdin < file`). A regular file of at most 1 MiB.
   *
   * @param path the file's path
   */
  public static fromFile(path: string): CredentialValue {
    checkArgument('fromFile', 'path', path);
    return new CredentialValue(`file ${path}`, () => {
      let value: string;
      try {
        value = readRegularFile(path, 'CredentialValue.fromFile: file', MAX_CREDENTIAL_FILE_BYTES).toString('utf8');
      } catch (e: any) {
        throw new Error(`${e.message}; mount the secret file there or fix the path`);
      }
      value = value.replace(/\r?\n$/, '');
      if (value === '') {
        throw new Error(`file ${path} is empty; it should hold the credential`);
      }
      return value;
    });
  }

  /**
   * A literal value. Prefer the other sources for passwords, so that none sits in the code.
   *
   * @param value the value
   */
  public static fromString(value: string): CredentialValue {
    checkArgument('fromString', 'value', value);
    const credential = new CredentialValue('a literal value', () => value);
    LITERALS.add(credential);
    return credential;
  }

  /**
   * Whether `value` is a CredentialValue.
   * @internal
   */
  public static _isCredentialValue(value: unknown): value is CredentialValue {
    return value instanceof CredentialValue || (typeof value === 'object' && value !== null && READERS.has(value as CredentialValue));
  }

  /**
   * Whether the value is known without reading the environment or a file.
   * @internal
   */
  public static _isLiteral(value: CredentialValue): boolean {
    return LITERALS.has(value);
  }

  /**
   * Where the value comes from, for messages: never the value itself.
   */
  public readonly source: string;

  private constructor(source: string, read: () => string) {
    this.source = source;
    READERS.set(this, read);
  }

  /**
   * Reads the value now.
   */
  public resolve(): string {
    return READERS.get(this)!();
  }

  /** A printout shows the source, never the value. */
  public toString(): string {
    return `CredentialValue(${this.source})`;
  }
}

// printers (util.inspect, JSON.stringify, jest) show the source, never the value; set on the
// prototype because jsii declares neither a symbol-keyed method nor an anonymous return type
Object.assign(CredentialValue.prototype, {
  [inspect.custom]: CredentialValue.prototype.toString,
  toJSON(this: CredentialValue) { return { source: this.source }; },
});

function checkArgument(method: string, name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`CredentialValue.${method}: ${name} is ${value === '' ? 'an empty string' : typeOf(value)}; expected a non-empty string`);
  }
}
