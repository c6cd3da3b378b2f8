// The constructs and `check` judge the same YAML: an app is synthesized (with validation) and,
// separately, rendered object by object as cdk8s writes it (without validation, so a refused app
// still has an output), and `check` reads that output.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, IResolver, ResolutionContext, Yaml } from 'cdk8s';
import { ManifestViolation } from '../../src/cli/check-report';
import { checkManifests } from '../../src/cli/manifest-check';

/** What the synth and `check` say of one app. */
export interface Verdicts {
  /** the synth's error message; undefined when it wrote the manifests */
  readonly synth?: string;
  /** what `check` finds wrong in the app's rendered objects, as `object: message` */
  readonly check: string[];
  /** the rendered objects */
  readonly manifests: any[];
}

/** the objects of `app` as its synth writes them (each ApiObject's JSON), without running validation */
export function rendered(app: App): any[] {
  return app.node.findAll().filter(ApiObject.isApiObject).map(o => o.toJson());
}

/**
 * Synthesizes `app`, then runs `check` on its rendered objects, with the given registries private.
 * @param others objects written by other apps into the same output (the pipeline applies them together)
 */
export async function verdicts(app: App, privateRegistries = ['registry.gitlab.com', 'ghcr.io'], others: any[] = []): Promise<Verdicts> {
  let synth: string | undefined;
  try {
    app.synthYaml();
  } catch (e: any) {
    synth = e.message;
  }
  const manifests = [...rendered(app), ...others];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-oracle-'));
  try {
    const file = path.join(dir, 'app.k8s.yaml');
    fs.writeFileSync(file, Yaml.stringify(...manifests));
    const result = await checkManifests([{ name: 'app.k8s.yaml', path: file }], {
      privateRegistries,
      settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
    });
    expect(result.errors).toEqual([]);
    return { synth, check: result.violations.map((v: ManifestViolation) => `${v.object}: ${v.message}`), manifests };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** rewrites one metadata field of every object, as an App resolver may; cdk8s resolves what it writes again, so it stops once rewritten */
export class MetadataResolver implements IResolver {
  constructor(private readonly field: 'name' | 'namespace', private readonly rewrite: (value: string) => string) {}

  public resolve(context: ResolutionContext): void {
    if (context.key.length === 2 && context.key[0] === 'metadata' && context.key[1] === this.field && typeof context.value === 'string') {
      const value = this.rewrite(context.value);
      if (value !== context.value) {
        context.replaceValue(value);
      }
    }
  }
}
