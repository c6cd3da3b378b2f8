// One empty chart: what every `cdk8s synth` costs before an app adds anything (see bench/bench.ts).
'use strict';
const { App, Chart } = require('cdk8s');

const app = new App();
new Chart(app, 'empty');
app.synth();
