export * as Assertions from "./Assertions.js"
export * as RuleTesting from "./RuleTesting.js"
export * as Scenario from "./Scenario.js"
export * as StoreFixture from "./StoreFixture.js"
export * as StoreSuite from "./StoreSuite.js"
export * as TaskStateSuite from "./TaskStateSuite.js"
export {}
