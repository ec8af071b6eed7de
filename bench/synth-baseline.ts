// The reference point for bench/synth.ts: the smallest useful cdk8s app, one Deployment, written to disk.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Synthesises a one-Deployment app into `outdir` (cdk8s's own App.synth, like `cdk8s synth` would). */
export function synthOneDeployment(outdir: string): void {
  const app = new App({ outdir });
  const chart = new Chart(app, 'baseline');
  new kplus.Deployment(chart, 'web', {
    containers: [{ image: 'ghcr.io/ponyexpress/ponyshop:1.4.0', portNumber: 8000 }],
  });
  app.synth();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  synthOneDeployment(path.resolve(process.argv[2] ?? 'dist-baseline'));
}
