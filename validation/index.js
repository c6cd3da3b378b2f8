// The validation plugin for `validations:` in cdk8s.yaml, loadable without a compile. cdk8s-cli requires
// this folder, not the package's main module, so the construct API exports no plugin. In an app:
//   - package: ./node_modules/cdk8s-private-registry/validation
// and in this repository:
//   - package: ./validation
//     class: PrivateRegistryValidation
//     version: 0.0.0
'use strict';
module.exports = require('./load')('cli/validation-plugin');
