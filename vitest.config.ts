import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,sim,scenarios,checker,viewer,reports,cli,bench,conformance}/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores on CI: threads share them; forks keep memory of big runs apart.
    pool: "forks",
  },
});
