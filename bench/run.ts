/** `npm run bench`: runs every benchmark suite once, bounded, and writes bench/results/latest.{json,md}. */
import { readFileSync } from "node:fs";
import { localDbSuite } from "./localDb.ts";
import { writeReport, type Metric } from "./report.ts";
import { wranglerEnv } from "../scripts/lib/localServer.ts";

process.env.TMPDIR = wranglerEnv().TMPDIR;
const metrics: Metric[] = [];
metrics.push(...(await localDbSuite()));
const { json, markdown } = writeReport(metrics);
console.log(readFileSync(markdown, "utf8"));
console.log(`written: ${json}, ${markdown}`);
