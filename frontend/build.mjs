// Bundles the graph's JavaScript into the site's static folder (one file per
// page, minified, no external requests at run time).
import { build } from "esbuild";

await build({
  entryPoints: {
    slice: "frontend/slice.js",
    explorer: "frontend/explorer.js",
    site: "frontend/site.js",
  },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  outdir: "src/bzpeer/web/static/web/dist",
  legalComments: "linked",
  logLevel: "warning",
});
