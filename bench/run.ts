/** `npm run bench`: runs every benchmark suite once, bounded, and writes bench/results/latest.{json,md}. */
import { existsSync, readFileSync } from "node:fs";
import { appSuite } from "./appSuite.ts";
import { encryptionSuite } from "./encryption.ts";
import { localDbSuite } from "./localDb.ts";
import { mergeSuite } from "./merge.ts";
import { reconnectsSuite } from "./reconnects.ts";
import { syncDevicesSuite } from "./syncDevices.ts";
import { syncServerSuite } from "./syncServer.ts";
import { REPORT_JSON, writeReport, type Metric } from "./report.ts";
import { wranglerEnv } from "../scripts/lib/localServer.ts";

process.env.TMPDIR = wranglerEnv().TMPDIR;
const metrics: Metric[] = [];
const only = process.argv[2]; // e.g. `npm run bench -- sync` runs one suite
if (!only || only === "local") metrics.push(...(await localDbSuite()));
if (!only || only === "merge") metrics.push(...(await mergeSuite()));
if (!only || only === "sync") metrics.push(...(await syncServerSuite()));
if (!only || only === "devices") metrics.push(...(await syncDevicesSuite()));
if (!only || only === "app") metrics.push(...(await appSuite()));
if (!only || only === "reconnects") metrics.push(...(await reconnectsSuite()));
if (!only || only === "encryption") metrics.push(...(await encryptionSuite()));
// A partial run keeps the other suites' last figures, so the report always covers everything.
const previous = existsSync(REPORT_JSON) ? (JSON.parse(readFileSync(REPORT_JSON, "utf8")).metrics as Metric[]) : [];
const ran = new Set(metrics.map((m) => m.suite));
const { json, markdown } = writeReport([...previous.filter((m) => !ran.has(m.suite)), ...metrics]);
console.log(readFileSync(markdown, "utf8"));
console.log(`written: ${json}, ${markdown}`);
