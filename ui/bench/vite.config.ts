import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The map benchmark page, kept apart from the app: `npm run build` does not see
// it. It serves the committed city (assets/city) as its public directory, so
// the page loads the same geometry the simulator serves.
//   npm run bench:map            dev server on http://127.0.0.1:5174/map-bench.html
//   npm run bench:map:build      static files in target/map-bench/ (for a webview: file:// or any server)
// Run from ui/ with the bench directory as the root (see package.json).
export default defineConfig({
  plugins: [svelte({ configFile: "../svelte.config.js" })],
  base: "./",
  publicDir: "../../assets/city",
  clearScreen: false,
  build: {
    target: "safari16",
    outDir: "../../target/map-bench",
    emptyOutDir: true,
    // Rollup resolves the entry from the working directory (ui/), not from the root.
    rollupOptions: { input: "bench/map-bench.html" },
  },
  server: { port: 5174, strictPort: true, host: "127.0.0.1" },
});
