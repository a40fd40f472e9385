// Baseline: an empty Node.js process (the same `node` binary, flags and environment as every case).
