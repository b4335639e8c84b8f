import { defineConfig } from 'vitest/config';

const integration = {
  environment: 'node' as const,
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 180_000,
  setupFiles: ['test/support/load-parser.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/support/load-parser.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...integration,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: ['**/*.serial.test.ts', '**/node_modules/**'],
          // 2 cores: more files at once only queue on the server.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Tests that prove "nothing was written" by the WAL position need the server to themselves.
        test: {
          ...integration,
          name: 'serial',
          include: ['test/**/*.serial.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
          // Runs after every other group has finished.
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
