/** Modules made by the build's own Vite plugins (scripts/). */
declare module "virtual:empty-database" {
  /** The migrated, empty database a new device starts from: gzip, then base64 (scripts/emptyDatabasePlugin.ts). */
  const packed: string;
  export default packed;
}
