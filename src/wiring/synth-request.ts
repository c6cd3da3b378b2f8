// One synth request of cdk8s: App.synth, App.synthYaml, or Chart.toJson (Testing.synth). The tree does
// not change while it is written, so what is read of the whole app is read once per request, and kept
// here, as cdk8s keeps its tree walk in its own SynthRequestCache. Nothing read in one request is used
// by another: the request is made by the hooks (cdk8s-hooks.ts) and passed down as an argument.
import { IConstruct } from 'constructs';
import type { HookedRequest } from './cdk8s-hooks';
import type { ScopeRules } from './pull-rule';
import type { Lookup } from './tree-index';
import type { PullSecretInfo } from '../rules/pod-spec';

/** @internal */
export class SynthRequest implements HookedRequest {
  /** the app's secrets and ServiceAccounts, read on first need */
  public index?: Lookup;
  /**
   * what each validation found wrong: cdk8s validates the whole app again for each chart it
   * writes, and within one request the answer cannot change
   */
  public readonly violations = new Map<object, readonly string[]>();
  /** what the rules know of each secret (its name, namespace and servers), which cannot change either */
  public readonly secrets = new Map<object, PullSecretInfo>();
  /** the namespaces whose pods or ServiceAccounts name each pull secret, read on first need */
  public namingNamespaces?: ReadonlyMap<string, ReadonlySet<string | undefined>>;
  /** the rules over the objects of each scope, and over each object with rules of its own, which cannot change either */
  public readonly rules = new Map<IConstruct, ScopeRules>();

  constructor(public readonly root: IConstruct) {}
}
