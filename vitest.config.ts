import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          // the CLI's progress lines (stderr) are off unless a test asks for them
          env: { BRINE_PROGRESS: 'off' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          env: { BRINE_PROGRESS: 'off' },
        },
      },
    ],
  },
});
