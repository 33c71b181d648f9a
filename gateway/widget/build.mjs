// Builds src/ into the one file the gateway serves: `make widget` (or `npm run build`).
// `node build.mjs <outfile>` writes elsewhere (tests/widget/test_bundle.py checks the committed
// bundle is exactly what the locked esbuild makes of src/).
import { build } from 'esbuild';

const outfile = process.argv[2] || '../static/widget/switchboard-widget.js';

await build({
  entryPoints: ['src/index.js'],
  bundle: true,
  format: 'iife',
  target: 'es2020',
  charset: 'utf8',
  legalComments: 'none',
  banner: {
    js: '/*! Switchboard widget, built from gateway/widget/src by esbuild — edit the\n' +
      ' * sources there and run `make widget`; tests/widget/test_bundle.py fails when this file is not that build. */',
  },
  outfile,
  logLevel: 'warning',
});
