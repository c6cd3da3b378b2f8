// One synth request of cdk8s: App.synth, App.synthYaml, or Chart.toJson (Testing.synth). The tree does
// not change while it is written, so what is read of the whole app is read once per request, as cdk8s's
// own SynthRequestCache does for its tree walk. Nothing read in one request is used by another.
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ScopeRules } from './pull-wiring';
import type { Lookup } from './tree-index';
import type { PullSecretInfo } from '../rules/pod-spec-check';

let current: SynthRequest | undefined;
/** what completes a chart's objects after cdk8s rendered them (secret-copies.ts), once set */
let completeChart: ((chart: IConstruct, objects: any[]) => any[]) | undefined;
/** how many requests have run: each has its own number */
let requests = 0;

/** the root of `c`'s tree; `node.root` builds the list of all scopes to find it, and this runs for every object */
export function rootOf(c: IConstruct): IConstruct {
  let root = c;
  for (let scope = root.node.scope; scope !== undefined; scope = scope.node.scope) {
    root = scope;
  }
  return root;
}

/** @internal */
export class SynthRequest {
  /** the request now running for the app whose root is `root`, if any */
  public static current(root: IConstruct): SynthRequest | undefined {
    return current?.root === root ? current : undefined;
  }

  /** Makes each of cdk8s's synth entry points one request; a nested one (a chart of an app) joins it. */
  public static install(): void {
    const app = App as any;
    for (const [owner, method] of [[app.prototype, 'synth'], [app.prototype, 'synthYaml'], [app, '_synthChart']] as const) {
      const original = owner[method];
      if (typeof original === 'function') {
        const chart = method === '_synthChart';
        owner[method] = function (this: any, ...args: any[]) {
          return SynthRequest.run(rootOf(args[0] ?? this), () => {
            const objects = original.apply(this, args);
            // every output of a chart but cdk8s's one file per object goes through here
            return chart && completeChart !== undefined && Array.isArray(objects) ? completeChart(args[0], objects) : objects;
          });
        };
      }
    }
  }

  /** Makes `fn` complete the objects of each chart that cdk8s renders, within the request. */
  public static completeCharts(fn: (chart: IConstruct, objects: any[]) => any[]): void {
    completeChart = fn;
  }

  private static run<T>(root: IConstruct, fn: () => T): T {
    if (current) {
      return fn();
    }
    current = new SynthRequest(root);
    try {
      return fn();
    } finally {
      current = undefined;
    }
  }

  /** the app's secrets and ServiceAccounts, read on first need */
  public index?: Lookup;
  /** this request's number, never 0: what an object's check found is kept with the number, not here */
  public readonly id = ++requests;
  /**
   * what each policy found wrong: cdk8s validates the whole app again for each chart it writes,
   * and within one request the answer cannot change
   */
  public readonly violations = new Map<IConstruct, readonly string[]>();
  /** what the rules know of each secret (its name, namespace and servers), which cannot change either */
  public readonly secrets = new Map<object, PullSecretInfo>();
  /** the namespaces whose pods or ServiceAccounts name each pull secret, read on first need */
  public namingNamespaces?: ReadonlyMap<string, ReadonlySet<string | undefined>>;
  /** the rules on each scope, which cannot change within the request either */
  public readonly rules = new Map<IConstruct, ScopeRules>();

  private constructor(public readonly root: IConstruct) {}
}
