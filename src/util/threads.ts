import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) next to the caller's module
 * (`here`: its import.meta.url). Built, that is `name.js`; run from source (tests and benches,
 * through tsx), workers do not inherit tsx's loader, so the thread registers it before importing
 * `name.ts`.
 */
export function startModuleThread(here: string, name: string): Worker {
  if (here.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL(`./${name}.js`, here));
}
