// Preloaded (`node --import`) into the servers when ws.mjs runs with --cpu-prof: a SIGTERM then
// exits normally, so Node writes the CPU profile.
process.on('SIGTERM', () => process.exit(0))
