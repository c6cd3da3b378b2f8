import * as fs from 'fs';

/**
 * Where one credential (a user name, a password, a token) comes from at synth time.
 * Errors name the variable or the file, never the value.
 */
export class CredentialValue {
  /**
   * The value of an environment variable, e.g. a CI pipeline's masked variable.
   *
   * @param variable the variable's name
   */
  public static fromEnvironment(variable: string): CredentialValue {
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
   * file" pattern of CI systems (`--password-stdin < file`).
   *
   * @param path the file's path
   */
  public static fromFile(path: string): CredentialValue {
    return new CredentialValue(`file ${path}`, () => {
      let value: string;
      try {
        value = fs.readFileSync(path, 'utf8');
      } catch (e: any) {
        throw new Error(`file ${path} cannot be read (${e.code ?? 'error'}); mount the secret file there or fix the path`);
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
    return new CredentialValue('a literal value', () => value);
  }

  /**
   * Where the value comes from, for messages: never the value itself.
   */
  public readonly source: string;

  private constructor(source: string, private readonly read: () => string) {
    this.source = source;
  }

  /**
   * Reads the value now.
   */
  public resolve(): string {
    return this.read();
  }
}
