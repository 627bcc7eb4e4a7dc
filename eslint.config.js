import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

// Layers import only downwards (see README "Layers"); the rules below make a machine check it.
const layer = (from, disallowed) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: disallowed.map((d) => ({
          group: [`**/${d}/*`, `**/${d}/**`],
          message: `src/${from} may not import src/${d} (layers import only downwards)`,
        })),
      },
    ],
  },
});

// Each layer's surface (STYLE.md rule 11): other layers import only its index.ts or internal.ts
// (for gateway/ and server/, those of their client/, server/, tls/ and api/ parts), never a file
// behind them. Tests may import anything. Import cycles, type-only ones included, are checked by
// dpdm in `npm run lint` (import-x/no-cycle skips type imports).
const LAYERS = [
  "agent",
  "cli",
  "cluster",
  "common",
  "environments",
  "executors",
  "flow",
  "gateway",
  "graph",
  "server",
  "shipping",
];
const SURFACES = {
  gateway: ["", "client/", "server/", "tls/"],
  server: ["", "client/", "api/"],
};
const surfaceZones = [
  ...LAYERS.map((from) => ({
    from,
    target: LAYERS.filter((l) => l !== from).map((l) => `./src/${l}/**`),
  })),
  ...LAYERS.map((from) => ({ from, target: ["./src/*.ts"] })),
].flatMap(({ from, target }) =>
  target.map((t) => ({
    target: t,
    from: `./src/${from}`,
    except: (SURFACES[from] ?? [""]).flatMap((s) =>
      ["index.ts", "internal.ts", "errors.ts"].map((f) => `./${s}${f}`),
    ),
    message: `import src/${from} through its index.ts, internal.ts or errors.ts (STYLE.md rule 11)`,
  })),
);

export default tseslint.config(
  { ignores: ["node_modules/**", "test-artifacts/**", ".flowgate/**", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
      },
    },
    rules: {
      "import-x/no-cycle": "error",
      "import-x/no-restricted-paths": ["error", { zones: surfaceZones }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  // common/ is the bottom layer (support code such as TLS credentials and the Prometheus writer):
  // it imports no other layer, and every layer may import it.
  layer("common", [
    "graph",
    "flow",
    "executors",
    "cluster",
    "gateway",
    "environments",
    "agent",
    "cli",
  ]),
  layer("graph", ["flow", "executors", "cluster", "gateway", "environments", "agent", "cli"]),
  layer("cluster", ["flow", "executors", "gateway", "environments", "agent", "cli"]),
  layer("executors", ["flow", "gateway", "environments", "agent", "cli"]),
  // flow.register() loads agent/register lazily (a dynamic import, which this rule allows).
  layer("flow", ["cluster", "gateway", "environments", "agent", "cli"]),
  layer("gateway", ["flow", "executors", "cluster", "environments", "agent", "cli"]),
  layer("environments", ["agent", "cli"]),
  // agent/ talks to the server only through its REST client and API types, never its insides.
  layer("agent", [
    "cli",
    ...["store", "routes", "runs", "agents", "scheduling", "events", "limits", "webhooks"].map(
      (d) => `server/${d}`,
    ),
  ]),
  // server/ stores and schedules runs but never executes a task: no cluster, executor or flow runner.
  layer("server", ["flow", "executors", "cluster", "environments", "agent", "cli"]),
  // shipping/ knows where flowgate's code and caches are, bundles flow files and loads them on
  // workers: the cluster and flow layers use it; it uses the flow library (to load a bundle's
  // flows) and cluster errors, never executors, gateways or environments.
  layer("shipping", ["executors", "gateway", "environments", "agent", "server", "cli"]),
);
