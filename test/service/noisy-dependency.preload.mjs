// A stand-in for a dependency that prints: on SIGUSR2 the service process emits a deprecation
// warning and writes raw text through console and process.stdout, as libraries do.
process.on("SIGUSR2", () => {
  process.emitWarning("legacyThing() is deprecated, use newThing()", "DeprecationWarning", "DEP_VS3D_TEST");
  console.log("noisy-lib: a notice on stdout");
  console.warn("noisy-lib: a notice on stderr");
  process.stdout.write("raw bytes without a newline");
});
