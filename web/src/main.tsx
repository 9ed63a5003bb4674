import { render } from "solid-js/web";
import { startDatabase } from "./db/client";
import type { StorageKind } from "./db/protocol";
import { App } from "./ui/App";
import "./ui/app.css";

const STORAGE_OVERRIDES: readonly StorageKind[] = ["idb", "memory"];
const requested = new URLSearchParams(location.search).get("storage") as StorageKind | null;
const client = startDatabase(requested && STORAGE_OVERRIDES.includes(requested) ? requested : undefined);

render(() => <App client={client} />, document.getElementById("root")!);
