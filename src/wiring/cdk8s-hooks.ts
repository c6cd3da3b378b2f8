// The one module that knows cdk8s's internals: it replaces ApiObject.prototype.toJson, App's synth,
// synthYaml and @internal _synthChart, and an ApiObject's `name` field; it reads ApiObject's private
// props and patches and the count of App's built-in resolvers. At load it checks that each of them has the shape relied on, and
// throws, naming the cdk8s found and the range supported, when one has not: a cdk8s release that
// renamed one would otherwise break the guarantee without a word.
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { ApiObject, App, IResolver } from 'cdk8s';
import { IConstruct } from 'constructs';
import { readRegularFile } from '../rules/bounded-read';

/** the most read of a package.json, as the load-time check names versions: cdk8s's is 6 KiB */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/** What the hooks know of one synth request: the app it is for. */
export interface HookedRequest {
  readonly root: IConstruct;
}

/** What the pull wiring does where cdk8s renders an object and synthesizes an app. */
export interface Cdk8sHooks<R extends HookedRequest> {
  /** a new request, for a synth of the app whose root is `root` */
  newRequest(root: IConstruct): R;
  /** whether `render` completes objects of this kind: asked first, for every object rendered */
  renders(kind: string): boolean;
  /** completes `json`, the JSON cdk8s rendered for `obj` */
  render(obj: ApiObject, json: any, request: R | undefined): void;
  /**
   * completes `objects`, the JSON cdk8s rendered for `chart`, within the request: every output of
   * a chart but cdk8s's one file per object goes through here
   */
  completeChart?(chart: IConstruct, objects: any[], request: R): any[];
}

/** The part of the cdk8s module whose internals the hooks rely on. */
export type Cdk8sModule = Pick<typeof cdk8s, 'ApiObject' | 'App' | 'Chart' | 'JsonPatch'>;

/** what the load-time check measured of cdk8s */
export interface Cdk8sFacts {
  /** how many resolvers cdk8s gives every App after the user's own */
  readonly builtInResolvers: number;
}

/**
 * Checks that each internal of `lib` the hooks rely on is there, with the shape relied on, and
 * measures what the hooks need to know of it; throws naming every one that is not.
 */
export function checkCdk8s(lib: Cdk8sModule): Cdk8sFacts {
  const problems: string[] = [];
  const expect = (what: string, ok: boolean, found: unknown) => {
    if (!ok) {
      problems.push(`${what} (found ${describe(found)})`);
    }
  };
  const fn = (what: string, value: unknown, arity: number) =>
    expect(`${what} is a function of ${arity === 0 ? 'no argument' : `${arity} argument`}`, typeof value === 'function' && value.length === arity, value);
  const api: any = lib.ApiObject?.prototype;
  const app: any = lib.App;
  fn('ApiObject.prototype.toJson', api?.toJson, 0);
  fn('App.prototype.synth', app?.prototype?.synth, 0);
  fn('App.prototype.synthYaml', app?.prototype?.synthYaml, 0);
  fn('App._synthChart', app?._synthChart, 1);
  // Testing.synth renders a chart through Chart.toJson; it is one request only if that goes through _synthChart
  const chartToJson = lib.Chart?.prototype?.toJson;
  expect('Chart.prototype.toJson calls App._synthChart', typeof chartToJson === 'function' && String(chartToJson).includes('_synthChart'), chartToJson);
  let builtInResolvers = -1;
  try {
    const probe = new lib.App();
    const own: IResolver = { resolve: () => undefined };
    const resolvers = (new lib.App({ resolvers: [own] }) as any).resolvers;
    builtInResolvers = Array.isArray(probe.resolvers) ? probe.resolvers.length : -1;
    // the built-ins come after the user's own, so an app has resolvers of its own when it has more than they
    expect('App.resolvers is an array holding the app\'s own resolvers, then the built-in ones',
      builtInResolvers >= 0 && Array.isArray(resolvers) && resolvers[0] === own && resolvers.length === builtInResolvers + 1, resolvers);
    const props = { apiVersion: 'v1', kind: 'ConfigMap' };
    const obj: any = new lib.ApiObject(new lib.Chart(probe, 'probe'), 'probe', props);
    expect('an ApiObject keeps its props in the private field "props"', obj.props === props, obj.props);
    const name = Object.getOwnPropertyDescriptor(obj, 'name');
    expect('an ApiObject keeps its name in a configurable field "name"', typeof name?.value === 'string' && name.configurable === true, name?.value);
    const patches = obj.patches;
    const empty = Array.isArray(patches) && patches.length === 0;
    if (empty) {
      obj.addJsonPatch(lib.JsonPatch.remove('/data'));
    }
    expect('an ApiObject keeps its JSON patches in the private array "patches"', empty && obj.patches === patches && patches.length === 1, patches);
  } catch (e: any) {
    problems.push(`an App, a Chart and an ApiObject can be made and patched (threw ${describe(e?.message)})`);
  }
  if (problems.length > 0) {
    const found = cdk8sVersion();
    const supported = supportedRange();
    throw new Error(`cdk8s-private-registry cannot wire pull secrets with cdk8s ${found.version} (${found.where}): it relies on what this version lacks: `
      + `${problems.join('; ')}. This version of cdk8s-private-registry supports cdk8s ${supported}; `
      + `install one in that range (npm install cdk8s@"${supported}"), or a cdk8s-private-registry that supports cdk8s ${found.version}`);
  }
  return { builtInResolvers };
}

