// Offline validation of manifests against the Kubernetes 1.27 API schema.
//
// The schema is the one the npm package `kubernetes-models` 4.3.1 generated from the OpenAPI
// spec of Kubernetes v1.27.1 (its README's badge; `K8S_127_MARKERS` below checks it). That
// package registers each definition as a plain JSON schema through `register` of
// `@kubernetes-models/validate`; this module collects those schemas as they are registered and
// compiles them with the same Ajv, after one change: every object schema with `properties`
// gets `additionalProperties: false`, so that an unknown field fails, as it does under
// `kubectl apply --validate=strict` (the default since kubectl 1.25). Nothing is downloaded.
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { parse } from 'yaml';

/** The directory of the installed `kubernetes-models` package. */
const MODELS_DIR = path.dirname(require.resolve('kubernetes-models'));
/**
 * `require` as seen from the package. Its schema modules, the `@kubernetes-models/validate` they
 * register with, and Ajv are all loaded through it, so there is one instance of each. Inside a test
 * file jest's `createRequire` loads them into that file's registry; schema-environment.ts loads
 * this module outside the registries, once per jest process.
 */
const fromModels = createRequire(path.join(MODELS_DIR, 'index.js'));
/** `@kubernetes-models/validate` as `kubernetes-models` itself resolves it, so its `register` is the one the schemas call. */
const VALIDATE_PATH = fromModels.resolve('@kubernetes-models/validate');
/** Ajv and its formats as `@kubernetes-models/validate` resolves them (Ajv 8). */
const fromValidate = createRequire(VALIDATE_PATH);
const Ajv = fromValidate('ajv').default;
const addFormats = fromValidate('ajv-formats').default;

/** A definition id of the Kubernetes OpenAPI spec, e.g. `io.k8s.api.core.v1.Pod`. */
type DefinitionId = string;

/**
 * Fields whose presence or absence dates the schema: `Container.resizePolicy` came in 1.27 and
 * `Container.restartPolicy` (sidecar containers) in 1.28.
 */
export const K8S_127_MARKERS = {
  present: [['io.k8s.api.core.v1.Container', 'resizePolicy'], ['io.k8s.api.core.v1.PodSpec', 'schedulingGates']],
  absent: [['io.k8s.api.core.v1.Container', 'restartPolicy'], ['io.k8s.api.batch.v1.JobSpec', 'podReplacementPolicy']],
} as const;

/** Every definition of the package, as registered, keyed by id. */
function collectDefinitions(): Map<DefinitionId, any> {
  const validateModule = fromModels(VALIDATE_PATH);
  const definitions = new Map<DefinitionId, any>();
  const register = validateModule.register;
  validateModule.register = (id: DefinitionId, schema: any) => {
    definitions.set(id, schema);
  };
  try {
    const dir = path.join(MODELS_DIR, '_schemas');
    for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.js'))) {
      fromModels(path.join(dir, file)).addSchema();
    }
  } finally {
    validateModule.register = register;
  }
  if (definitions.size < 500) {
    throw new Error(`only ${definitions.size} definitions were collected from kubernetes-models in ${MODELS_DIR}; expected the whole Kubernetes API`);
  }
  return definitions;
}

/** A copy of `schema` in which every object schema with `properties` refuses other properties. */
function refuseUnknownFields(schema: any, crd = false): any {
  if (Array.isArray(schema)) {
    return schema.map(s => refuseUnknownFields(s, crd));
  }
  if (schema === null || typeof schema !== 'object') {
    return schema;
  }
  const copy: any = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([name, s]) => [name, refuseUnknownFields(s, crd)]));
    if (copy.additionalProperties === undefined && !(crd && copy['x-kubernetes-preserve-unknown-fields'] === true)) {
      copy.additionalProperties = false;
    }
  }
  for (const key of ['items', 'additionalProperties', 'not']) {
    if (copy[key] !== null && typeof copy[key] === 'object') {
      copy[key] = refuseUnknownFields(copy[key], crd);
    }
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(copy[key])) {
      copy[key] = copy[key].map((s: any) => refuseUnknownFields(s, crd));
    }
  }
  return copy;
}

