import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CredentialValue } from '../src';

const SENTINEL = 'sentinel-password-123';

describe('CredentialValue', () => {
  afterEach(() => {
    delete process.env.CDK8S_PR_TEST_PASSWORD;
  });

  test('fromEnvironment reads the variable at resolve time', () => {
    // GIVEN
    const value = CredentialValue.fromEnvironment('CDK8S_PR_TEST_PASSWORD');

    // WHEN
    process.env.CDK8S_PR_TEST_PASSWORD = SENTINEL;

    // THEN
    expect(value.resolve()).toBe(SENTINEL);
    expect(value.source).toBe('environment variable CDK8S_PR_TEST_PASSWORD');
  });

  test('fromEnvironment names a missing or empty variable', () => {
    // GIVEN
    const value = CredentialValue.fromEnvironment('CDK8S_PR_TEST_PASSWORD');

    // WHEN
    process.env.CDK8S_PR_TEST_PASSWORD = '';

    // THEN
    expect(() => value.resolve()).toThrow(/^environment variable CDK8S_PR_TEST_PASSWORD is not set or empty/);
  });

  test('fromFile reads a mounted secret file without its trailing newline', () => {
    // GIVEN
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cred-')), 'password');
    fs.writeFileSync(file, `${SENTINEL}\n`);

    // WHEN
    const value = CredentialValue.fromFile(file);

    // THEN
    expect(value.resolve()).toBe(SENTINEL);
    expect(value.source).toBe(`file ${file}`);
  });

  test('fromFile names a missing or empty file, never a value', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-'));
    fs.writeFileSync(path.join(dir, 'empty'), '\n');

    // WHEN / THEN
    expect(() => CredentialValue.fromFile(path.join(dir, 'missing')).resolve()).toThrow(new RegExp(`^CredentialValue.fromFile: file "${dir}/missing" does not exist; mount the secret file there or fix the path`));
    expect(() => CredentialValue.fromFile(path.join(dir, 'empty')).resolve()).toThrow(/is empty; it should hold the credential/);
  });

  test('fromString is a literal', () => {
    expect(CredentialValue.fromString('u').resolve()).toBe('u');
  });
});
