/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/contract/src', '<rootDir>/client'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: [
    '<rootDir>/dist/',
    '<rootDir>/client/dist/',
    '<rootDir>/contract/dist/',
  ],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The workspace package from its sources, as TypeScript reads it (the switchboard-source
    // condition): the tests need no build of it.
    '^@switchboard/contract$': '<rootDir>/contract/src/index.ts',
    '^@switchboard/contract/asyncapi$': '<rootDir>/contract/src/asyncapi/document.ts',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
      },
    ],
  },
  testTimeout: 15000,
  // The multi-node tests run the built server in child processes.
  globalSetup: '<rootDir>/test/support/build-once.ts',
};
