// The validation plugin for `validations:` in cdk8s.yaml, loadable without a compile:
//   - package: ./validation
//     class: PrivateRegistryValidation
//     version: 0.0.0
'use strict';
module.exports = require('./load')('tools/validation-plugin');
