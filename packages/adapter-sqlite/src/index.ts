/**
 * @since 0.1.0
 */
export * as Migrations from "./Migrations.js"
export * as SqliteAccounts from "./SqliteAccounts.js"
export * as SqliteCoverage from "./SqliteCoverage.js"
export * as SqliteStore from "./SqliteStore.js"
export * as SqliteTaskState from "./SqliteTaskState.js"
