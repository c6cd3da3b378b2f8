// The rules a construct attaches to the tree, as the wiring reads them.
import type * as kplus from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import type { NodeCredentialSource } from '../rules/node-credentials';
import type { ClusterPlatforms } from '../rules/pod-platforms';
import type { PullSecretInfo } from '../rules/pod-spec';
import type { PodSpecRules } from '../rules/pod-spec-check';

/**
 * What a construct asks of the pull fields of the objects it covers.
 * @internal
 */
export interface PullRule {
  /** the construct that reports the objects for which this is the innermost rule */
  readonly owner: IConstruct;
  /** the rule's secrets: the owner's own list, read at the moment of asking */
  readonly secrets: readonly kplus.ISecret[];
  /**
   * what the rule does with them: `require` names them all (a pod's own, a ServiceAccount's);
   * `offer` adds one to a pod with an image only it covers (a WIRE policy); `know` only tells what
   * they cover (a VERIFY policy)
   */
  readonly use: 'require' | 'offer' | 'know';
  readonly wire: boolean;
  readonly publicRegistries: string[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
  /** digests by image lock key; the innermost rule's lock is used */
  readonly lock?: ReadonlyMap<string, string>;
  readonly requireLock?: boolean;
  /** what the nodes pull with; every rule's counts */
  readonly node?: readonly NodeCredentialSource[];
  /** the node platforms of the cluster; the innermost rule's are used */
  readonly platforms?: ClusterPlatforms;
}

/** The rules over the objects of a scope, for a caller that checks many of them. @internal */
export interface ScopeRules {
  readonly sources: PullRule[];
  readonly merged: MergedRules;
}

/** the rules over an object, merged; with the secrets among them created out of band @internal */
export interface MergedRules extends PodSpecRules {
  readonly existing: PullSecretInfo[];
  /** why each secret of another App than the rules' cannot be named, by the secret's name; most often undefined */
  readonly foreign?: ReadonlyMap<string, string>;
  /** the node platforms of the cluster, from the innermost rule that gives them */
  readonly platforms?: ClusterPlatforms;
}