/** what the check found; the hooks use nothing it has not checked */
const FACTS = checkCdk8s(cdk8s);

/** set on ApiObject.prototype once the hooks are in: two copies of this library install them once */
const CDK8S_TO_JSON = Symbol.for('cdk8s-private-registry.cdk8sToJson');
/** read once: the module exports it through a getter */
const API_OBJECT: any = ApiObject.prototype;

/**
 * The synth request running, for the app whose root is `running.root`. cdk8s calls toJson and each
 * IValidation without arguments, so this variable is how the request reaches them: the one private
 * channel of the wiring. Past the toJson hook and `addValidation`, the request is an argument.
 */
let running: HookedRequest | undefined;

/**
 * Installs the hooks, once per process: cdk8s's `ApiObject.toJson`, then `hooks.render`, on
 * cdk8s's prototype, so that an object is wired whoever made it and whenever a rule was added above
 * it (L1 classes call it through `super.toJson()`); and each of cdk8s's synth entry points one
 * request, which a nested one (a chart of an app) joins.
 */
export function installHooks<R extends HookedRequest>(hooks: Cdk8sHooks<R>): void {
  const proto = API_OBJECT;
  if (proto[CDK8S_TO_JSON]) {
    return;
  }
  const cdk8sToJson: () => any = proto.toJson;
  Object.defineProperty(proto, CDK8S_TO_JSON, { value: cdk8sToJson });
  proto.toJson = function toJson(this: ApiObject): any {
    const json = cdk8sToJson.call(this);
    if (hooks.renders(this.kind)) {
      hooks.render(this, json, running !== undefined && running.root === rootOf(this) ? running as R : undefined);
    }
    return json;
  };
  const app: any = App;
  for (const [owner, method] of [[app.prototype, 'synth'], [app.prototype, 'synthYaml'], [app, '_synthChart']] as const) {
    const original = owner[method];
    const call = method !== '_synthChart' ? original : function (this: any, chart: IConstruct) {
      const objects = original.call(this, chart);
      return hooks.completeChart && Array.isArray(objects) ? hooks.completeChart(chart, objects, running as R) : objects;
    };
    owner[method] = function (this: any, ...args: any[]) {
      if (running !== undefined) {
        return call.apply(this, args);
      }
      running = hooks.newRequest(rootOf(args[0] ?? this));
      try {
        return call.apply(this, args);
      } finally {
        running = undefined;
      }
    };
    // the shape the check expects, for a second copy of this library that loads after this one
    Object.defineProperty(owner[method], 'length', { value: original.length });
  }
}

