import { defineConfig } from "vitest/config";

// The FastAPI server serves dist/ at "/"; in `npm run dev` the API is proxied to a local server.
export default defineConfig({
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000", "/healthz": "http://127.0.0.1:8000" },
  },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
