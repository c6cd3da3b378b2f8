// The version-independent path, on today's `cdk8s init`: test/kplus33/app.ts, a cdk8s-plus-33 app,
// type-checked in process as `tsc --noEmit -p test/kplus33/tsconfig.json` would. An integration test:
// the compiler reads both cdk8s-plus libraries' declarations, some 8 s of CPU. test/kplus33.test.ts
// synthesizes the same app.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const APP_DIR = path.join(__dirname, 'kplus33');
const APP = path.join(APP_DIR, 'app.ts');
const DIRECTIVE = /\/\/ @ts-expect-error (cdk8s-plus-\d+) (\w+)$/;

/**
 * The diagnostics of `tsc -p test/kplus33/tsconfig.json`, with the app's `@ts-expect-error` read as a
 * plain comment, so that the errors it expects are seen: tsc passes on the file as written exactly
 * when every error is on a line a directive expects, and every directive expects one.
 */
function typeCheck(): readonly ts.Diagnostic[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(APP_DIR, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  expect(config.fileNames.map(f => path.resolve(f))).toContain(APP);
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile;
  host.readFile = file => path.resolve(file) === APP ? read(file)?.replace(/@ts-expect-error/g, 'expected error:') : read(file);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  return [...config.errors, ...ts.getPreEmitDiagnostics(program)];
}

function describeDiagnostic(d: ts.Diagnostic): string {
  const where = d.file ? `${path.relative(APP_DIR, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ` : '';
  return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

describe('a cdk8s-plus-33 app type-checks against the library', () => {
  const text = fs.readFileSync(APP, 'utf8');
  // the app's `@ts-expect-error <package> <class>` directives, each with the line it expects an error on
  const directives = text.split('\n').flatMap((line, i) => {
    const m = DIRECTIVE.exec(line.trim());
    return m ? [{ line: i + 2, from: m[1], className: m[2] }] : [];
  });
  let found: Array<{ line?: number; text: string }>;
  beforeAll(() => {
    found = typeCheck().map(d => ({
      line: d.file && path.resolve(d.file.fileName) === APP ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : undefined,
      text: describeDiagnostic(d),
    }));
  });

  test('with no error and no cast: RegistrySecret, PrivateRegistryPolicy, the mixin, dockerRegistryAuth, DockerConfigSecret', () => {
    // GIVEN the app as written
    expect(text).not.toMatch(/as any|@ts-ignore|@ts-nocheck/);
    expect(text.split('@ts-expect-error').length - 1).toBe(directives.length);

    // WHEN
    const expected = new Set(directives.map(d => d.line));

    // THEN no error but where a directive expects one
    expect(found.filter(f => f.line === undefined || !expected.has(f.line)).map(f => f.text)).toEqual([]);
  });

  test('tsc refuses a kplus-33 Volume, Probe or EnvFrom inside a PrivateImagePod, exactly where the app expects it', () => {
    // GIVEN
    expect(directives.map(d => d.className)).toEqual(expect.arrayContaining(['Volume', 'Probe']));

    // WHEN
    const refused = directives.map(d => ({ ...d, messages: found.filter(f => f.line === d.line).map(f => f.text) }));

    // THEN each expected line fails as a class of one cdk8s-plus given where the other's is typed
    for (const d of refused) {
      const other = d.from === 'cdk8s-plus-33' ? 'cdk8s-plus-27' : 'cdk8s-plus-33';
      expect(d.messages).not.toEqual([]);
      for (const message of d.messages) {
        expect(message).toMatch(new RegExp(`${d.from}/lib/[a-z-]+"\\)\\.${d.className}' is not assignable to (parameter of )?type 'import\\("[^"]*/${other}/lib/[a-z-]+"\\)\\.${d.className}'`));
        expect(message).toMatch(/Types have separate declarations of a private property/);
      }
    }
  });
});
