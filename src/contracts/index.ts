export * from "./task-types.ts";
export * from "./error-codes.ts";
export * from "./app-error.ts";
export * from "./task-message.ts";
export * from "./progress-message.ts";
export * from "./result-message.ts";
