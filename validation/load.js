// Loads a module of this package by name: its compiled JavaScript in the published package, which
// ships lib/ but not src/, and its TypeScript source in a checkout, so that `npm ci && npx cdk8s synth`
// works with no compile step. `node -r ./validation/load.js file.ts` runs a TypeScript file the same way.
//
// In a checkout, a .ts file is transpiled (no type check: that is `npm test`'s job) into a cache keyed by
// its content, tsconfig.json, this file and the TypeScript version, so that a warm run loads no TypeScript.
// CDK8S_PRIVATE_REGISTRY_CACHE_DIR moves the cache (test/load.test.ts starts each test with an empty one).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const checkout = fs.existsSync(path.join(root, 'src'));
const cacheDir = process.env.CDK8S_PRIVATE_REGISTRY_CACHE_DIR || path.join(root, 'node_modules', '.cache', 'cdk8s-private-registry');

let tsconfig;
let cacheSalt;
let typescript;
let compilerOptions;

function salt() {
  if (cacheSalt === undefined) {
    tsconfig = fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
    const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [root] }), 'utf8')).version;
    // this file too: it sets the options that tsconfig.json does not
    cacheSalt = `${tsVersion}\0${tsconfig}\0${fs.readFileSync(__filename, 'utf8')}\0`;
  }
  return cacheSalt;
}

function transpile(source, filename) {
  if (typescript === undefined) {
    typescript = require(require.resolve('typescript', { paths: [root] }));
    compilerOptions = {
      ...typescript.convertCompilerOptionsFromJson(JSON.parse(tsconfig).compilerOptions, root).options,
      // this package is CommonJS; node16 would ask for a package.json lookup transpileModule cannot make
      module: typescript.ModuleKind.CommonJS,
      declaration: false,
      inlineSourceMap: false,
      inlineSources: false,
    };
  }
  return typescript.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

/** the JavaScript of a .ts file: from the cache, or transpiled into it */
function javascriptOf(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(salt()).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const js = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      // write, then rename: a concurrent reader (jest workers, the app and the plugin) sees all or nothing
      const partial = `${cached}.${process.pid}`;
      fs.writeFileSync(partial, js);
      fs.renameSync(partial, cached);
    } catch {
      // a read-only node_modules: run uncached
    }
    return js;
  }
}

if (checkout && !require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => module._compile(javascriptOf(filename), filename);
}

module.exports = function load(name) {
  // a checkout: lib/ may be left over from an older compile, so the source wins
  return require(path.join(root, checkout ? 'src' : 'lib', name));
};

// `node validation/load.js`, npm's prepare script: fill the cache at `npm ci`, so that even the first synth loads no TypeScript
if (require.main === module && checkout) {
  for (const file of fs.readdirSync(path.join(root, 'src'), { recursive: true })) {
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      javascriptOf(path.join(root, 'src', file));
    }
  }
}