/** `resource.Quantity`'s serialization: a signed decimal number and an optional suffix. */
const QUANTITY = /^[+-]?(\d+|\d+\.\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

interface Schema127 {
  readonly definitions: Map<DefinitionId, any>;
  /** The definition id of each top-level kind, keyed by `apiVersion/kind` (core kinds as `v1/Pod`). */
  readonly kinds: Map<string, DefinitionId>;
  readonly ajv: any;
}

let loaded: Schema127 | undefined;

function schema127(): Schema127 {
  if (loaded) {
    return loaded;
  }
  const definitions = collectDefinitions();
  for (const [id, field] of K8S_127_MARKERS.present) {
    if (definitions.get(id)?.properties?.[field] === undefined) {
      throw new Error(`the installed kubernetes-models has no ${id}.${field}: it is older than Kubernetes 1.27; install kubernetes-models@4.3.1`);
    }
  }
  for (const [id, field] of K8S_127_MARKERS.absent) {
    if (definitions.get(id)?.properties?.[field] !== undefined) {
      throw new Error(`the installed kubernetes-models has ${id}.${field}: it is newer than Kubernetes 1.27; install kubernetes-models@4.3.1`);
    }
  }

  const ajv = new Ajv({ strictTypes: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('quantity', { type: 'string', validate: QUANTITY });
  const kinds = new Map<string, DefinitionId>();
  for (const [id, schema] of definitions) {
    ajv.addSchema(refuseUnknownFields(schema), id);
    const apiVersion = schema.properties?.apiVersion?.enum;
    const kind = schema.properties?.kind?.enum;
    if (apiVersion?.length === 1 && kind?.length === 1 && !kind[0].endsWith('List')) {
      kinds.set(`${apiVersion[0]}/${kind[0]}`, id);
    }
  }
  loaded = { definitions, kinds, ajv };
  return loaded;
}

/**
 * The definition id of the Kubernetes 1.27 schema for `apiVersion` and `kind`, e.g.
 * `io.k8s.api.apps.v1.Deployment` for `apps/v1` `Deployment`, or undefined when 1.27 has none.
 */
export function definitionOf(apiVersion: string, kind: string): DefinitionId | undefined {
  return schema127().kinds.get(`${apiVersion}/${kind}`);
}

/** One property of a definition of the 1.27 schema, as the package has it (before tightening). */
export function propertyOf(id: DefinitionId, field: string): any {
  return schema127().definitions.get(id)?.properties?.[field];
}

function describeError(error: any): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown field "${error.params.additionalProperty}"`;
  }
  if (error.keyword === 'enum') {
    return `${where}: ${error.message} ${JSON.stringify(error.params.allowedValues)}`;
  }
  return `${where}: ${error.message}`;
}

/** Drops the noise of `oneOf: [{$ref}, {type: null}]`, the package's way of writing a nullable field. */
function withoutNullableNoise(errors: any[]): any[] {
  const real = errors.filter(e => !(e.keyword === 'type' && e.params.type === 'null'));
  return real.filter(e => e.keyword !== 'oneOf' || !real.some(o => o !== e && o.keyword !== 'oneOf' && o.instancePath.startsWith(e.instancePath)));
}

/** The vendored CustomResourceDefinitions (see test/fixtures/external-secrets/SOURCE.md). */
const CRD_FILES = ['external-secrets.io_externalsecrets.yaml', 'generators.external-secrets.io_ecrauthorizationtokens.yaml']
  .map(file => path.join(__dirname, '..', 'fixtures', 'external-secrets', file));

let crdValidators: Map<string, any> | undefined;

/**
 * The validator of each version of the vendored CRDs, by `apiVersion/kind`: its `openAPIV3Schema`
 * with unknown fields refused, except where the schema preserves them, as the API server prunes them.
 */
function crdValidator(apiVersion: string, kind: string): any {
  if (crdValidators === undefined) {
    crdValidators = new Map();
    // the x-kubernetes-* extensions are keywords Ajv does not know
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const file of CRD_FILES) {
      const crd = parse(fs.readFileSync(file, 'utf8'));
      for (const version of crd.spec.versions) {
        const schema = refuseUnknownFields(version.schema.openAPIV3Schema, true);
        crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return crdValidators.get(`${apiVersion}/${kind}`);
}

/**
 * Validates each manifest against the Kubernetes 1.27 schema of its `apiVersion` and `kind` (or a
 * vendored CRD's, for ESO's kinds), with unknown fields refused. Returns one message per problem, each naming the manifest and the JSON
 * pointer of the field; an empty array means every manifest is valid.
 */
export function validateManifests(manifests: any[]): string[] {
  const { ajv } = schema127();
  const problems: string[] = [];
  manifests.forEach((manifest, index) => {
    const name = `${manifest?.kind ?? '(no kind)'} "${manifest?.metadata?.name ?? `#${index}`}"`;
    const crd = crdValidator(manifest?.apiVersion, manifest?.kind);
    if (crd !== undefined) {
      if (!crd(manifest)) {
        problems.push(...(crd.errors ?? []).map((e: any) => `${name}: ${describeError(e)}`));
      }
      return;
    }
    const id = definitionOf(manifest?.apiVersion, manifest?.kind);
    if (id === undefined) {
      problems.push(`${name}: Kubernetes 1.27 has no kind ${JSON.stringify(manifest?.kind)} in apiVersion ${JSON.stringify(manifest?.apiVersion)}`);
      return;
    }
    const validate = ajv.getSchema(id);
    if (!validate(manifest)) {
      problems.push(...withoutNullableNoise(validate.errors ?? []).map(e => `${name}: ${describeError(e)}`));
    }
  });
  return problems;
}
