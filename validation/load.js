// Loads a module of this package by name: its TypeScript source in a checkout, so that
// `npm ci && npx cdk8s synth` works without compiling, and its compiled JavaScript in the
// published package, which ships lib/ but not src/.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
let registered = false;

module.exports = function load(name) {
  const source = path.join(root, 'src', `${name}.ts`);
  if (!fs.existsSync(source)) {
    return require(path.join(root, 'lib', `${name}.js`));
  }
  // a checkout: lib/ may be left over from an older compile, so the source wins
  if (!registered) {
    require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
    registered = true;
  }
  return require(source);
};
