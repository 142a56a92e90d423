import { spawnSync } from 'node:child_process';
import type { GlobalConfig, ProjectConfig } from 'jest';

/**
 * Jest's global setup: builds dist/ and the client library once per run, before any test file
 * starts, because the tests that kill a node run the built server (`node dist/main.js`) in a child
 * process of their own, and every server serves the library's browser bundle.
 */
export default function buildOnce(_globalConfig: GlobalConfig, project: ProjectConfig): void {
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: project.rootDir,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(
      `npm run build failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stdout}${build.stderr}`,
    );
  }
}
