import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { GlobalConfig, ProjectConfig } from 'jest';

/**
 * Jest's global setup: builds dist/ once per run, before any test file starts, because the tests
 * that kill a node run the built server (`node dist/main.js`) in a child process of their own.
 */
export default function buildOnce(_globalConfig: GlobalConfig, project: ProjectConfig): void {
  const build = spawnSync(join(project.rootDir, 'node_modules', '.bin', 'nest'), ['build'], {
    cwd: project.rootDir,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(
      `nest build failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stdout}${build.stderr}`,
    );
  }
}