/** A check at synth that is given the synth request running for its construct's app. */
export interface RequestValidation<R extends HookedRequest> {
  /**
   * what is wrong, which cdk8s only reads
   * @param request the synth request running for the app, if any
   * @param root the root of the app
   */
  validate(request: R | undefined, root: IConstruct): readonly string[];
}

/** Adds `validation` to the validations of `c`, which cdk8s runs at synth. */
export function addValidation<R extends HookedRequest>(c: IConstruct, validation: RequestValidation<R>): void {
  c.node.addValidation({
    validate: () => {
      const root = rootOf(c);
      return validation.validate(running !== undefined && running.root === root ? running as R : undefined, root) as string[];
    },
  });
}

/** the root of `c`'s tree, without `node.root`'s list of all scopes */
export function rootOf(c: IConstruct): IConstruct {
  let root = c;
  for (let scope = root.node.scope; scope !== undefined; scope = scope.node.scope) {
    root = scope;
  }
  return root;
}

/** the JSON cdk8s renders for `obj`, without the hooks */
export function cdk8sJson(obj: ApiObject): any {
  const cdk8sToJson = API_OBJECT[CDK8S_TO_JSON];
  return typeof cdk8sToJson === 'function' ? cdk8sToJson.call(obj) : obj.toJson();
}

/** whether `obj` is an ApiObject of this library's copy of cdk8s, whose toJson the hooks replaced */
export function isOwnApiObject(obj: ApiObject): boolean {
  return API_OBJECT.isPrototypeOf(obj);
}

/** whether the class of `obj` (an L1 class: KubePod, ...) has a toJson of its own over cdk8s's */
export function overridesToJson(obj: ApiObject): boolean {
  return Object.getPrototypeOf(obj).toJson !== API_OBJECT.toJson;
}

/**
 * Makes `obj.name` read `name()`: cdk8s records construct metadata, and cdk8s-cli maps a plugin's
 * reports, by the object's name, which its constructor sets once
 */
export function nameFrom(obj: ApiObject, name: () => string): void {
  Object.defineProperty(obj, 'name', { get: name, enumerable: true, configurable: true });
}

/** the props `obj` was constructed with: cdk8s's private field */
export function propsOf(obj: ApiObject): unknown {
  return (obj as any).props;
}

/**
 * Whether nothing between an object's props and its JSON can change a field: it has no JSON patch
 * and its app has only cdk8s's own resolvers. Values may still be tokens.
 */
export function rendersAsConstructed(obj: ApiObject, root: IConstruct = rootOf(obj)): boolean {
  const patches = (obj as any).patches;
  const resolvers = (root as any).resolvers;
  return Array.isArray(patches) && patches.length === 0 && Array.isArray(resolvers) && resolvers.length === FACTS.builtInResolvers;
}

/** how a value the check did not expect is named: its type, and a function's arity */
function describe(value: unknown): string {
  if (typeof value === 'function') {
    return `a function of ${value.length} argument${value.length === 1 ? '' : 's'}`;
  }
  if (Array.isArray(value)) {
    return `an array of ${value.length}`;
  }
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : value === null ? 'null' : typeof value;
}

/** the version of the cdk8s this module loads, and where it is */
function cdk8sVersion(): { version: string; where: string } {
  try {
    const file = require.resolve('cdk8s/package.json');
    const version = JSON.parse(readRegularFile(file, 'cdk8s package.json', MAX_PACKAGE_JSON_BYTES).toString('utf8')).version;
    return { version: typeof version === 'string' ? version : 'of unknown version', where: path.dirname(file) };
  } catch (e: any) {
    return { version: 'of unknown version', where: e.message };
  }
}

/** the cdk8s versions this library declares it supports: its peer dependency */
function supportedRange(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  try {
    const range = JSON.parse(readRegularFile(file, 'package.json', MAX_PACKAGE_JSON_BYTES).toString('utf8')).peerDependencies?.cdk8s;
    return typeof range === 'string' ? range : `as declared in ${file}`;
  } catch (e: any) {
    return `as declared in ${file} (${e.message})`;
  }
}
