import { spawnSync } from 'node:child_process';

/** Whether `binary` runs here (asked with `versionFlag`). */
export function binaryAvailable(binary: string, versionFlag: string): boolean {
  return spawnSync(binary, [versionFlag], { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` for tests that need a program of the system (Redis, nginx). Under `CI=true` they
 * always run, and fail without it. Locally, without it, the block is skipped and says so loudly,
 * so that `npm test` passes on a machine that has only Node: the one skip the project allows.
 */
export function describeNeeding(
  binary: { available: boolean; name: string; install: string },
  name: string,
  body: () => void,
): void {
  if (binary.available || process.env.CI === 'true') {
    describe(name, body);
    return;
  }
  console.warn(
    `\n*** SKIPPED "${name}": ${binary.name} is not installed (${binary.install}). ` +
      'Under CI=true this fails instead. ***\n',
  );
  describe.skip(name, body);
}
