import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, ApiObjectProps, App, Chart, JsonPatch, ResolutionContext, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { PrivateImagePod } from '../src';
import { testSecret } from './support/secrets';
import { checkCdk8s, Cdk8sModule } from '../src/wiring/cdk8s-hooks';

/** the cdk8s this library is tested with, whose internals are as the hooks expect */
const CDK8S: Cdk8sModule = { ApiObject, App, Chart, JsonPatch };
const VERSION = JSON.parse(fs.readFileSync(require.resolve('cdk8s/package.json'), 'utf8')).version;
const RANGE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).peerDependencies.cdk8s;

describe('the check of cdk8s\'s internals at load', () => {
  test('the cdk8s installed has every internal the hooks rely on, and its built-in resolvers are counted', () => {
    // WHEN
    const facts = checkCdk8s(CDK8S);

    // THEN: cdk8s 2.70 gives every App a LazyResolver, an ImplicitTokenResolver and a NumberStringUnionResolver
    expect(facts.builtInResolvers).toBe(3);
    expect(new App({ resolvers: [{ resolve: () => undefined }] }).resolvers).toHaveLength(facts.builtInResolvers + 1);
  });

  test('the hooks keep the shape they replace: a second copy of this library, loaded after them, accepts cdk8s', () => {
    // GIVEN the hooks installed, by a synth of a PrivateImagePod
    const chart = Testing.chart();
    new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    Testing.synth(chart);

    // WHEN / THEN
    expect(checkCdk8s(CDK8S).builtInResolvers).toBe(3);
  });

  test('a cdk8s without App._synthChart is refused, naming the internal, the version found and the range supported', () => {
    // GIVEN a cdk8s whose @internal _synthChart was renamed
    class RenamedApp extends App {}
    Object.defineProperty(RenamedApp, '_synthChart', { value: undefined });

    // WHEN / THEN
    let message = '';
    try {
      checkCdk8s({ ...CDK8S, App: RenamedApp });
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain('App._synthChart is a function of 1 argument (found undefined)');
    expect(message).toContain(`cannot wire pull secrets with cdk8s ${VERSION} (`);
    expect(message).toContain(`supports cdk8s ${RANGE}; install one in that range (npm install cdk8s@"${RANGE}")`);
  });

  test('a cdk8s whose ApiObject keeps its props or patches elsewhere is refused, naming each field', () => {
    // GIVEN an ApiObject with both private fields renamed
    class RenamedFields extends ApiObject {
      constructor(scope: Construct, id: string, props: ApiObjectProps) {
        super(scope, id, props);
        const self = this as any;
        self._props = self.props;
        self._patches = self.patches;
        delete self.props;
        delete self.patches;
      }
    }

    // WHEN / THEN
    expect(() => checkCdk8s({ ...CDK8S, ApiObject: RenamedFields })).toThrow(
      /an ApiObject keeps its props in the private field "props" \(found undefined\); an ApiObject keeps its JSON patches in the private array "patches" \(found undefined\)/);
  });

  test('an ApiObject whose name cannot be redefined is refused: a hashed RegistrySecret name could not follow its content', () => {
    // GIVEN
    class FixedName extends ApiObject {
      constructor(scope: Construct, id: string, props: ApiObjectProps) {
        super(scope, id, props);
        Object.defineProperty(this, 'name', { value: this.name, configurable: false });
      }
    }

    // WHEN / THEN
    expect(() => checkCdk8s({ ...CDK8S, ApiObject: FixedName })).toThrow(/an ApiObject keeps its name in a configurable field "name" \(found "probe-/);
  });

  test('a toJson that takes an argument is refused: the hook would drop it', () => {
    // GIVEN
    class ArgumentToJson extends ApiObject {
      public toJson(_options?: unknown): any { return super.toJson(); }
    }

    // WHEN / THEN
    expect(() => checkCdk8s({ ...CDK8S, ApiObject: ArgumentToJson })).toThrow(/ApiObject\.prototype\.toJson is a function of no argument \(found a function of 1 argument\)/);
  });

  test('an App that puts its built-in resolvers before the user\'s is refused: its own could not be told from them', () => {
    // GIVEN
    class BuiltInsFirst extends App {
      constructor(props: any = {}) {
        super(props);
        (this as any).resolvers.reverse();
      }
    }

    // WHEN / THEN
    expect(() => checkCdk8s({ ...CDK8S, App: BuiltInsFirst })).toThrow(/App\.resolvers is an array holding the app's own resolvers, then the built-in ones \(found an array of 4\)/);
  });

  test('a custom resolver makes validation read the object as cdk8s writes it', () => {
    // GIVEN an app whose resolver rewrites every image: the counted built-ins tell it from an app without one
    const image = 'ghcr.io/a/b:v1';
    const rewrite = { resolve: (ctx: ResolutionContext) => ctx.key.at(-1) === 'image' && ctx.value !== image && ctx.replaceValue(image) };
    const chart = new Chart(new App({ outdir: Testing.app().outdir, resolvers: [rewrite] }), 'chart');
    new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });

    // WHEN / THEN: the image written is the resolver's, which no secret covers
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "ghcr\.io"/);
  });
});
