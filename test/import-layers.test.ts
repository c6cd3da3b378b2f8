// The layers of src/, read from the import statements: constructs → wiring → rules, cli → rules,
// testing → rules; no folder imports one above it, and no file imports itself through others.
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
/** the folders each folder may import from, besides itself; '.' is src/ (index.ts, main.ts) */
const ALLOWED: { [folder: string]: string[] } = {
  '.': ['constructs'],
  'constructs': ['wiring', 'rules'],
  'wiring': ['rules'],
  'cli': ['rules'],
  'testing': ['rules'],
  'rules': [],
};
/** the packages a folder must not import: the rules know nothing of cdk8s */
const FORBIDDEN_PACKAGES: { [folder: string]: RegExp } = { rules: /^(cdk8s|cdk8s-plus-\d+|constructs)$/ };

/** each .ts file under src/, by its path from src/, with what it imports: src/ files, and packages */
function readImports(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of fs.readdirSync(SRC, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts')) {
      continue;
    }
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    const files: string[] = [];
    const packages: string[] = [];
    // import and export ... from, `import type` included: a cycle of types is a cycle to read
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm)) {
      if (spec.startsWith('.')) {
        const target = path.relative(SRC, path.resolve(SRC, path.dirname(file), spec));
        files.push(fs.existsSync(path.join(SRC, `${target}.ts`)) ? `${target}.ts` : path.join(target, 'index.ts'));
      } else {
        packages.push(spec);
      }
    }
    graph.set(file, { files, packages });
  }
  return graph;
}

/** the import cycles: each strongly connected set of more than one file (Tarjan), files sorted */
function cycles(graph: Map<string, { files: string[] }>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v)?.files ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = stack.splice(stack.indexOf(v));
      if (component.length > 1 || graph.get(v)?.files.includes(v)) {
        found.push(component.sort());
      }
    }
  };
  [...graph.keys()].forEach(v => index.has(v) || visit(v));
  return found;
}

describe('the layers of src/', () => {
  const graph = readImports();

  test('the import graph is read: every folder is there', () => {
    expect(new Set([...graph.keys()].map(f => path.dirname(f)))).toEqual(new Set(Object.keys(ALLOWED)));
  });

  test('no file imports from a folder above its own', () => {
    // GIVEN / WHEN
    const upward: string[] = [];
    for (const [file, { files, packages }] of graph) {
      const folder = path.dirname(file);
      for (const target of files) {
        const to = path.dirname(target);
        if (to !== folder && !ALLOWED[folder].includes(to)) {
          upward.push(`${file} -> ${target}`);
        }
      }
      for (const spec of packages) {
        if (FORBIDDEN_PACKAGES[folder]?.test(spec)) {
          upward.push(`${file} -> ${spec}`);
        }
      }
    }

    // THEN
    expect(upward).toEqual([]);
  });

  test('no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  test('a cycle is found when there is one', () => {
    // GIVEN three files, two of which import each other through the third
    const fake = new Map([['a.ts', { files: ['b.ts'] }], ['b.ts', { files: ['c.ts'] }], ['c.ts', { files: ['a.ts'] }], ['d.ts', { files: ['a.ts'] }]]);

    // WHEN / THEN
    expect(cycles(fake)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  test('what the index of the library loads holds no YAML library: only check and the plugin read YAML', () => {
    // GIVEN every file the index reaches by its imports
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (!reached.has(file)) {
        reached.add(file);
        graph.get(file)?.files.forEach(visit);
      }
    };
    visit('index.ts');

    // THEN none imports js-yaml or yaml, which would add about 30 ms to every synth
    const yaml = [...reached].filter(file => graph.get(file)!.packages.some(p => p === 'js-yaml' || p === 'yaml'));
    expect(reached.size).toBeGreaterThan(20);
    expect(yaml).toEqual([]);
  });
});
